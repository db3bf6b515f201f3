"""An exact dense-V REML log-likelihood for the tests (Python's fractions: no rounding
before the final logarithms; never imports asr_py).

    ℓ(θ) = −½[(n − p) log 2π + log|V| + log|X'V⁻¹X| + y'Py]

Every float is a dyadic rational, so V, X and y are held exactly; Gaussian elimination of
the bordered matrix [[V, X, y], [X', 0, 0], [y', 0, 0]] on V's n pivots gives |V| (their
product) and leaves −[X y]'V⁻¹[X y], whose leading p x p block is X'V⁻¹X and whose last
pivot after eliminating that block is y'Py (the Schur complement of X'V⁻¹X). For the
small designs (n <= ~80) where double precision cannot be trusted: variances 13 orders of
magnitude apart.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

LOG2PI = math.log(2 * math.pi)


def _log(q: Fraction) -> float:
    """log q of a positive fraction, without overflow for large numerators/denominators."""
    if q <= 0:
        raise ValueError("not positive definite")
    return math.log(q.numerator) - math.log(q.denominator)


def reml_loglik_exact(y: np.ndarray, X: np.ndarray, V: np.ndarray) -> float:
    """The full REML log-likelihood at a dense V, in exact rational arithmetic."""
    n, p = X.shape
    m = n + p + 1
    B = [[Fraction(0)] * m for _ in range(m)]
    for i in range(n):
        for j in range(n):
            B[i][j] = Fraction(float(V[i, j]))
        for k in range(p):
            B[i][n + k] = B[n + k][i] = Fraction(float(X[i, k]))
        B[i][n + p] = B[n + p][i] = Fraction(float(y[i]))
    logs = [0.0, 0.0, 0.0]  # log|V|, log|X'V⁻¹X|, y'Py's pivot
    for piv in range(m - 1):
        d = B[piv][piv]
        if piv < n:
            logs[0] += _log(d)
        else:  # the bordered block holds −X'V⁻¹X: its pivots are negative
            logs[1] += _log(-d)
        row = B[piv]
        for i in range(piv + 1, m):
            f = B[i][piv]
            if f == 0:
                continue
            f /= d
            bi = B[i]
            for j in range(piv + 1, m):
                if row[j]:
                    bi[j] -= f * row[j]
    ypy = -B[m - 1][m - 1]
    return -0.5 * ((n - p) * LOG2PI + logs[0] + logs[1] + float(ypy))
