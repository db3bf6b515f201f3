"""Variances with constraint 'U' below zero (ASReml's unconstrained variances, issue 11).

A random term's G_j may be indefinite as long as V = ZGZ' + R stays positive definite.
With R PD and G nonsingular, the Haynsworth inertia additivity on

    B = [[R, Z], [Z', −G⁻¹]]   (Schur complements V = R + ZGZ' and −(Z'R⁻¹Z + G⁻¹))

gives  n + neg(C_uu) = neg(G) + pos(V),  C_uu = Z'R⁻¹Z + G⁻¹, so

    V PD  ⇔  neg(C_uu) = neg(G)

(the test is on the random-effects block: C as a whole can have neg(C) = neg(G) with V
indefinite when X'V⁻¹X is indefinite too). Then |V| = |R|·|det G|·|det C_uu| and
|X'V⁻¹X| = |det C|/|det C_uu|, so the REML log-likelihood keeps its form with absolute
determinants, ℓ = −½[(n − p) log 2π + log|R| + Σ log|det G_j| + log|det C| + y'Py]; ŝ,
y'Py, the score traces and the AI matrix need C⁻¹ and G⁻¹ only, not G PD.

Scope: only variances of random terms (kind 'variance', constraint 'U'; R stays PD); C is
factored densely (LU for solves and log|det C|, Bunch-Kaufman LDL' of C_uu for its inertia)
up to :data:`MAX_EQUATIONS` equations; the eigen path does not apply.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp

from asr_py.errors import ModelError
from asr_py.reml.problem import MixedProblem, RandomBlock
from asr_py.reml.solver import Factor
from asr_py.vcov.base import CovTemplate, Matrix, to_dense

#: mixed model equations above which a fit with a 'U' variance is refused (dense LU + LDL')
MAX_EQUATIONS = 4000
#: a G_j with a negative eigenvalue is handled densely up to this size (diagonal and σ²K
#: forms in closed form at any size)
MAX_DENSE_G = 2000
#: |λ| below this times max|λ| counts as a zero eigenvalue of G_j (G singular: invalid)
SINGULAR_REL = 1e-12


class VNotPositiveDefinite(np.linalg.LinAlgError):
    """V = ZGZ' + R is not positive definite at θ (the inertia test failed)."""

    hint = ("a variance with constraint 'U' may be negative only while V = ZGZ' + R stays "
            "positive definite: start it closer to zero (or positive)")


def unconstrained_variances(problem: MixedProblem) -> np.ndarray:
    """Global indices of the random-term variances with constraint 'U', and of those fixed
    ('F') at a negative start value (a final pass at a 'U' estimate below zero, e.g. the GLS
    step of an ML fit, fixes every parameter)."""
    pm = problem.param_map
    assert pm is not None
    kinds = pm.kinds
    th0 = np.asarray(problem.theta0, dtype=float)
    out = []
    for k in range(problem.residual_offset):
        c = str(problem.constraints[k]).upper()
        if kinds[k] == "variance" and (c == "U" or (c == "F" and th0[k] < 0)):
            out.append(k)
    return np.array(out, dtype=int)


