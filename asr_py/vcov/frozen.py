"""A template whose parameters are all fixed ('F'): a known covariance Σ(θ_F).

Two-stage analyses pass stage-1 error (co)variances as fixed parameters (asreml-3
``R.param``/``G.param`` with constraint 'F', ``init = c(F = ...)``), often thousands of them.
Such a structure is a constant matrix: :class:`Frozen` answers Σ, Σ⁻¹ and log|Σ| at the fixed
θ_F (each computed once) and has no parameters, so the engine forms no derivative, score
entry or AI row for it (:mod:`asr_py.reml.fixed_hold`). :class:`PartlyFrozen` holds some of a
template's parameters at their values and exposes the free ones only.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from asr_py.vcov.base import CovTemplate, Matrix, PDGeometry
from asr_py.vcov.composite import DirectSum
from asr_py.vcov.known import FixedMatrix


class Frozen(FixedMatrix):
    """Σ = ``template``(θ_F) for the fixed ``theta``: no parameters; Σ, Σ⁻¹ and log|Σ| are
    the template's at θ_F, formed on first use and kept."""

    def __init__(self, template: CovTemplate, theta: np.ndarray) -> None:
        th = np.array(theta, dtype=float, copy=True).ravel()
        if th.size != template.n_params:
            raise ValueError(f"Frozen: {th.size} values for a template with "
                             f"{template.n_params} parameters")
        self.template = template
        self.theta = th
        self.n = int(template.n)
        self.block_size = template.block_size
        self.name = getattr(template, "name", "")
        self._kept: dict[str, object] = {}

    def _once(self, key: str, fn: str) -> object:
        if key not in self._kept:
            self._kept[key] = getattr(self.template, fn)(self.theta)
        return self._kept[key]

    def matrix(self, theta: np.ndarray | None = None) -> Matrix:
        return self._once("matrix", "matrix")  # type: ignore[return-value]

    def inverse(self, theta: np.ndarray | None = None) -> Matrix:
        """Σ(θ_F)⁻¹ (raises LinAlgError, every time, if Σ(θ_F) is not positive definite)."""
        return self._once("inverse", "inverse")  # type: ignore[return-value]

    def logdet(self, theta: np.ndarray | None = None) -> float:
        return float(self._once("logdet", "logdet"))  # type: ignore[arg-type]

    def is_valid(self, theta: np.ndarray | None = None) -> bool:
        """The template is valid at θ_F (inside its bounds, Σ positive definite)."""
        return bool(self._once("valid", "is_valid"))

    def deriv_times(self, theta: np.ndarray, v: np.ndarray) -> np.ndarray:
        return np.zeros((self.n, 0))

    def inv_deriv_trace(self, theta: np.ndarray) -> np.ndarray:
        return np.zeros(0)

    def em_block(self, theta: np.ndarray) -> np.ndarray:
        return np.zeros((0, 0))

    def __repr__(self) -> str:
        return f"Frozen({self.template!r} at {self.theta.size} fixed values)"




