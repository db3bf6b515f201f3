"""Folds of a parametrisation: faces θ_i = θ_j where the information is singular (sar2).

A template may declare a fold (:meth:`~asr_py.vcov.base.CovTemplate.fold_faces`): on the
face θ_i = θ_j, ∂Σ/∂θ_j is a multiple of ∂Σ/∂θ_i, and along the face's ``normal`` n Σ
changes only at second order. sar2's (γ_1, γ_2) → φ = (γ_1 + 2γ_2, −γ_2(2γ_1 + γ_2),
γ_1γ_2²) (the AR(3) polynomial (1 − γ_1B)(1 − γ_2B)²) is one: at γ_1 = γ_2 = g,
∂φ/∂γ_2 = 2 ∂φ/∂γ_1 = 2(1, −2g, g²), so in the linear coordinates γ_1 = g − 2u,
γ_2 = g + u (n = (−2, 1)) φ = (3g, −3g² + 3u², g³ − 3gu² − 2u³): ∂Σ/∂u = 0 on the face, and
for every likelihood ∂ℓ/∂u = 0 there, ℓ = ℓ_0(g) + b(g)u² + O(u³) (b = 3 ∇_φℓ·(0, 1, −g)
depends on the data), and the cross derivatives ∂²ℓ/∂u∂x vanish on the face. So the face
is a ridge wherever b < 0 (an open set of data sets: REML optima lie on it, not
exceptionally), and on it the expected information (the AI matrix) has a zero eigenvalue
along n (it is O(u²) near it) while the score there is O(u): AI steps in u are unusable,
and the iteration crawls by EM along γ_1 ≈ γ_2 without converging (smallgrains-uiuc's
"single trial analysis 2023.R", trial 5 grain yield ``sar2(colNumber):sar2(rowNumber)``:
γ̂ 0.309/0.308 and 0.123/0.123, unconverged at 30 iterations).

:func:`near_folds` lists, after a fit, each declared fold whose |θ_i − θ_j| ended within
:data:`FOLD_NEAR`; :func:`face_problem` ties all of them at once (θ_j held, 'F'; the start
is the fit's estimate projected onto the face along n). The caller
(:func:`asr_py.reml.ai._fold_faces`) fits the face, where the information of the one
parameter g is regular, and keeps it when it converged, its ℓ is not below the first fit's,
and it is a maximum over the whole parameter set: ℓ of the *original* problem at
θ̂ ± h·n no higher than at θ̂ (:func:`off_face`; first derivatives along n are zero, so this
reads the sign of b). Where ℓ rises off the face, the whole problem is refitted from that
side. The kept fit reports θ_j = θ_i, coded 'B' (held on the fold; its standard error is
θ_i's: on the face they are one parameter g, whose variance comes from the face's
information), and a note. Where ℓ rises off the fold on both sides (b > 0) a maximum can lie
on each side, and a fit started on the fold (sar2's default start) goes to one of them:
:func:`mirror_starts` gives, for each fold a fit ended away from, its estimate reflected
across the fold (u → −u), from which the caller fits again (the folds the fit is held on
stay tied) and keeps the better.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from asr_py.reml.params import ParamMap
from asr_py.reml.problem import MixedProblem
from asr_py.reml.result import RemlResult
from asr_py.vcov.base import CovTemplate

#: a fold is tried when the fit ended with |θ_i − θ_j| at most this (sar2's γ are in (−1, 1))
FOLD_NEAR = 0.02
#: the step h along the normal n of the off-face check (halved while θ̂ ± h·n is invalid)
CHECK_STEP = 1e-2
#: a fit from a reflected start replaces the fit when its ℓ is higher by this much (another
#: optimum, not the round-off of the same one: :data:`asr_py.reml.bound_revisit.MIN_GAIN`)
MIRROR_GAIN = 1e-3


class Refit(Protocol):
    """The caller's refit: ``problem`` from ``theta0`` under ``constraints``, abandoned early
    (None) once it cannot end above ``target`` (no target: never); None when it cannot be
    made."""

    def __call__(self, problem: MixedProblem, theta0: np.ndarray, constraints: list[str],
                 target: float | None) -> RemlResult | None: ...


LoglikOf = Callable[[np.ndarray], float | None]


@dataclass(frozen=True)
class Fold:
    """A fold of the problem: θ indices ``i``, ``j`` (θ_j held on the face), ``normal`` over
    all θ, ``block`` (random block index; −1 the residual), ``label`` for notes."""

    i: int
    j: int
    normal: np.ndarray
    block: int
    label: str
    why: str = ""


@dataclass(frozen=True)
class FoldProblem:
    """The problem with ``folds`` tied (θ0: the first fit projected onto the faces)."""

    problem: MixedProblem
    folds: tuple[Fold, ...]


def _templates(problem: MixedProblem) -> list[tuple[CovTemplate, int, int]]:
    """(template, θ offset, block index; −1 the residual) of every random block and R."""
    out = [(b.template, b.offset, i) for i, b in enumerate(problem.random)]
    return [*out, (problem.residual, problem.residual_offset, -1)]


def near_folds(problem: MixedProblem, res: RemlResult) -> list[Fold]:
    """The declared folds whose two parameters (neither fixed) ended within FOLD_NEAR."""
    theta = np.asarray(res.theta, dtype=float)
    cons = [str(c).upper() for c in problem.constraints]
    out = []
    for tmpl, off, blk in _templates(problem):
        for f in tmpl.fold_faces():
            i, j = off + f.i, off + f.j
            if "F" in (cons[i], cons[j]) or not abs(theta[i] - theta[j]) <= FOLD_NEAR:
                continue
            normal = np.zeros(theta.size)
            normal[off:off + tmpl.n_params] = f.normal
            out.append(Fold(i, j, normal, blk,
                            f"{problem.names[i]!r} = {problem.names[j]!r}", f.why))
    return out


def _tied(tmpl: CovTemplate, pairs: list[tuple[int, int]]) -> CovTemplate | None:
    """``tmpl`` with the folds (i, j) (its own θ layout) tied one after the other."""
    for p in pairs:
        face = next((f.template for f in tmpl.fold_faces() if (f.i, f.j) == p), None)
        if face is None:
            return None
        tmpl = face
    return tmpl


def _param_map(pm: ParamMap | None, faces: dict[int, tuple[int, CovTemplate]]
               ) -> ParamMap | None:
    """``pm`` with the leaves of the tied templates (θ offset, face template) in its spans."""
    if pm is None:
        return None
    leaf_at = {loff: leaf for off, face in faces.values() for leaf, loff in face.leaves(off)}
    spans = [replace(s, template=leaf_at[s.start])
             if s.start in leaf_at and leaf_at[s.start].n_params == s.template.n_params else s
             for s in pm.structures]
    return ParamMap(list(pm.rows), spans)


def project(theta: np.ndarray, fold: Fold) -> np.ndarray:
    """θ moved along the fold's normal onto its face (θ_i = θ_j)."""
    th = np.asarray(theta, dtype=float).copy()
    n = fold.normal
    t = (th[fold.i] - th[fold.j]) / (n[fold.i] - n[fold.j])
    th -= t * n
    th[fold.j] = th[fold.i]
    return th


