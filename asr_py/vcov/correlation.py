"""Correlation families and their 'v' and 'h' variants.

A correlation family defines a correlation matrix C(ρ) (unit diagonal) and ∂C/∂ρ_k. From
each family :func:`register_correlation` makes three registered structures:

* ``<base>``:   Σ = C(ρ)                             no own scale (has_variance False)
* ``<base>v``:  Σ = σ² C(ρ),       θ = ρ + [σ²]       names ρ..., ``{name}!var``
* ``<base>h``:  Σ = D C(ρ) D,      D = diag(σ_i),     θ = ρ + [σ²_1..σ²_n], names
  ``{name}_{level}``; ∂Σ_ij/∂σ²_i = C_ij σ_j / (2 σ_i) (i ≠ j), ∂Σ_ii/∂σ²_i = 1.

Correlation parameters come first, then the variance(s) (ASReml's order for corgh).

Families here: ``cor`` (one common correlation: C = (1-ρ) I + ρ J, valid for
-1/(n-1) < ρ < 1), ``corg`` (general: one correlation per pair, lower triangle row by row,
valid when C is positive definite), ``corb`` (banded Toeplitz: C_ij = ρ_|i-j| for
1 <= |i-j| <= k, option ``order`` = k, default 1). The autoregressive and distance families
live in autoregressive.py and distance.py and use the same machinery.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp

from asr_py.errors import ModelError
from asr_py.vcov.base import (
    CovTemplate,
    Matrix,
    PDGeometry,
    Structure,
    StructureSyntax,
    is_pd,
    label,
    register,
    to_dense,
)


class CorrelationStructure(Structure):
    """Base of every correlation family: Σ = C(ρ). Subclasses define the ``corr_*`` hooks."""

    has_variance = False
    #: levels whose correlations are detached (Σ_ik = 0, k ≠ i): the face of an 'h' variant
    #: where their variances are zero (:meth:`_HVariant.zero_variance_face`)
    _detached: tuple[int, ...] = ()
    #: the family's parameters tie the levels' correlations together (cor: one ρ for every
    #: pair; corb: one per lag), so a level whose variance is zero can widen what the others'
    #: may be (C positive definite over the coupled levels only). Not corg: its correlations
    #: are free per pair, and every positive-definite C over the other levels completes to
    #: one over all of them (a zero level's own correlations are orphaned, reml/orphan_corr.py)
    level_coupled: bool = False

    # ----- hooks for the family ------------------------------------------------------------
    def corr_names(self) -> list[str]:
        raise NotImplementedError

    def corr_kinds(self) -> list[str]:
        return ["correlation"] * len(self.corr_names())

    def correlation(self, rho: np.ndarray) -> np.ndarray:
        """C(ρ), n x n with unit diagonal."""
        raise NotImplementedError

    def correlation_derivatives(self, rho: np.ndarray) -> list[np.ndarray]:
        """[∂C/∂ρ_k]."""
        raise NotImplementedError

    def corr_lower(self) -> np.ndarray:
        return np.array([-1.0 if k == "correlation" else -np.inf for k in self.corr_kinds()])

    def corr_upper(self) -> np.ndarray:
        return np.array([1.0 if k == "correlation" else np.inf for k in self.corr_kinds()])

    def corr_valid_range(self) -> tuple[np.ndarray, np.ndarray]:
        """Open bounds of the correlation parameters where C(ρ) is defined; by default the
        estimation bounds ``corr_lower``/``corr_upper``. A family whose estimation is
        limited more tightly (ASReml's !ARLIMIT on autoregressive parameters) keeps its
        wider range here, so a value given and fixed by the user is still a valid C."""
        return self.corr_lower(), self.corr_upper()

    def closed_bound(self, j: int) -> bool:
        """Whether parameter j may sit exactly on its estimation bounds (a limit inside the
        valid range, ASReml's !ARLIMIT) rather than just inside them (an open bound such as a
        correlation's ±1)."""
        return False

    def corr_valid(self, rho: np.ndarray) -> bool:
        """Extra validity rule of the family (e.g. stationarity); bounds and PD are checked
        by :meth:`is_valid` anyway."""
        return True

    def corr_initial(self) -> np.ndarray:
        """Starting ρ: 0.1 for each correlation."""
        return np.full(len(self.corr_names()), 0.1)

    # optional closed forms (ar1 has them: its inverse is tridiagonal); None = use dense
    def correlation_inverse(self, rho: np.ndarray) -> Matrix | None:
        """C⁻¹ in closed form, or None."""
        return None

    def correlation_inverse_derivatives(self, rho: np.ndarray) -> list[Matrix] | None:
        """[∂C⁻¹/∂ρ_k] in closed form (= -C⁻¹ (∂C/∂ρ_k) C⁻¹), or None."""
        return None

    def correlation_logdet(self, rho: np.ndarray) -> float | None:
        """log|C| in closed form, or None."""
        return None

    def _cinv(self, rho: np.ndarray) -> Matrix:
        ci = self.correlation_inverse(rho)
        if ci is None:
            c = sla.cho_factor(self.correlation(rho), lower=True)
            ci = sla.cho_solve(c, np.eye(self.n))
        return ci

    def _cinv_derivs(self, rho: np.ndarray) -> list[Matrix]:
        out = self.correlation_inverse_derivatives(rho)
        if out is None:
            ci = to_dense(self._cinv(rho))
            out = [-(ci @ d @ ci) for d in self.correlation_derivatives(rho)]
        return out

    def _clogdet(self, rho: np.ndarray) -> float:
        ld = self.correlation_logdet(rho)
        if ld is None:
            ld = float(2.0 * np.log(np.diag(np.linalg.cholesky(self.correlation(rho)))).sum())
        return ld

    # ----- the plain correlation structure -----------------------------------------------------
    @property
    def n_corr(self) -> int:
        return len(self.corr_names())

    @property
    def param_names(self) -> list[str]:
        return self.corr_names()

    @property
    def param_kinds(self) -> list[str]:
        return self.corr_kinds()

    def lower(self) -> np.ndarray:
        return self.corr_lower()

    def upper(self) -> np.ndarray:
        return self.corr_upper()

    def matrix(self, theta: np.ndarray) -> Matrix:
        return self.correlation(np.asarray(theta, dtype=float))

    def derivatives(self, theta: np.ndarray) -> list[Matrix]:
        return self.correlation_derivatives(np.asarray(theta, dtype=float))

    def inverse(self, theta: np.ndarray) -> Matrix:
        return self._cinv(np.asarray(theta, dtype=float))

    def logdet(self, theta: np.ndarray) -> float:
        return self._clogdet(np.asarray(theta, dtype=float))

    def inv_deriv_inv(self, theta: np.ndarray) -> list[Matrix]:
        """C⁻¹ Ċ C⁻¹ = -∂C⁻¹/∂ρ."""
        return [-d for d in self._cinv_derivs(np.asarray(theta, dtype=float))]

    def is_valid(self, theta: np.ndarray) -> bool:
        """Inside the bounds (correlations strictly), the family's own rule, Σ PD."""
        theta = np.asarray(theta, dtype=float)
        if theta.shape != (self.n_params,) or not np.all(np.isfinite(theta)):
            return False
        lo, hi = self.lower(), self.upper()
        nc = self.n_corr
        clo, chi = self.corr_valid_range()
        if np.any(theta[:nc] <= clo) or np.any(theta[:nc] >= chi):
            return False
        if np.any(theta[nc:] < lo[nc:]) or np.any(theta[nc:] > hi[nc:]):
            return False
        if not self.corr_valid(theta[:nc]):
            return False
        return self.known_pd(theta) or is_pd(self.matrix(theta))

    def known_pd(self, theta: np.ndarray) -> bool:
        """True when the family's closed form proves that :func:`is_pd` would accept Σ at
        ``theta`` (inside the bounds), so its eigenvalues need not be computed; False: ask
        :func:`is_pd`."""
        return False

    def initial(self, scale: float) -> np.ndarray:
        """Correlations 0.1 (families may differ, see ``corr_initial``)."""
        return self.corr_initial()


class _VVariant:
    """Mixin: Σ = σ² C(ρ), θ = ρ + [σ²]."""

    has_variance = True

    @property
    def param_names(self) -> list[str]:
        return self.corr_names() + [label(self.name, "var", "!")]

    @property
    def param_kinds(self) -> list[str]:
        return self.corr_kinds() + ["variance"]

    def lower(self) -> np.ndarray:
        return np.append(self.corr_lower(), 0.0)

    def upper(self) -> np.ndarray:
        return np.append(self.corr_upper(), np.inf)

    def matrix(self, theta: np.ndarray) -> Matrix:
        theta = np.asarray(theta, dtype=float)
        return theta[-1] * self.correlation(theta[:-1])

    def derivatives(self, theta: np.ndarray) -> list[Matrix]:
        theta = np.asarray(theta, dtype=float)
        s, rho = theta[-1], theta[:-1]
        return [s * d for d in self.correlation_derivatives(rho)] + [self.correlation(rho)]

    def inverse(self, theta: np.ndarray) -> Matrix:
        theta = np.asarray(theta, dtype=float)
        _positive(theta[-1:])
        return self._cinv(theta[:-1]) / theta[-1]

    def logdet(self, theta: np.ndarray) -> float:
        theta = np.asarray(theta, dtype=float)
        _positive(theta[-1:])
        return float(self.n * np.log(theta[-1]) + self._clogdet(theta[:-1]))

    def inv_deriv_inv(self, theta: np.ndarray) -> list[Matrix]:
        """ρ_k: -(1/σ²) ∂C⁻¹/∂ρ_k;  σ²: C⁻¹/σ⁴."""
        theta = np.asarray(theta, dtype=float)
        s, rho = theta[-1], theta[:-1]
        _positive(theta[-1:])
        return [-d / s for d in self._cinv_derivs(rho)] + [self._cinv(rho) / s**2]

    def initial(self, scale: float) -> np.ndarray:
        """Correlations as the base family, σ² = scale."""
        return np.append(self.corr_initial(), float(scale))


class _HVariant:
    """Mixin: Σ = D C(ρ) D with D = diag(σ_i), θ = ρ + [σ²_1, ..., σ²_n]."""

    has_variance = True

    @property
    def param_names(self) -> list[str]:
        return self.corr_names() + [label(self.name, lv) for lv in self.levels]

    @property
    def param_kinds(self) -> list[str]:
        return self.corr_kinds() + ["variance"] * self.n

    def lower(self) -> np.ndarray:
        return np.concatenate([self.corr_lower(), np.zeros(self.n)])

    def upper(self) -> np.ndarray:
        return np.concatenate([self.corr_upper(), np.full(self.n, np.inf)])

    def _split(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        theta = np.asarray(theta, dtype=float)
        nc = self.n_corr
        return theta[:nc], theta[nc:]

    def matrix(self, theta: np.ndarray) -> Matrix:
        rho, v = self._split(theta)
        sd = np.sqrt(np.maximum(v, 0.0))
        return self.correlation(rho) * np.outer(sd, sd)

    def derivatives(self, theta: np.ndarray) -> list[Matrix]:
        rho, v = self._split(theta)
        sd = np.sqrt(np.maximum(v, 0.0))
        outer = np.outer(sd, sd)
        c = self.correlation(rho)
        out = [d * outer for d in self.correlation_derivatives(rho)]
        for i in range(self.n):
            d = np.zeros((self.n, self.n))
            with np.errstate(divide="ignore", invalid="ignore"):
                row = c[i] * sd / (2.0 * sd[i])
            d[i, :] = row
            d[:, i] = row
            d[i, i] = c[i, i]
            out.append(d)
        return out

    def _dinv(self, v: np.ndarray) -> Matrix:
        _positive(v)
        return sp.diags(1.0 / np.sqrt(v), 0, format="csc")

    def inverse(self, theta: np.ndarray) -> Matrix:
        rho, v = self._split(theta)
        di = self._dinv(v)
        ci = self._cinv(rho)
        out = di @ ci @ di
        return out if sp.issparse(ci) else np.asarray(out)

    def logdet(self, theta: np.ndarray) -> float:
        rho, v = self._split(theta)
        _positive(v)
        return float(np.log(v).sum() + self._clogdet(rho))

    def inv_deriv_inv(self, theta: np.ndarray) -> list[Matrix]:
        """ρ_k: -D⁻¹ (∂C⁻¹/∂ρ_k) D⁻¹;  σ²_i: (E_i Σ⁻¹ + Σ⁻¹ E_i) / (2 σ²_i), E_i = e_i e_i'."""
        rho, v = self._split(theta)
        di = self._dinv(v)
        dense = not sp.issparse(self._cinv(rho))
        out = []
        for d in self._cinv_derivs(rho):
            x = -(di @ d @ di)
            out.append(np.asarray(x) if dense else sp.csc_matrix(x))
        si = self.inverse(theta)
        for i in range(self.n):
            e = sp.csc_matrix(([1.0 / (2.0 * v[i])], ([i], [i])), shape=(self.n, self.n))
            x = e @ si + si @ e
            out.append(np.asarray(x) if dense else sp.csc_matrix(x))
        return out

    def initial(self, scale: float) -> np.ndarray:
        """Correlations as the base family, every σ²_i = scale."""
        return np.concatenate([self.corr_initial(), np.full(self.n, float(scale))])

    # ----- the face where a level's variance is zero ---------------------------------------
    def zero_variance_face(self, j: int) -> CovTemplate | None:
        """Σ on the face σ²_i = 0 (i = j − n_corr) of a family whose admissible correlations
        depend on the coupled levels (``level_coupled``): level i detached, C_ik = 0 (k ≠ i),
        so the other levels' correlations range where their own C is positive definite (corh
        over 3 levels: ρ > −½ while every σ²_i > 0; with σ²_i = 0, Σ = D C D is positive
        semi-definite for every ρ ∈ [−1, 1]). Same θ layout; σ²_i stays Σ_ii (the engine
        holds it near zero). None for another family, a correlation parameter, or fewer than
        two coupled levels left."""
        i = j - self.n_corr
        det = self._detached
        if not self.level_coupled or i < 0 or i >= self.n or i in det:
            return None
        det = tuple(sorted((*det, i)))
        if self.n - len(det) < 2:
            return None
        face = copy.copy(self)
        face._detached = det
        return face

    def correlation(self, rho: np.ndarray) -> np.ndarray:
        c = super().correlation(rho)  # type: ignore[misc]
        return _detach(c, self._detached, 1.0) if self._detached else c

    def correlation_derivatives(self, rho: np.ndarray) -> list[np.ndarray]:
        out = super().correlation_derivatives(rho)  # type: ignore[misc]
        return [_detach(d, self._detached, 0.0) for d in out] if self._detached else out

    def correlation_inverse(self, rho: np.ndarray) -> Matrix | None:
        return None if self._detached else super().correlation_inverse(rho)  # type: ignore[misc]

    def correlation_inverse_derivatives(self, rho: np.ndarray) -> list[Matrix] | None:
        if self._detached:
            return None
        return super().correlation_inverse_derivatives(rho)  # type: ignore[misc]

    def correlation_logdet(self, rho: np.ndarray) -> float | None:
        return None if self._detached else super().correlation_logdet(rho)  # type: ignore[misc]

    def known_pd(self, theta: np.ndarray) -> bool:
        return False if self._detached else super().known_pd(theta)  # type: ignore[misc]

    def pd_geometry(self, theta: np.ndarray) -> PDGeometry | None:
        """The family's, except on a detached face (its detached pairs have no basis
        matrix: bounds and validity only there)."""
        return None if self._detached else super().pd_geometry(theta)  # type: ignore[misc]


def _detach(m: np.ndarray, levels: tuple[int, ...], diag: float) -> np.ndarray:
    """``m`` with the rows and columns of ``levels`` zeroed, their diagonal ``diag``."""
    out = np.array(to_dense(m), dtype=float, copy=True)
    ix = list(levels)
    out[ix, :] = 0.0
    out[:, ix] = 0.0
    out[ix, ix] = diag
    return out


def _positive(v: np.ndarray) -> None:
    if np.any(~np.isfinite(v)) or np.any(v <= 0):
        raise np.linalg.LinAlgError("a variance is not positive: Σ is singular")


def correlation_syntax(family: str, words: str, math: str, definition: str = "",
                       **kw: object) -> StructureSyntax:
    """The syntax of a correlation family (``family``: its name in words, e.g.
    'first-order autoregressive'); see :func:`register_correlation` for the variants."""
    return StructureSyntax(f"{family} correlation", words=words, math=math,
                           definition=definition, **kw)  # type: ignore[arg-type]


def _variant_syntax(s: StructureSyntax, var: str) -> StructureSyntax:
    """'v': σ² C; 'h': D^½ C D^½ with D = diag(σ²_1..σ²_n)."""
    fam = s.doc.removesuffix(" correlation")
    if var == "v":
        return replace(s, doc=f"{fam}, times one variance", words=f"{s.words}, times one variance",
                       math=f"σ² {s.math}")
    d = (s.definition + "; " if s.definition else "") + "D = diag(σ²_1..σ²_n)"
    return replace(s, doc=f"{fam}, heterogeneous variances",
                   words=f"{s.words}, with one variance per level",
                   math=f"D^½ {s.math} D^½", definition=d)


def register_correlation(cls: type, base: str, *aliases: str,
                         syntax: StructureSyntax | None = None) -> None:
    """Register ``cls`` as ``base`` and generated 'v' / 'h' variants as ``base+'v'`` and
    ``base+'h'`` (``aliases`` are extra names for the base structure), each with its syntax
    (the variants' derived from ``syntax``)."""
    syntax = syntax or getattr(cls, "syntax", StructureSyntax())
    register(base, *aliases, syntax=syntax)(cls)
    v = type(cls.__name__ + "V", (_VVariant, cls), {"__doc__": f"``{base}v``: σ² × "
                                                                 f"{cls.__name__}."})
    h = type(cls.__name__ + "H", (_HVariant, cls), {"__doc__": f"``{base}h``: D C D with "
                                                                 f"C from {cls.__name__}."})
    v.names = ()
    h.names = ()
    register(base + "v", syntax=_variant_syntax(syntax, "v"))(v)
    register(base + "h", syntax=_variant_syntax(syntax, "h"))(h)


def _order(options: dict, default: int, what: str, n: int, maximum: int | None = None) -> int:
    k = options.get("order", default)
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
        raise ModelError(f"{what}: the order must be a positive integer, got {k!r}")
    if maximum is not None and k > maximum:
        raise ModelError(f"{what}: order {k} is too large for a factor with {n} levels",
                         hint=f"use an order of at most {maximum}")
    return int(k)


class CompoundSymmetry(CorrelationStructure):
    """``cor``: C = (1 - ρ) I + ρ J (every pair of levels correlated ρ); one parameter
    ``{name}!cor``; positive definite for -1/(n-1) < ρ < 1."""

    level_coupled = True

    def corr_names(self) -> list[str]:
        return [label(self.name, "cor", "!")]

    def corr_lower(self) -> np.ndarray:
        """−1/(m − 1) over the m coupled levels (m <= 2: −1): C's positive-definite limit,
        an estimation bound held like ±1 ('B') rather than a wall met by step halving."""
        m = self.n - len(self._detached)
        return np.array([-1.0 / (m - 1) if m > 2 else -1.0])

    def correlation(self, rho: np.ndarray) -> np.ndarray:
        r = float(rho[0])
        return (1.0 - r) * np.eye(self.n) + r * np.ones((self.n, self.n))

    def correlation_derivatives(self, rho: np.ndarray) -> list[np.ndarray]:
        return [np.ones((self.n, self.n)) - np.eye(self.n)]


class GeneralCorrelation(CorrelationStructure):
    """``corg``: one correlation per pair (i > j), lower triangle row by row: (2,1), (3,1),
    (3,2), ...; names ``{name}_{level_i}:{level_j}!cor``; valid when C is positive definite."""

    def _pairs(self) -> list[tuple[int, int]]:
        return [(i, j) for i in range(self.n) for j in range(i)]

    def pd_geometry(self, theta: np.ndarray) -> PDGeometry:
        """C(ρ) = I + Σ_k ρ_k E_k over the correlations (first in θ, also for corgv/corgh)."""
        nc = len(self.corr_names())
        rho = np.asarray(theta, dtype=float)[:nc]
        return PDGeometry("correlation", nc, np.array(self.correlation_derivatives(rho),
                                                      dtype=float))

    def corr_names(self) -> list[str]:
        lv = self.levels
        return [label(self.name, f"{lv[i]}:{lv[j]}!cor") for i, j in self._pairs()]

    def correlation(self, rho: np.ndarray) -> np.ndarray:
        c = np.eye(self.n)
        for r, (i, j) in zip(rho, self._pairs()):
            c[i, j] = c[j, i] = r
        return c

    def correlation_derivatives(self, rho: np.ndarray) -> list[np.ndarray]:
        out = []
        for i, j in self._pairs():
            d = np.zeros((self.n, self.n))
            d[i, j] = d[j, i] = 1.0
            out.append(d)
        return out


class BandedCorrelation(CorrelationStructure):
    """``corb`` (option ``order`` = k, default 1): banded Toeplitz C_ij = ρ_|i-j| for
    1 <= |i-j| <= k, 0 beyond; names ``{name}!cor1`` ... ``{name}!cor{k}``."""

    level_coupled = True

    def __init__(self, levels: Sequence[str], *, name: str = "", **options: object) -> None:
        super().__init__(levels, name=name, **options)
        self.order = _order(self.options, 1, f"corb({name})", self.n, max(self.n - 1, 1))
        lag = np.arange(self.n)
        self._lag = np.abs(lag[:, None] - lag[None, :])

    def corr_names(self) -> list[str]:
        return [label(self.name, f"cor{j}", "!") for j in range(1, self.order + 1)]

    def correlation(self, rho: np.ndarray) -> np.ndarray:
        vals = np.concatenate([[1.0], rho, np.zeros(max(self.n - 1 - self.order, 0))])
        return vals[self._lag]

    def correlation_derivatives(self, rho: np.ndarray) -> list[np.ndarray]:
        return [(self._lag == j).astype(float) for j in range(1, self.order + 1)]


register_correlation(CompoundSymmetry, "cor", syntax=correlation_syntax(
    "uniform", "uniform correlation (compound symmetry)", "CS(ρ)", "C_ii = 1, C_ij = ρ"))
register_correlation(GeneralCorrelation, "corg", syntax=correlation_syntax(
    "general", "general correlation: one correlation per pair", "CORG(ρ_ij)", "C_ij = ρ_ij"))
register_correlation(BandedCorrelation, "corb", syntax=correlation_syntax(
    "banded", "banded correlation: one correlation per lag", "CORB(ρ_1..)", "C_ij = ρ_|i-j|",
    max_args=2, named=("b", "k", "init"), order=True, order_names=("b", "k")))