class PartlyFrozen(CovTemplate):
    """``template`` with the parameters where ``fixed`` is True held at their values in
    ``theta``: its parameters are the free ones, Σ(θ_free) = template(θ_free ∪ θ_F); each
    derivative, trace and EM entry is the template's for a free parameter. Σ is affine in
    θ_free, not linear (:attr:`linear` False; the positive-definite geometry of free
    correlations only, :meth:`pd_geometry`)."""

    linear = False

    def __init__(self, template: CovTemplate, theta: np.ndarray, fixed: np.ndarray) -> None:
        th = np.array(theta, dtype=float, copy=True).ravel()
        fx = np.asarray(fixed, dtype=bool).ravel()
        if th.size != template.n_params or fx.size != th.size:
            raise ValueError(f"PartlyFrozen: {th.size} values and {fx.size} flags for a "
                             f"template with {template.n_params} parameters")
        self.template = template
        self.n = int(template.n)
        self.block_size = template.block_size
        self.has_variance = template.has_variance
        self.name = getattr(template, "name", "")
        self._full = th
        self._free = np.flatnonzero(~fx)

    def full(self, theta: np.ndarray) -> np.ndarray:
        """The template's θ: the fixed values with ``theta`` at the free positions."""
        out = self._full.copy()
        out[self._free] = np.asarray(theta, dtype=float).ravel()
        return out

    def _pick(self, items: list) -> list:
        return [items[k] for k in self._free]

    @property
    def param_names(self) -> list[str]:
        return self._pick(list(self.template.param_names))

    @property
    def param_kinds(self) -> list[str]:
        return self._pick(list(self.template.param_kinds))

    @property
    def n_params(self) -> int:
        return int(self._free.size)

    def matrix(self, theta: np.ndarray) -> Matrix:
        return self.template.matrix(self.full(theta))

    def inverse(self, theta: np.ndarray) -> Matrix:
        return self.template.inverse(self.full(theta))

    def logdet(self, theta: np.ndarray) -> float:
        return float(self.template.logdet(self.full(theta)))

    def derivatives(self, theta: np.ndarray) -> list[Matrix]:
        return self._pick(list(self.template.derivatives(self.full(theta))))

    def inv_deriv_inv(self, theta: np.ndarray) -> list[Matrix]:
        return self._pick(list(self.template.inv_deriv_inv(self.full(theta))))

    def inv_deriv_inv_parts(self, theta: np.ndarray) -> list:
        return self._pick(list(self.template.inv_deriv_inv_parts(self.full(theta))))

    def inv_deriv_inv_sections(self, theta: np.ndarray) -> list:
        return self._pick(list(self.template.inv_deriv_inv_sections(self.full(theta))))

    def deriv_times(self, theta: np.ndarray, v: np.ndarray) -> np.ndarray:
        return np.asarray(self.template.deriv_times(self.full(theta), v))[:, self._free]

    def inv_deriv_trace(self, theta: np.ndarray) -> np.ndarray:
        return np.asarray(self.template.inv_deriv_trace(self.full(theta)),
                          dtype=float)[self._free]

    def em_block(self, theta: np.ndarray) -> np.ndarray:
        blk = np.asarray(self.template.em_block(self.full(theta)), dtype=float)
        return blk[np.ix_(self._free, self._free)]

    def deriv_entries(self, theta: np.ndarray, rows: np.ndarray,
                      cols: np.ndarray) -> np.ndarray:
        return np.asarray(self.template.deriv_entries(self.full(theta), rows, cols))[self._free]

    def inverse_pattern(self, theta: np.ndarray) -> sp.csc_matrix:
        return self.template.inverse_pattern(self.full(theta))

    def lower(self) -> np.ndarray:
        return np.asarray(self.template.lower(), dtype=float)[self._free]

    def upper(self) -> np.ndarray:
        return np.asarray(self.template.upper(), dtype=float)[self._free]

    def within_bounds(self, theta: np.ndarray) -> bool:
        return self.template.within_bounds(self.full(theta))

    def is_valid(self, theta: np.ndarray) -> bool:
        return self.template.is_valid(self.full(theta))

    def initial(self, scale: float) -> np.ndarray:
        return np.asarray(self.template.initial(scale), dtype=float)[self._free]

    def fixed_mask(self) -> np.ndarray:
        return np.asarray(self.template.fixed_mask(), dtype=bool)[self._free]

    def linear_basis(self, theta: np.ndarray) -> np.ndarray | None:
        return None

    def pd_geometry(self, theta: np.ndarray) -> PDGeometry | None:
        """The template's geometry over its first k parameters when they are all free (the
        correlations of corg/corgv/corgh beside fixed variances: C(ρ) does not depend on
        the variances); None otherwise (Σ affine in θ_free, as the engine treats a
        covariance matrix with a fixed parameter)."""
        geo = self.template.pd_geometry(self.full(theta))
        if geo is None or geo.kind != "correlation" or self._free.size < geo.k:
            return None
        return geo if np.array_equal(self._free[:geo.k], np.arange(geo.k)) else None

    def __repr__(self) -> str:
        return (f"PartlyFrozen({self.template!r}, {self.n_params} free of "
                f"{self._full.size})")


#: a structure with some parameters fixed and some free keeps them all (the engine holds the
#: fixed ones) unless at least this many are fixed: then it is a
#: :class:`~asr_py.vcov.frozen.PartlyFrozen` over its free ones. A few fixed parameters cost
#: little, and the whole structure keeps its positive-definite-boundary handling (a
#: PartlyFrozen Σ is affine in its free parameters: no face geometry)
PARTLY_MIN_FIXED = 10


def _hold_parts(parts: Sequence[CovTemplate], theta: np.ndarray, fixed: np.ndarray,
                off: int, keep: np.ndarray) -> tuple[list[CovTemplate], bool]:
    """Each of ``parts`` (consecutive in θ from ``off``) held by its own hold_fixed; marks
    ``keep`` for their parameters; returns the parts and whether any changed."""
    out, changed = [], False
    for p in parts:
        sl = slice(off, off + p.n_params)
        q, k = p.hold_fixed(theta[sl], fixed[sl])
        out.append(q)
        keep[sl] = k
        changed |= q is not p
        off = sl.stop
    return out, changed


def hold(t: CovTemplate, theta: np.ndarray, fixed: np.ndarray
          ) -> tuple[CovTemplate, np.ndarray]:
    """(``t`` with its wholly fixed structures frozen, which of its parameters remain): all
    fixed: :class:`Frozen` (unless Σ is invalid there: the engine's start check reports it);
    a direct sum or a Kronecker product: its sections or parts held in turn; a structure with
    at least :data:`PARTLY_MIN_FIXED` fixed parameters and none of its own (fa/rr's
    structural zeros): :class:`PartlyFrozen`; otherwise ``t`` itself, every parameter kept."""
    keep = np.ones(t.n_params, dtype=bool)
    if not fixed.any() or t.n_params == 0:
        return t, keep
    if fixed.all():
        if not t.is_valid(theta):  # left to the engine's start-value check and message
            return t, keep
        return Frozen(t, theta), ~keep
    if type(t) is DirectSum:
        parts, changed = _hold_parts(t.templates, theta, fixed, 0, keep)
        return (DirectSum(parts, t.indices, t.n), keep) if changed else (t, keep)
    factors = t.kronecker_factors()
    if factors is not None:
        scale, parts_k = factors
        off = 1 if scale else 0
        if off + sum(p.n_params for p in parts_k) != t.n_params:  # pragma: no cover
            return t, keep
        new, changed = _hold_parts(parts_k, theta, fixed, off, keep)
        return (t.with_factors(new), keep) if changed else (t, keep)
    if (int(fixed.sum()) >= PARTLY_MIN_FIXED and not t.fixed_mask().any()
            and t.latent_identity() is None and t.is_valid(theta)):
        return PartlyFrozen(t, theta, fixed), ~fixed
    return t, keep


__all__ = ["PARTLY_MIN_FIXED", "Frozen", "PartlyFrozen", "hold"]