def face_problem(problem: MixedProblem, theta: np.ndarray, folds: list[Fold]
                 ) -> FoldProblem | None:
    """The problem on the faces of ``folds`` (all tied) started from ``theta`` projected
    onto them, or None when a template cannot tie them or the start is not valid."""
    theta = np.asarray(theta, dtype=float)
    for f in folds:
        theta = project(theta, f)
    cons = list(problem.constraints)
    faces: dict[int, tuple[int, CovTemplate]] = {}
    for tmpl, off, blk in _templates(problem):
        pairs = [(f.i - off, f.j - off) for f in folds if f.block == blk]
        if not pairs:
            continue
        face = _tied(tmpl, pairs)
        if face is None or not face.is_valid(theta[off:off + tmpl.n_params]):
            return None
        faces[blk] = (off, face)
    for f in folds:
        cons[f.j] = "F"
    random = list(problem.random)
    for blk, (_, face) in faces.items():
        if blk >= 0:
            random[blk] = replace(random[blk], template=face)
    residual = faces[-1][1] if -1 in faces else problem.residual
    fp = replace(problem, random=random, residual=residual, theta0=theta, constraints=cons,
                 param_map=_param_map(problem.param_map, faces))
    return FoldProblem(fp, tuple(folds))


def off_face(problem: MixedProblem, theta: np.ndarray, folds: tuple[Fold, ...],
             loglik_of: Callable[[np.ndarray], float | None]
             ) -> list[tuple[Fold, np.ndarray, float]]:
    """(fold, θ̂ + s·h·n, ℓ there) for each fold where ℓ of the original ``problem`` rises
    off the face: the side s = ±1 with the higher ℓ, h = CHECK_STEP (halved while θ̂ ± h·n
    is invalid). [] when the faces' optimum ``theta`` is a maximum over the whole set along
    every normal."""
    theta = np.asarray(theta, dtype=float)
    base = loglik_of(theta)
    if base is None:
        return []
    out = []
    for f in folds:
        h = CHECK_STEP
        while h > CHECK_STEP / 64 and not all(
                _valid(problem, theta + s * h * f.normal) for s in (1.0, -1.0)):
            h /= 2
        best: tuple[np.ndarray, float] | None = None
        for s in (1.0, -1.0):
            th = theta + s * h * f.normal
            ll = loglik_of(th) if _valid(problem, th) else None
            if ll is not None and ll > base and (best is None or ll > best[1]):
                best = (th, ll)
        if best is not None:
            out.append((f, *best))
    return out


