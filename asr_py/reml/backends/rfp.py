"""A symmetric matrix in LAPACK's rectangular full packed (RFP) storage, lower, TRANSR='N'.

n(n+1)/2 doubles hold the lower triangle (half of a full n x n array) and LAPACK factors and
inverts it in place with level-3 BLAS (``dpftrf``, ``dpftri``; the packed ``dpptrf`` is
level-2, 11x slower than ``dpotrf`` at n = 3 000). Layout (k = ⌈n/2⌉; the array read as an
ld x k Fortran matrix V, ld = n + 1 for even n, n for odd n; δ = 1 for even n, 0 for odd):

* column j < k of A (rows i >= j): V[i + δ, j];
* A[i, j] with i >= j >= k: V[j − k, i − k + 1 − δ] (the trailing block, transposed).
"""

from __future__ import annotations

import numpy as np
import scipy.linalg.lapack as lapack


class RFPMatrix:
    """The lower triangle of an n x n symmetric matrix in RFP storage (``a``: 1-D)."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.k = (n + 1) // 2
        self.even = n % 2 == 0
        self.ld = n + 1 if self.even else n
        self.a = np.empty(n * (n + 1) // 2)

    def _view(self) -> np.ndarray:
        return self.a.reshape((self.ld, self.k), order="F")

    def pos(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Flat positions of A[i, j] (either triangle: A is symmetric)."""
        i, j = np.maximum(i, j), np.minimum(i, j)
        d = 1 if self.even else 0
        lead = j * self.ld + i + d
        trail = (i - self.k + 1 - d) * self.ld + (j - self.k)
        return np.where(j < self.k, lead, trail)

    def set_column(self, c: int, col: np.ndarray) -> None:
        """A[c:, c] = col[c:] (the lower part of column c)."""
        n, k, ld = self.n, self.k, self.ld
        d = 1 if self.even else 0
        if c < k:
            start = c * ld + c + d
            self.a[start:start + n - c] = col[c:]
        else:
            v = self._view()
            v[c - k, c - k + 1 - d:n - k + 1 - d] = col[c:]

    def diagonal(self) -> np.ndarray:
        i = np.arange(self.n)
        return self.a[self.pos(i, i)]

    def cholesky(self) -> int:
        """A = L L' in place (``dpftrf``); LAPACK's info (> 0: not positive definite)."""
        out, info = lapack.dpftrf(self.n, self.a, transr="N", uplo="L", overwrite_a=1)
        if not np.shares_memory(out, self.a):
            self.a[...] = out
        return int(info)

    def solve(self, b: np.ndarray) -> np.ndarray:
        """A⁻¹ b from the Cholesky factor (``dpftrs``)."""
        x, info = lapack.dpftrs(self.n, self.a, np.asfortranarray(b), transr="N", uplo="L")
        if info != 0:
            raise np.linalg.LinAlgError(f"LAPACK dpftrs failed (info {info})")
        return x

    def invert(self) -> int:
        """A⁻¹ in place from the Cholesky factor (``dpftri``); LAPACK's info."""
        out, info = lapack.dpftri(self.n, self.a, transr="N", uplo="L", overwrite_a=1)
        if not np.shares_memory(out, self.a):
            self.a[...] = out
        return int(info)

    def matmul(self, x: np.ndarray, panel: int = 256) -> np.ndarray:
        """A x (x n x m) by column panels of A gathered from the packed storage."""
        n = self.n
        y = np.zeros((n, x.shape[1]))
        rows = np.arange(n)[:, None]
        for j0 in range(0, n, panel):
            j1 = min(n, j0 + panel)
            cols = np.arange(j0, j1)[None, :]
            y += self.a[self.pos(rows, cols)] @ x[j0:j1]
        return y