class SignedTemplate(CovTemplate):
    """A random term's template whose 'U' variances may be negative: the same Σ(θ) and
    derivatives; Σ⁻¹, log|det Σ| and the number of negative eigenvalues for any nonsingular
    Σ. Closed forms for diagonal Σ (idv/diag) and σ²·Σ₀ with Σ₀ valid (Σ⁻¹ = −|σ²|⁻¹Σ₀⁻¹,
    n negative eigenvalues); otherwise a dense eigendecomposition (n <= MAX_DENSE_G)."""

    def __init__(self, inner: CovTemplate, free: np.ndarray) -> None:
        self.inner = inner
        self.n = inner.n
        self.has_variance = inner.has_variance
        self.block_size = inner.block_size
        self.free = np.asarray(free, dtype=int)  # local indices of the 'U' variances
        self._cache: tuple[bytes, tuple[Matrix, float, int]] | None = None

    @property
    def param_names(self) -> list[str]:
        return self.inner.param_names

    @property
    def param_kinds(self) -> list[str]:
        return self.inner.param_kinds

    def matrix(self, theta: np.ndarray) -> Matrix:
        return self.inner.matrix(theta)

    def derivatives(self, theta: np.ndarray) -> list[Matrix]:
        return self.inner.derivatives(theta)

    def initial(self, scale: float) -> np.ndarray:
        return self.inner.initial(scale)

    def lower(self) -> np.ndarray:
        lo = self.inner.lower().astype(float)
        lo[self.free] = -np.inf
        return lo

    def signed(self, theta: np.ndarray) -> tuple[Matrix, float, int]:
        """(Σ⁻¹, log|det Σ|, number of negative eigenvalues); LinAlgError if Σ is singular."""
        theta = np.asarray(theta, dtype=float)
        key = theta.tobytes()
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        out = self._signed(theta)
        self._cache = (key, out)
        return out

    def _signed(self, theta: np.ndarray) -> tuple[Matrix, float, int]:
        inner = self.inner
        if not np.all(np.isfinite(theta)):
            raise np.linalg.LinAlgError("a parameter is not finite")
        if inner.diagonal in ("common", "each"):
            v = np.asarray(inner.diagonal_variances(theta), dtype=float)
            if np.any(v == 0) or not np.all(np.isfinite(v)):
                raise np.linalg.LinAlgError("a variance is zero: Σ is singular")
            return (sp.diags(1.0 / v, 0, format="csc"), float(np.log(np.abs(v)).sum()),
                    int(np.sum(v < 0)))
        if inner.is_valid(theta):
            return inner.inverse(theta), float(inner.logdet(theta)), 0
        factors = inner.kronecker_factors()
        if factors is not None and factors[0]:
            s = float(inner.split(theta)[0])
            flip = theta.copy()
            flip[0] = -s  # the scale is the first parameter of a scaled Kronecker product
            if s < 0 and float(inner.split(flip)[0]) == -s and inner.is_valid(flip):
                inv = inner.inverse(flip)
                return -inv, float(inner.logdet(flip)), self.n
        if self.n > MAX_DENSE_G:
            raise ModelError(
                f"a covariance matrix of {self.n} x {self.n} with a negative variance "
                "('U') is not supported", hint=f"'U' below zero works for diagonal or σ²K "
                f"terms of any size and other structures up to {MAX_DENSE_G} levels; use 'P'")
        lam, vec = np.linalg.eigh(to_dense(inner.matrix(theta)))
        big = float(np.max(np.abs(lam), initial=0.0))
        if big == 0 or np.min(np.abs(lam)) <= SINGULAR_REL * big:
            raise np.linalg.LinAlgError("Σ is singular")
        return ((vec / lam) @ vec.T, float(np.log(np.abs(lam)).sum()), int(np.sum(lam < 0)))

    def inverse(self, theta: np.ndarray) -> Matrix:
        return self.signed(theta)[0]

    def logdet(self, theta: np.ndarray) -> float:
        """log|det Σ(θ)| (Σ may be indefinite)."""
        return self.signed(theta)[1]

    def negatives(self, theta: np.ndarray) -> int:
        return self.signed(theta)[2]

    def is_valid(self, theta: np.ndarray) -> bool:
        """Bounds of the other parameters (correlations strictly inside) and Σ nonsingular;
        whether V stays PD is judged with C (:class:`IndefiniteFactor`)."""
        theta = np.asarray(theta, dtype=float)
        if not self.within_bounds(theta):
            return False
        try:
            self.signed(theta)
        except (np.linalg.LinAlgError, ValueError):
            return False
        return True