def mirror_starts(problem: MixedProblem, res: RemlResult) -> list[tuple[np.ndarray, Fold]]:
    """(start, fold) for each declared fold the fit ended away from (|θ_i − θ_j| above
    FOLD_NEAR): its estimate reflected across the fold along n (u → −u, the other
    coordinates kept), when valid. Where ℓ rises off the fold on both sides (∂ℓ/∂u = 0 on
    it, ∂²ℓ/∂u² > 0: a saddle) there can be a maximum on each side, and a fit started on
    the fold (sar2's default start (0.1, 0.1) is on it) goes to one of them."""
    theta = np.asarray(res.theta, dtype=float)
    cons = [str(c).upper() for c in problem.constraints]
    out = []
    for tmpl, off, blk in _templates(problem):
        for f in tmpl.fold_faces():
            i, j = off + f.i, off + f.j
            if "F" in (cons[i], cons[j]) or abs(theta[i] - theta[j]) <= FOLD_NEAR:
                continue
            normal = np.zeros(theta.size)
            normal[off:off + tmpl.n_params] = f.normal
            fold = Fold(i, j, normal, blk, f"{problem.names[i]!r} = {problem.names[j]!r}",
                        f.why)
            t = (theta[i] - theta[j]) / (normal[i] - normal[j])
            start = theta - 2.0 * t * normal
            if _valid(problem, start):
                out.append((start, fold))
    return out


def _valid(problem: MixedProblem, theta: np.ndarray) -> bool:
    return all(t.is_valid(theta[off:off + t.n_params]) for t, off, _ in _templates(problem))


def as_fold(folds: tuple[Fold, ...], r: RemlResult, first: RemlResult) -> RemlResult:
    """The face fit ``r`` reported in the original problem's codes: θ_j = θ_i, coded 'B'
    (held on the fold), with θ_i's row of Var(θ̂) (on the face they are one parameter); it
    continues ``first`` (n_iter the total, history the first's then its own, method
    'fold-...')."""
    r.theta = np.asarray(r.theta, dtype=float).copy()
    v = np.array(r.vcov_theta, dtype=float, copy=True)
    for f in folds:
        r.theta[f.j] = r.theta[f.i]
        r.constraints[f.j] = "B"
        r.boundary[f.j] = True
        v[f.j, :] = v[f.i, :]
        v[:, f.j] = v[:, f.i]
    r.vcov_theta = v
    own = []
    n1 = int(first.n_iter)
    for h in r.history[1:]:  # the held θ_j was the start's projection: on the face it is θ_i
        th = np.asarray(h["theta"], dtype=float).copy()
        for f in folds:
            th[f.j] = th[f.i]
        own.append({**h, "theta": th, "iteration": int(h.get("iteration", 0)) + n1,
                    "method": f"fold-{h.get('method', '')}"})
    r.history = [*first.history, *own]
    r.n_iter = n1 + int(r.n_iter)
    return r


