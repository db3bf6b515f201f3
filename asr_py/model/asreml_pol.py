"""asreml's ``pol(x, t)`` basis: polynomials orthogonal on x's points, P_j(min) = (−1)^j.

ASReml forms pol() "from the unique values in v and any additional interpolated points"
(user guide, pol()). The point set S is the distinct values u_1 < ... < u_m of x with, in each
gap, the points u_i + h, u_i + 2h, ... below u_{i+1}, h = (u_m − u_1)/(n − 1), n = 21 (asreml-R's
``nsppoints``, the number of spline/polynomial prediction points). On S, equally weighted, the
monic orthogonal polynomials follow the three-term recurrence

    p_0 = 1,  p_1 = x − a_0,  p_{j+1} = (x − a_j) p_j − b_j p_{j−1},
    a_j = Σ_S x p_j² / Σ_S p_j²,  b_j = Σ_S p_j² / Σ_S p_{j−1}²,

and column j is P_j = p_j / |p_j(u_1)|, so P_j(min x) = (−1)^j (the zeros of p_j lie inside
(u_1, u_m), so p_j(u_1) ≠ 0). Evidence: asreml 3's own fit of AaronRendahl/Jane-asreml-modeling
(results_glucose.RDS: its fitted values, fixed and random coefficients of
``str(~Number_ID:pol(time,2), ...)``) gives the columns at the 9 times to 6e-12 with S the 25
points its predict() printed; asreml 4's printed REML log-likelihoods of kwstat/agridat's
burgueno.alpha m6/m9 (``pol(yf,-2)``, ``+ pol(xf,-2)``) follow to their 2 decimals.

P_j is unchanged by x → αx + β (α > 0) and by the order of the rows: fits do not depend on
x's units. The basis is kept (``PolBasis``) and evaluated at new x for predict. R's orthonormal
``poly(x, k)`` stays available as a fixed term under its own name.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from asr_py.errors import DataError

#: asreml-R's default number of prediction points over x's range (``nsppoints``)
NSPPOINTS = 21


def pol_points(x: np.ndarray, n: int = NSPPOINTS) -> np.ndarray:
    """The points S asreml orthogonalises pol() on: x's distinct values and, in each gap, steps of
    (max − min)/(n − 1) up from its lower end."""
    u = np.unique(x[np.isfinite(x)])
    if u.size < 2:
        return u
    h = (u[-1] - u[0]) / (n - 1)
    wide = np.flatnonzero(np.diff(u) > h)  # fewer than n − 1 gaps are wider than h
    inner = [lo + h * np.arange(1, np.ceil((hi - lo) / h) + 1) for lo, hi in
             zip(u[wide], u[wide + 1])]
    inner = [v[v < hi - 1e-9 * h] for v, hi in zip(inner, u[wide + 1])]
    return np.sort(np.concatenate([u, *inner]))


@dataclass(frozen=True)
class PolBasis:
    """pol() polynomials of degree 1..k, in z = (x − lo)/span: recurrence (a, b), scales c."""

    lo: float
    span: float
    a: np.ndarray
    b: np.ndarray
    c: np.ndarray  # column j (degree j + 1) is p_{j+1}(z) · c[j]
    points: np.ndarray  # S, in x (asreml's default prediction points of x)

    @classmethod
    def fit(cls, x: np.ndarray, k: int, n: int = NSPPOINTS) -> PolBasis:
        """The basis of degree k on the training x (finite values; at least 2 distinct)."""
        n_x = np.unique(x[np.isfinite(x)]).size
        if k >= n_x:
            raise DataError(f"pol(): degree {k} needs at least {k + 1} distinct values, the "
                            f"covariate has {n_x}")
        s = pol_points(x, n)
        lo, span = float(s[0]), float(s[-1] - s[0])
        z = (s - lo) / span
        a, b = np.zeros(k), np.zeros(k)
        p_prev, p = np.zeros_like(z), np.ones_like(z)
        norm_prev = 1.0
        for j in range(k):
            norm = p @ p
            a[j] = (z * p) @ p / norm
            b[j] = norm / norm_prev if j > 0 else 0.0
            p_prev, p = p, (z - a[j]) * p - b[j] * p_prev
            norm_prev = norm
        basis = cls(lo, span, a, b, np.ones(k), s)
        at_min = basis._monic(np.zeros(1))[0]
        return cls(lo, span, a, b, 1.0 / np.abs(at_min), s)

    def _monic(self, z: np.ndarray) -> np.ndarray:
        k = self.a.size
        out = np.empty((z.size, k))
        p_prev, p = np.zeros_like(z), np.ones_like(z)
        for j in range(k):
            p_prev, p = p, (z - self.a[j]) * p - self.b[j] * p_prev
            out[:, j] = p
        return out

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Columns P_1..P_k at x (n x k)."""
        return self._monic((np.asarray(x, dtype=float) - self.lo) / self.span) * self.c
