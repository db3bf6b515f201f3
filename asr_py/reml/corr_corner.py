"""Faces where a variance of a level-coupled correlation structure is zero (corh corners).

In Σ = D C(ρ) D (corh, corbh: D = diag(σ_i); the family's ``level_coupled``) the
correlations are admissible while C(ρ) is positive definite: for corh over n levels
ρ > −1/(n − 1). With σ²_i = 0, level i's row and column of Σ vanish whatever C_ik is, and
Σ stays positive semi-definite for every ρ whose C over the *other* levels is: the closed
parameter set {σ² >= 0, Σ PSD} has a face σ²_i = 0 on which the correlations range further
(corh over 3 levels: ρ ∈ [−1, 1] there, against ρ > −½ inside). A simulated corh(env):gen
MET (tests/reml/_sweep_cases.py, seed 1) has its REML optimum on such a face, at
σ²_E2 = 0, ρ = −1 (a dense-V REML over the closed set); the fit from inside cannot reach it
(every path stays in ρ > −½ until σ²_E2 is 0) and ended on C's limit ρ = −½, 0.53 below
(before cor's limit was a bound: crawling towards it, unconverged, 2.1 below).

:func:`corner_faces` lists, after a fit whose C(ρ̂) of such a structure is near its
positive-definite limit (smallest eigenvalue of Σ̂'s correlation matrix below CORNER_MU: a
corner can only beat it when it is), one face per variance σ²_i of that structure where
the limit is relieved (the face's matrix not as near singular: not corh's ρ → 1): its
template with level i detached (:meth:`~asr_py.vcov.base.CovTemplate.zero_variance_face`:
C_ik = 0 for k ≠ i), σ²_i held at HELD_REL x the structure's largest variance ('F' there,
reported 0 and 'B'), and any correlation the face leaves without an entry of Σ held where it
is (reported 'F': not identified). corgh has no such faces: its correlations are free per
pair, so C over the other levels is never more than the closure allows (its zero level's
correlations are orphaned: reml/orphan_corr.py). The caller fits each face
(reml/ai.py ``_corner_faces``) and keeps the best when it beats the first fit; the face
result's β̂, û, PEV and ℓ are those of the face's model, Σ with level i uncoupled, which is
the structure's Σ at σ²_i = 0 up to O(HELD_REL).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp

from asr_py.reml.params import ParamMap
from asr_py.reml.problem import MixedProblem
from asr_py.reml.result import RemlResult
from asr_py.vcov.base import CovTemplate

#: a structure's faces are tried when the smallest eigenvalue of the correlation matrix of
#: Σ(θ̂) is below this (C(ρ̂) at or near its positive-definite limit)
CORNER_MU = 1e-2
#: the zero variance is held at this x the structure's largest variance
HELD_REL = 1e-8
#: structures of more levels are not examined (one face fit per level)
MAX_LEVELS = 12
#: faces within faces: at most this many of a structure's variances found zero in turn
MAX_ROUNDS = 3


@dataclass(frozen=True)
class CornerFace:
    """A face problem: ``problem`` (θ0 = the start), ``k`` the variance held near zero,
    ``orphans`` the correlations the face leaves out of Σ (held), ``label`` for notes."""

    problem: MixedProblem
    k: int
    orphans: tuple[int, ...]
    label: str


def _templates(problem: MixedProblem) -> list[tuple[CovTemplate, int, int]]:
    """(template, θ offset, block index; −1 the residual) of every random block and R."""
    out = [(b.template, b.offset, i) for i, b in enumerate(problem.random)]
    return [*out, (problem.residual, problem.residual_offset, -1)]


def _corr_mu(m: object) -> float:
    """Smallest eigenvalue of the correlation matrix of Σ (over its positive diagonal)."""
    d = np.asarray(m.toarray() if sp.issparse(m) else m, dtype=float)
    dg = np.diag(d)
    keep = dg > 0
    if keep.sum() < 2 or not np.all(np.isfinite(d)):
        return np.inf
    d = d[np.ix_(keep, keep)]
    r = 1.0 / np.sqrt(dg[keep])
    return float(np.linalg.eigvalsh(d * np.outer(r, r))[0])


def _with_template(problem: MixedProblem, blk: int, t: CovTemplate) -> MixedProblem:
    if blk < 0:
        return replace(problem, residual=t, random=list(problem.random))
    random = list(problem.random)
    random[blk] = replace(random[blk], template=t)
    return replace(problem, random=random)


def _face_map(problem: MixedProblem, s0: int, leaf: CovTemplate,
              face: CovTemplate) -> ParamMap | None:
    """The parameter map with ``leaf`` (θ from ``s0``) replaced by its ``face``: its rows'
    bounds and its structure span (the engine reads both)."""
    pm = problem.param_map
    if pm is None:
        return None
    rows = list(pm.rows)
    for p, (a, b) in enumerate(zip(face.lower(), face.upper())):
        rows[s0 + p] = replace(rows[s0 + p], lower=float(a), upper=float(b))
    spans = [replace(sp_, template=face) if sp_.start == s0 and sp_.template is leaf else sp_
             for sp_ in pm.structures]
    return ParamMap(rows, spans)


def _orphans(face: CovTemplate, th: np.ndarray) -> list[int]:
    """Parameters of the leaf ``face`` whose derivative of Σ is zero everywhere."""
    return [p for p, d in enumerate(face.derivatives(th))
            if not np.any(np.asarray(d.toarray() if sp.issparse(d) else d) != 0)]


def corner_faces(problem: MixedProblem, res: RemlResult) -> list[CornerFace]:
    """The faces to fit after ``res`` (see the module docstring); [] when none applies."""
    theta = np.asarray(res.theta, dtype=float)
    cons = [str(c).upper() for c in problem.constraints]
    out: list[CornerFace] = []
    for tmpl, off, blk in _templates(problem):
        for leaf, loff in tmpl.leaves():
            kinds = list(leaf.param_kinds)
            var = [j for j, k in enumerate(kinds) if k == "variance"]
            if ("correlation" not in kinds or not var or leaf.n > MAX_LEVELS
                    or leaf.zero_variance_face(var[0]) is None):
                continue
            s0 = off + loff
            th = theta[s0:s0 + leaf.n_params]
            try:
                mu = _corr_mu(leaf.matrix(th))
            except (ValueError, np.linalg.LinAlgError):
                continue
            if not mu < CORNER_MU:
                continue
            held = HELD_REL * float(np.max(th[var]))
            for j in var:
                k = s0 + j
                face_t = tmpl.zero_variance_face(loff + j)
                face_leaf = leaf.zero_variance_face(j)
                if cons[k] == "F" or face_t is None or face_leaf is None:
                    continue
                th0 = theta.copy()
                th0[k] = held
                fcons = list(problem.constraints)
                fcons[k] = "F"
                orph = tuple(s0 + p for p in _orphans(face_leaf, th0[s0:s0 + leaf.n_params])
                             if s0 + p != k and cons[s0 + p] != "F")
                for p in orph:
                    fcons[p] = "F"
                fp = replace(_with_template(problem, blk, face_t), theta0=th0,
                             constraints=fcons,
                             param_map=_face_map(problem, s0, leaf, face_leaf))
                if not face_t.is_valid(th0[off:off + tmpl.n_params]):
                    continue
                if _corr_mu(face_leaf.matrix(th0[s0:s0 + leaf.n_params])) < CORNER_MU:
                    continue  # C is as near its limit on the face (corh's ρ → 1): no gain
                out.append(CornerFace(fp, k, orph, problem.names[k]))
    return out


def as_boundary(faces: list[CornerFace], r: RemlResult) -> RemlResult:
    """The fit ``r`` on the kept ``faces`` reported in the original problem's codes: each
    zero variance at 0 and 'B' (on its boundary; the structure's Σ there is the face's,
    exactly positive semi-definite, where the held value would couple its level by
    O(√HELD_REL)), the orphaned correlations 'F' (not identified)."""
    r.theta = np.asarray(r.theta, dtype=float).copy()
    for face in faces:
        r.theta[face.k] = 0.0
        r.constraints[face.k] = "B"
        r.boundary[face.k] = True
    return r


def note(faces: list[CornerFace], gain: float) -> str:
    """The diagnostic of the kept faces."""
    names = ", ".join(f.label for f in faces)
    n_orph = sum(len(f.orphans) for f in faces)
    extra = (f"; {n_orph} correlation(s) of those levels are not identified there "
             "(held, 'F')" if n_orph else "")
    return (f"{names} {'is' if len(faces) == 1 else 'are'} zero at the optimum: with that "
            f"level's correlations uncoupled the others range over their own admissible "
            f"set, and the fit there is {gain:.3g} higher in log-likelihood than the fit "
            f"with C positive definite (kept; coded 'B'{extra})")


__all__ = ["CORNER_MU", "HELD_REL", "MAX_LEVELS", "MAX_ROUNDS", "CornerFace", "as_boundary",
           "corner_faces", "note"]
