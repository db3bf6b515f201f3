"""A dense-V REML log-likelihood in 50-digit decimal arithmetic for the tests (Python's
decimal module; never imports asr_py).

    ℓ(θ) = −½[(n − p) log 2π + log|V| + log|X'V⁻¹X| + y'Py]

Every float converts to a Decimal exactly, V = Σ v_k K_k is summed in 50 digits, and
Gaussian elimination of the bordered matrix [[V, X, y], [X', 0, 0], [y', 0, 0]] on V's n
pivots gives |V| (their product) and leaves −[X y]'V⁻¹[X y], whose leading p x p block is
X'V⁻¹X and whose last pivot after eliminating that block is y'Py (the Schur complement of
X'V⁻¹X). For designs where double precision cannot be trusted: variances 13 orders of
magnitude apart lose ~1e-4 of ℓ in a V formed in double, 50 digits keep ~30.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Context, Decimal

import numpy as np

LOG2PI = math.log(2 * math.pi)
DIGITS = 50


def reml_loglik_exact(y: np.ndarray, X: np.ndarray,
                      V: np.ndarray | Sequence[tuple[float, np.ndarray]]) -> float:
    """The full REML log-likelihood at a dense V, in DIGITS-digit arithmetic. ``V``: the
    matrix, or its terms [(v_k, K_k)] with V = Σ v_k K_k summed in that precision (a V
    formed in double already loses a tiny variance added to a large one)."""
    ctx = Context(prec=DIGITS)
    n, p = X.shape
    m = n + p + 1
    zero = Decimal(0)
    B = [[zero] * m for _ in range(m)]
    terms = [(1.0, V)] if isinstance(V, np.ndarray) else list(V)
    for v, K in terms:
        dv = Decimal(float(v))
        for i, j in zip(*np.nonzero(K)):
            B[i][j] = ctx.add(B[i][j], ctx.multiply(dv, Decimal(float(K[i, j]))))
    for i in range(n):
        for k in range(p):
            B[i][n + k] = B[n + k][i] = Decimal(float(X[i, k]))
        B[i][n + p] = B[n + p][i] = Decimal(float(y[i]))
    logs = [zero, zero]  # log|V|, log|X'V⁻¹X|
    for piv in range(m - 1):
        d = B[piv][piv]
        if (d <= 0) if piv < n else (d >= 0):
            raise ValueError("V or X'V⁻¹X is not positive definite")
        k = 0 if piv < n else 1  # the bordered block holds −X'V⁻¹X: negative pivots
        logs[k] = ctx.add(logs[k], ctx.ln(d if k == 0 else -d))
        row = B[piv]
        nz = [j for j in range(piv + 1, m) if row[j]]
        for i in range(piv + 1, m):
            f = B[i][piv]
            if not f:
                continue
            f = ctx.divide(f, d)
            bi = B[i]
            for j in nz:
                bi[j] = ctx.subtract(bi[j], ctx.multiply(f, row[j]))
    ypy = -B[m - 1][m - 1]
    return -0.5 * ((n - p) * LOG2PI + float(logs[0]) + float(logs[1]) + float(ypy))


def _solve_exact(ctx: Context, A: list[list[Decimal]], B: list[list[Decimal]]
                 ) -> list[list[Decimal]]:
    """A⁻¹B (A symmetric positive definite, as lists of Decimal rows) by Gaussian
    elimination without pivoting, in ``ctx``'s precision."""
    n, m = len(A), len(B[0])
    a = [list(A[i]) + list(B[i]) for i in range(n)]
    for piv in range(n):
        d = a[piv][piv]
        if d <= 0:
            raise ValueError("the matrix is not positive definite")
        row = a[piv]
        nz = [j for j in range(piv + 1, n + m) if row[j]]
        for i in range(piv + 1, n):
            f = a[i][piv]
            if f:
                f = ctx.divide(f, d)
                ai = a[i]
                for j in nz:
                    ai[j] = ctx.subtract(ai[j], ctx.multiply(f, row[j]))
    x = [[Decimal(0)] * m for _ in range(n)]
    for i in range(n - 1, -1, -1):
        for c in range(m):
            s = a[i][n + c]
            for j in range(i + 1, n):
                if a[i][j]:
                    s = ctx.subtract(s, ctx.multiply(a[i][j], x[j][c]))
            x[i][c] = ctx.divide(s, a[i][i])
    return x


def _dot(ctx: Context, a: Sequence[Decimal], b: Sequence[Decimal]) -> Decimal:
    """Σ a_i b_i in ``ctx``'s precision (a plain sum() would use the default context)."""
    s = Decimal(0)
    for u, v in zip(a, b):
        if u and v:
            s = ctx.add(s, ctx.multiply(u, v))
    return s


def reml_score_terms_exact(y: np.ndarray, X: np.ndarray,
                           V: Sequence[tuple[float, np.ndarray]]) -> np.ndarray:
    """Per term k of V = Σ v_k K_k (summed in DIGITS digits): [tr(PK_k), y'PK_kPy,
    ∂ℓ/∂v_k] (rows of a len(V) x 3 array), P = V⁻¹ − V⁻¹X(X'V⁻¹X)⁻¹X'V⁻¹ and
    ∂ℓ/∂v_k = −½[tr(PK_k) − y'PK_kPy], all in DIGITS-digit arithmetic: the REML score and
    its two terms without the MME's cancellations."""
    ctx = Context(prec=DIGITS)
    n, p = X.shape
    zero = Decimal(0)
    Vd = [[zero] * n for _ in range(n)]
    for v, K in V:
        dv = Decimal(float(v))
        for i, j in zip(*np.nonzero(K)):
            Vd[i][j] = ctx.add(Vd[i][j], ctx.multiply(dv, Decimal(float(K[i, j]))))
    Xd = [[Decimal(float(X[i, c])) for c in range(p)] for i in range(n)]
    B = [Xd[i] + [Decimal(float(y[i]))] + [Decimal(int(i == j)) for j in range(n)]
         for i in range(n)]
    Z = _solve_exact(ctx, Vd, B)  # rows of [V⁻¹X, V⁻¹y, V⁻¹]
    col = [[Z[i][c] for i in range(n)] for c in range(p + 1)]  # V⁻¹X's columns, V⁻¹y
    xcol = [[Xd[i][a] for i in range(n)] for a in range(p)]
    XtVX = [[_dot(ctx, xcol[a], col[b]) for b in range(p)] for a in range(p)]
    H = _solve_exact(ctx, XtVX, [[_dot(ctx, xcol[a], col[p])] + col[a] for a in range(p)])
    py = [ctx.subtract(Z[i][p], _dot(ctx, Z[i][:p], [H[a][0] for a in range(p)]))
          for i in range(n)]
    out = np.zeros((len(V), 3))
    for k, (_, K) in enumerate(V):
        tr = q = zero
        for i, j in zip(*np.nonzero(K)):
            kij = Decimal(float(K[i, j]))
            pji = ctx.subtract(Z[j][p + 1 + i],
                               _dot(ctx, Z[j][:p], [H[a][1 + i] for a in range(p)]))
            tr = ctx.add(tr, ctx.multiply(pji, kij))
            q = ctx.add(q, ctx.multiply(ctx.multiply(py[i], kij), py[j]))
        out[k] = float(tr), float(q), float(ctx.multiply(Decimal(-0.5), ctx.subtract(tr, q)))
    return out