def signed_problem(problem: MixedProblem) -> MixedProblem | None:
    """``problem`` with the template of every random term that has a 'U' variance wrapped in
    :class:`SignedTemplate`; None if there is none. The parameter map is kept."""
    idx = unconstrained_variances(problem)
    if idx.size == 0:
        return None
    blocks: list[RandomBlock] = []
    for b, sl in zip(problem.random, problem.slices()):
        local = idx[(idx >= sl.start) & (idx < sl.stop)] - sl.start
        t = b.template if local.size == 0 else SignedTemplate(b.template, local)
        blocks.append(RandomBlock(b.name, b.Z, t, b.offset))
    return replace(problem, random=blocks)


def signed_templates(problem: MixedProblem, templates: list[CovTemplate]) -> list[CovTemplate]:
    """The templates (random terms, then the residual) with the random terms' wrapped as
    :func:`signed_problem` does."""
    sp_ = signed_problem(problem)
    if sp_ is None:
        return templates
    return [b.template for b in sp_.random] + [templates[-1]]


class IndefiniteFactor(Factor):
    """Dense LU of a symmetric nonsingular C (solves, log|det C|), and the inertia of its
    random-effects block C_uu = C[p:, p:] from a Bunch-Kaufman LDL' (scipy.linalg.ldl)."""

    name = "ldl"

    def __init__(self, c: Matrix, p: int) -> None:
        a = c.toarray() if sp.issparse(c) else np.array(c, dtype=float)
        self.n = a.shape[0]
        self.p = p
        if self.n > MAX_EQUATIONS:
            raise ModelError(
                f"a variance with constraint 'U' needs a dense factorization of the {self.n} "
                f"mixed model equations (supported up to {MAX_EQUATIONS})",
                hint="use constraint 'P' for the variance, or a smaller model")
        if not np.all(np.isfinite(a)):
            raise np.linalg.LinAlgError("C has non-finite entries")
        self._lu = sla.lu_factor(a, check_finite=False)
        d = np.diag(self._lu[0])
        scale = float(np.max(np.abs(d), initial=0.0))
        if self.n and (scale == 0 or np.min(np.abs(d)) <= 1e-14 * scale):
            raise np.linalg.LinAlgError("C is singular")
        self._logdet = float(np.log(np.abs(d)).sum())
        self.neg_uu = negative_eigenvalues(a[p:, p:])
        self._inv: np.ndarray | None = None

    def solve(self, b: np.ndarray) -> np.ndarray:
        return sla.lu_solve(self._lu, np.asarray(b, dtype=float), check_finite=False)

    def logdet(self) -> float:
        """log|det C|."""
        return self._logdet

    def inverse(self) -> np.ndarray:
        if self._inv is None:
            inv = self.solve(np.eye(self.n))
            self._inv = 0.5 * (inv + inv.T)
        return self._inv

    def inverse_on(self, pattern: Matrix) -> sp.csc_matrix:
        pat = sp.coo_matrix(pattern)
        inv = self.inverse()
        return sp.csc_matrix((inv[pat.row, pat.col], (pat.row, pat.col)),
                             shape=(self.n, self.n))

    def inverse_block(self, rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows)
        return self.inverse()[np.ix_(rows, rows)]

    def inverse_entries(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        return self.inverse()[rows, cols]

    def refactor(self, c_new: Matrix) -> IndefiniteFactor:
        return IndefiniteFactor(c_new, self.p)


def negative_eigenvalues(a: np.ndarray) -> int:
    """The number of negative eigenvalues of the symmetric ``a`` (Sylvester's law of inertia
    on its LDL' factorization: those of the 1x1 and 2x2 blocks of D)."""
    if a.shape[0] == 0:
        return 0
    _, d, _ = sla.ldl(a, lower=True, check_finite=False)
    off = np.diag(d, -1)
    return int(np.sum(sla.eigvalsh_tridiagonal(np.diag(d).copy(), off.copy()) < 0))


class SignedModel:
    """What the MME needs for a problem with 'U' variances: the wrapped problem and the
    factorization of C with the inertia test."""

    def __init__(self, problem: MixedProblem) -> None:
        wrapped = signed_problem(problem)
        assert wrapped is not None
        self.problem = wrapped

    def factor(self, c: Matrix, theta: np.ndarray, p: int) -> IndefiniteFactor:
        """C factored; raises :class:`VNotPositiveDefinite` unless neg(C_uu) = neg(G)."""
        try:
            fac = IndefiniteFactor(c, p)
        except np.linalg.LinAlgError as exc:
            raise VNotPositiveDefinite(
                f"V = ZGZ' + R is not positive definite ({exc}: V or X'V⁻¹X is singular)"
            ) from None
        neg_g = 0
        for b, sl in zip(self.problem.random, self.problem.slices()):
            if isinstance(b.template, SignedTemplate):
                neg_g += b.template.negatives(theta[sl])
        if fac.neg_uu != neg_g:
            raise VNotPositiveDefinite(
                f"V = ZGZ' + R is not positive definite (G has {neg_g} negative "
                f"eigenvalue(s), Z'R⁻¹Z + G⁻¹ has {fac.neg_uu})")
        return fac


def signed_model(problem: MixedProblem) -> SignedModel | None:
    """A :class:`SignedModel` if the problem has a random-term variance with constraint 'U'."""
    return SignedModel(problem) if unconstrained_variances(problem).size else None


def invalid_start_hint(problem: MixedProblem, theta: np.ndarray) -> str | None:
    """A hint for start values outside the parameter space that involve 'U' variances (None
    if none does): a 'U' variance at exactly zero (G singular), or a negative residual one."""
    pm = problem.param_map
    assert pm is not None
    theta = np.asarray(theta, dtype=float)
    for k in unconstrained_variances(problem):
        if theta[k] == 0:
            return (f"the 'U' variance '{problem.names[k]}' starts at exactly 0, where G is "
                    "singular: start it at a small positive or negative value")
    for k in range(problem.residual_offset, problem.n_theta):
        if (pm.kinds[k] == "variance" and str(problem.constraints[k]).upper() == "U"
                and theta[k] < 0):
            return ("'U' lets a random-term variance go below zero; the residual covariance "
                    "R must stay positive definite (start its variances above zero)")
    return None


def indefinite_terms(problem: MixedProblem, theta: np.ndarray) -> list[int]:
    """Indices of the random terms whose G_j has a negative eigenvalue at θ (their
    'random effects' have no distribution: C_uu's diagonal is no prediction error
    variance there)."""
    wrapped = signed_problem(problem)
    if wrapped is None:
        return []
    out = []
    for j, (b, sl) in enumerate(zip(wrapped.random, wrapped.slices())):
        if isinstance(b.template, SignedTemplate):
            try:
                if b.template.negatives(np.asarray(theta, dtype=float)[sl]) > 0:
                    out.append(j)
            except np.linalg.LinAlgError:
                out.append(j)
    return out


def negative_levels(problem: MixedProblem, theta: np.ndarray) -> dict[int, np.ndarray]:
    """For each random term whose G_j has a negative eigenvalue at θ, the levels whose
    'random effects' have no distribution (C_uu's diagonal is no prediction error variance
    there): where G_j is diagonal (idv, diag/idh and their products with I) only the levels
    with a negative variance; otherwise every level (an eigenvector of a negative eigenvalue
    mixes levels). The other levels of a diagonal G_j keep their PEV, G₊ − G₊Z₊'PZ₊G₊."""
    out: dict[int, np.ndarray] = {}
    theta = np.asarray(theta, dtype=float)
    sls = problem.slices()
    for j in indefinite_terms(problem, theta):
        b = problem.random[j]
        mask = np.ones(b.template.n, dtype=bool)
        try:
            g = b.template.matrix(theta[sls[j]])
            g = sp.csr_matrix(g) if sp.issparse(g) else None if b.template.n > MAX_DENSE_G \
                else sp.csr_matrix(np.asarray(g, dtype=float))
        except (ValueError, np.linalg.LinAlgError):
            g = None
        if g is not None:
            d = g.diagonal()
            if (g - sp.diags(d)).count_nonzero() == 0:
                mask = d < 0
        out[j] = mask
    return out
