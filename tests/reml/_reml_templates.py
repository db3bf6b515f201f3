"""Small private covariance templates for the REML tests (independent of asr_py.vcov).

ScaledIdentity: Σ = σ² I_n (one variance).
UsKronIdentity: Σ = G0 ⊗ I_m with G0 an unstructured k x k matrix, parameters the lower
triangle row by row (ASReml order): (1,1), (2,1), (2,2), ...
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from asr_py.vcov.base import CovTemplate


class ScaledIdentity(CovTemplate):
    def __init__(self, n: int) -> None:
        self.n = n

    @property
    def param_names(self) -> list[str]:
        return ["var"]

    @property
    def param_kinds(self) -> list[str]:
        return ["variance"]

    def matrix(self, theta):
        return theta[0] * sp.identity(self.n, format="csc")

    def derivatives(self, theta):
        return [sp.identity(self.n, format="csc")]

    def inverse(self, theta):
        return sp.identity(self.n, format="csc") / theta[0]

    def logdet(self, theta):
        if not theta[0] > 0:
            raise np.linalg.LinAlgError("not PD")
        return self.n * float(np.log(theta[0]))

    def initial(self, scale):
        return np.array([scale])


class UsKronIdentity(CovTemplate):
    def __init__(self, k: int, m: int) -> None:
        self.k, self.m, self.n = k, m, k * m
        self._idx = [(i, j) for i in range(k) for j in range(i + 1)]

    @property
    def param_names(self) -> list[str]:
        return [f"{i + 1}:{j + 1}" for i, j in self._idx]

    @property
    def param_kinds(self) -> list[str]:
        return ["variance" if i == j else "covariance" for i, j in self._idx]

    def g0(self, theta):
        g = np.zeros((self.k, self.k))
        for t, (i, j) in zip(theta, self._idx):
            g[i, j] = g[j, i] = t
        return g

    def matrix(self, theta):
        return sp.kron(self.g0(theta), sp.identity(self.m), format="csc")

    def derivatives(self, theta):
        out = []
        for i, j in self._idx:
            e = np.zeros((self.k, self.k))
            e[i, j] = e[j, i] = 1.0
            out.append(sp.kron(e, sp.identity(self.m), format="csc"))
        return out

    def inverse(self, theta):
        return sp.kron(np.linalg.inv(self.g0(theta)), sp.identity(self.m), format="csc")

    def logdet(self, theta):
        c = np.linalg.cholesky(self.g0(theta))
        return self.m * 2.0 * float(np.log(np.diag(c)).sum())

    def inv_deriv_inv(self, theta):
        gi = np.linalg.inv(self.g0(theta))
        out = []
        for i, j in self._idx:
            e = np.zeros((self.k, self.k))
            e[i, j] = e[j, i] = 1.0
            out.append(sp.kron(gi @ e @ gi, sp.identity(self.m), format="csc"))
        return out

    def initial(self, scale):
        return np.array([scale if i == j else 0.0 for i, j in self._idx])
