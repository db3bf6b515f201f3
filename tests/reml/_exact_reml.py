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
