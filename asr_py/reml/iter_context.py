"""Per-parameter constants of one AI-REML fit: kinds, bounds, the held boundary value and the
scale-free per-parameter scales (issue 11), validity of θ."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from asr_py.reml.held_floor import HELD_REL, structural_floors
from asr_py.reml.indefinite import signed_templates, unconstrained_variances  # issue 11 'U'
from asr_py.reml.pd_blocks import PDBlock, pd_blocks
from asr_py.reml.problem import MixedProblem
from asr_py.reml.tuning import (
    BOUNDARY_REL,
    CHANGE_FLOOR,
    PD_MAX_FLOOR,
    RESCALE_HELD,
    RESID_HELD_REL,
    SHRINK,
    TINY_INFO,
)


def residual_variances(problem: MixedProblem, kinds: list[str], cons: list[str]) -> np.ndarray:
    """The bounded ('P', 'B') variances of the residual structure: at zero R is singular and
    the mixed model equations (R⁻¹ in C) lose the digits of ℓ (PSA.27's units +
    ar1(Lane):ar1(Position): held at 1e-12 x its scale, ℓ came out 0.6 too high and the line
    search took steps that lowered the true ℓ); such a variance is held at RESID_HELD_REL x
    its scale instead. So without random terms too (V = R): a section of dsum(~ ar1(r):ar1(c)
    | Rep) whose records the fixed effects fit exactly reached 6e-14 x its scale, where ℓ
    (a dense V as well) came out 120 too high (tests/vcov/test_small_fit_paths.py)."""
    out = np.zeros(len(kinds), dtype=bool)
    s = problem.slices()[-1]
    for k in range(s.start, s.stop):
        out[k] = kinds[k] == "variance" and cons[k] in ("P", "B")
    return out


class IterContext:
    """Per-parameter constants of a problem: kinds, bounds, boundary value, scales, and the
    covariance matrices whose positive-definite boundary is handled."""

    def __init__(self, problem: MixedProblem, soft_corr_bounds: bool = False,
                 held_rel: float = HELD_REL) -> None:
        pm = problem.param_map
        assert pm is not None
        kinds = pm.kinds
        self.templates = [b.template for b in problem.random] + [problem.residual]
        self.slices = problem.slices()
        self.kinds = kinds
        self.lower = pm.lower
        self.upper = pm.upper
        self.cons = [c.upper() for c in problem.constraints]
        self.pmask = np.array([c == "P" for c in self.cons], dtype=bool)
        self.vc = np.array([k in ("variance", "covariance") for k in kinds], dtype=bool)
        th0 = np.abs(np.asarray(problem.theta0, dtype=float))
        self.scale = np.where(self.vc & (th0 > 0), th0, 1.0)
        # values at which variances creeping to zero were put on their bound (zero_snap.py)
        self.snap_floor = np.zeros(th0.size)
        self.held_rel = held_rel  # the structural floors' HELD_REL (reml/floor_polish.py)
        self.neg_tries = np.zeros(th0.size, dtype=int)  # iterations in a row (zero_snap.py)
        self._seen_se = False
        self.resid_var = residual_variances(problem, kinds, self.cons)
        self._set(self.scale)
        self.pd = pd_blocks(problem, self.cons)
        # s30face: ℓ(θ) (None where it fails) and its rounding noise, for the face steps'
        # check of their gradient (reml/face_fd.py); set by the iteration that owns the MME
        self.loglik_of: Callable[[np.ndarray], float | None] | None = None
        self.loglik_noise = 0.0
        # ... the point a face step collapsed to M ≈ 0 and (the faces' θ indices, their
        # values before): face_fd.zero_confirmed
        self.collapsed: tuple[np.ndarray, tuple[np.ndarray, np.ndarray]] | None = None
        # issue 11 'U': a 'U' variance may go below zero while V stays PD (reml/indefinite.py):
        # its term's validity is Σ nonsingular (V PD is tested on C), no PD-boundary handling
        self.templates = signed_templates(problem, self.templates)
        unc = set(unconstrained_variances(problem).tolist())
        self.pd = [b for b in self.pd if not unc.intersection(b.idx.tolist())]
        self.leaves = [(sp.template, sp.start) for sp in pm.structures]  # issue 11 (2c)
        # bounded variances of templates with free correlations, when their approach to the
        # bound is to be gradual (reml/ai_step.py line_search; reml/corr_escape.py)
        self.corr_var = np.zeros(len(kinds), dtype=bool)
        for t, off in self.leaves if soft_corr_bounds else []:
            ix = range(off, off + t.n_params)
            if any(kinds[k] == "correlation" and self.cons[k] != "F" for k in ix):
                for k in ix:
                    self.corr_var[k] = kinds[k] == "variance" and self.cons[k] in ("P", "B")

    def _set(self, c: np.ndarray) -> None:
        self.scale = c
        rel = np.where(self.resid_var, RESID_HELD_REL, BOUNDARY_REL)
        self.bval = np.maximum(rel * c, self.snap_floor)
        self.cfloor = np.where(self.vc, CHANGE_FLOOR * c, 1e-4)

    def update_scales(self, ai_diag: np.ndarray, theta: np.ndarray) -> None:
        """Per-parameter scale c_k of the variances and covariances: the smallest conditional
        standard error 1/sqrt(AI_kk) seen so far in the iteration (the start value until one
        is known). A standard error changes with the units of the trait(s) the parameter
        belongs to exactly as the parameter does (c²; c₁c₂ for a covariance) and, unlike the
        start value, is set by the data; so the held boundary value ``BOUNDARY_REL x c_k``
        and the change floor ``CHANGE_FLOOR x c_k`` make a fit invariant to the units of each
        trait. A parameter at its boundary value keeps its scale (it stays held) unless its
        standard error falls below ``RESCALE_HELD`` x that scale."""
        a = np.asarray(ai_diag, dtype=float)
        # AI_kk x θ_k² is the (unit-free) information on log θ_k; at round-off level (a
        # term whose BLUPs are exactly zero: Z'Py = 0, so AI_kk = y'PZZ'PZZ'Py/2 = 0) it is
        # no standard error, and 1/sqrt(AI_kk) ~ 1e31 would put the held boundary value far
        # above θ_k (the variance then stays at its start value, coded 'B')
        # measured against the model's largest variance too: a variance carried in at (near)
        # its boundary (update() after a 'B' fit: θ_k = 4e-9 beside variances of 5e4) has a
        # real standard error but AI_kk·θ_k² ~ 1e-25; taking θ_k as its scale would hold it
        # at 1e-12·θ_k and measure its changes against 1e-4·θ_k, so the fit cycles between
        # the boundary and ~1e-5 without converging (asremlPlus test3Selection's Wheat)
        th = np.abs(np.asarray(theta, dtype=float))
        ref = float(np.max(th[self.vc])) if self.vc.any() else 0.0
        mag = np.maximum(np.maximum(th, self.scale), ref)
        with np.errstate(over="ignore", invalid="ignore"):
            ok = self.vc & np.isfinite(a) & (a > 0) & (a * mag * mag > TINY_INFO)
        if not ok.any():
            return
        se = np.full(a.size, np.inf)
        se[ok] = 1.0 / np.sqrt(a[ok])
        c = np.minimum(self.scale, se) if self._seen_se else np.where(ok, se, self.scale)
        # a held parameter keeps its scale (it stays held) unless its standard error is now
        # far below it: a scale set where the data said next to nothing about θ_k (the first
        # iteration of a poor start: test41Orange.r's dev(x), AI_kk = 8e-26, held at 3.4
        # where ℓ rises by 0.37 to its zero) is no boundary value; re-scaled, θ_k is free
        # again and the next step puts it on the new, lower boundary value
        keep = self.at_bound(theta) & ~(se < RESCALE_HELD * self.scale)
        c = np.where(keep, self.scale, c)
        self._seen_se = True
        self._set(np.where(np.isfinite(c) & (c > 0), c, self.scale))
        # issue 11 (2c): a variance whose zero makes its matrix singular is held where the
        # log-likelihood is still evaluated accurately (reml/held_floor.py)
        self.bval = np.maximum(np.maximum(self.bval, structural_floors(
            self.leaves, self.kinds, self.pmask, theta, self.held_rel)), self.snap_floor)

    def valid(self, theta: np.ndarray) -> bool:
        """θ within bounds for 'P'/'B' parameters and every template valid (PD)."""
        for k, c in enumerate(self.cons):
            if c == "P" and theta[k] < 0:
                return False
            if c == "B" and not (self.lower[k] <= theta[k] <= self.upper[k]):
                return False
            # a non-variance parameter whose template limits estimation more tightly than
            # its validity (ASReml's !ARLIMIT) stays within the estimation bounds
            if (c != "F" and self.kinds[k] != "variance"
                    and not (self.lower[k] <= theta[k] <= self.upper[k])):
                return False
        for t, s in zip(self.templates, self.slices):
            if not t.is_valid(theta[s]):
                return False
        return True

    def rel_change(self, old: np.ndarray, new: np.ndarray) -> float:
        """max_k |new_k − old_k| / max(|old_k|, floor_k), floor_k = CHANGE_FLOOR x c_k."""
        if old.size == 0:
            return 0.0
        return float(np.max(np.abs(new - old) / np.maximum(np.abs(old), self.cfloor)))

    @staticmethod
    def confirms(ll_old: float, ll_new: float, old: np.ndarray, new: np.ndarray,
                 tol_ll: float, tol_param: float) -> bool:
        """s16fact (issue 16): a step that confirms the iterate ``old``: |ℓ_new − ℓ_old| <=
        tol_ll and max_k |new_k − old_k| / |old_k| <= tol_param (no floor, so at least as
        strict as :meth:`rel_change`; a parameter at exactly 0 must not move)."""
        if not abs(ll_new - ll_old) <= tol_ll:
            return False
        d = np.abs(new - old)
        a = np.abs(old)
        if np.any((a == 0) & (d > 0)):
            return False
        return bool(np.all(d[a > 0] <= tol_param * a[a > 0]))

    def at_bound(self, theta: np.ndarray) -> np.ndarray:
        """'P' parameters at (or below) their boundary value, and (e11bound) any other
        bounded parameter on the value it is held at on a bound (reml/bounds.py)."""
        from asr_py.reml.bounds import at_lower, at_upper, held_values

        lo, hi = held_values(self, theta)
        return (self.pmask & (theta <= self.bval * (1 + 1e-9))) | at_lower(theta, lo) | \
            at_upper(theta, hi)

    def pd_floors(self, theta: np.ndarray, held: list[PDBlock]) -> list[float]:
        """Per PD block, the smallest correlation-scale eigenvalue a step may leave: the
        block's floor if held on the boundary, else max(floor, SHRINK x current)."""
        out = []
        for b in self.pd:
            se = b.scaled_eig(b.matrix(theta))
            if se is None:
                out.append(0.0)
                continue
            f = b.floor(se[2])
            if f > PD_MAX_FLOOR:
                out.append(0.0)
                continue
            out.append(f if any(b is h for h in held) else max(f, SHRINK * float(se[0][0])))
        return out