def note(folds: tuple[Fold, ...], gain: float) -> str:
    """The diagnostic of the kept fold fit."""
    names = ", ".join(f.label for f in folds)
    whys = "; ".join(dict.fromkeys(f.why for f in folds if f.why))
    return (f"{names} at the optimum{': ' + whys if whys else ''}: a fold of the "
            f"parametrisation where the information of their difference is zero (steps cannot "
            f"converge on it); fitted on the fold with one parameter, a maximum over the whole "
            f"set, log-likelihood {gain:+.3g} from the fit before (kept; the second coded 'B', "
            f"its standard error the first's)")


def _on_faces(problem: MixedProblem, first: RemlResult, theta: np.ndarray,
              tied: list[Fold], target: float, refit: Refit, loglik_of: LoglikOf
              ) -> tuple[RemlResult | None, list[tuple[Fold, np.ndarray, float]]]:
    """(the fit from ``theta`` with ``tied`` on their faces, reported in the problem's codes,
    or None; where ℓ rises off them, :func:`off_face`'s list, the fit then None). With
    nothing tied, the problem's own fit. Kept only when converged and not below
    ``target``."""
    fp = face_problem(problem, theta, tied) if tied else None
    if tied and fp is None:
        return None, []
    sub = problem if fp is None else fp.problem
    start = np.asarray(sub.theta0 if fp is not None else theta, dtype=float)
    f = refit(sub, start, list(sub.constraints), target)
    if f is None or not f.converged or f.loglik < target:
        return None, []
    if fp is None:
        return f, []
    rises = off_face(problem, np.asarray(f.theta, dtype=float), fp.folds, loglik_of)
    if rises:
        return None, rises
    gain = f.loglik - first.loglik
    f = as_fold(fp.folds, f, first)
    f.diagnostics.insert(0, note(fp.folds, gain))
    return f, []


def tie(problem: MixedProblem, res: RemlResult, refit: Refit, loglik_of: LoglikOf,
        tol: float) -> RemlResult:
    """``res``, or the fit on the folds it ended near (:func:`near_folds`, all tied; not
    those ``res`` is already held on, 'B') when
    that converged, is not lower by more than ``tol`` and ℓ does not rise off the faces;
    where ℓ rises, the whole problem refitted from the higher side, kept when converged
    and higher by more than ``tol``."""
    folds = [f for f in near_folds(problem, res)  # s29conv: not those it is held on
             if not (res.constraints[f.j] == "B" and res.theta[f.i] == res.theta[f.j])]
    if not folds:
        return res
    f, rises = _on_faces(problem, res, np.asarray(res.theta, dtype=float), folds,
                         res.loglik - tol, refit, loglik_of)
    if f is not None:
        return f
    if not rises:
        return res
    free = refit(problem, max(rises, key=lambda r: r[2])[1], list(problem.constraints), None)
    if free is None or not free.converged or free.loglik <= res.loglik + tol:
        return res
    return free


def mirror(problem: MixedProblem, res: RemlResult, refit: Refit,
           loglik_of: LoglikOf) -> RemlResult:
    """``res``, or the best fit from its estimate reflected across a fold it ended away from
    (:func:`mirror_starts`; the folds ``res`` is held on stay tied), when that converged
    and is higher by more than MIRROR_GAIN."""
    if not res.converged:
        return res
    tied = [f for f in near_folds(problem, res)  # the folds the fit is held on
            if res.constraints[f.j] == "B" and res.theta[f.i] == res.theta[f.j]]
    best, fold = None, None
    for start, f in mirror_starts(problem, res):
        target = res.loglik + MIRROR_GAIN if best is None else best.loglik
        second, _ = _on_faces(problem, res, start, tied, target, refit, loglik_of)
        if second is not None and (best is None or second.loglik > best.loglik):
            best, fold = second, f
    if best is None or fold is None:
        return res
    best.diagnostics.insert(0, (
        f"{fold.label.replace(' = ', ' and ')}: a second fit started from the estimate "
        f"reflected across their fold (equal values) reached a log-likelihood "
        f"{best.loglik - res.loglik:.3g} higher (kept)"))
    return best


__all__ = ["CHECK_STEP", "FOLD_NEAR", "MIRROR_GAIN", "Fold", "FoldProblem", "Refit",
           "as_fold", "face_problem", "mirror", "mirror_starts", "near_folds", "note",
           "off_face", "project", "tie"]
