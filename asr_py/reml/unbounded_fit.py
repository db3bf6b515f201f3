"""The engine's side of :mod:`asr_py.reml.unbounded`: ℓ for the probe, screened on the
mixed model equations and confirmed on V formed directly where it can be (s32unb).

The equations' ℓ is cheap but loses digits as a matrix nears singularity (its log|C| and
log|G| terms grow like ln λ⁻¹ and cancel); V's is accurate at any λ but costs O(n³). The
probe runs on the equations first; only a block they call unbounded is probed again on V
(at most V_MAX records) and kept when V agrees. Above V_MAX the equations' verdict stands.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from asr_py.reml.mme import MME
from asr_py.reml.problem import MixedProblem
from asr_py.reml.pure_error import residual_escape
from asr_py.reml.unbounded import (
    FLAT,
    UNB_CAUSE,
    UNB_HEAD,
    V_MAX,
    Unbounded,
    combination,
    flat,
    level_labels,
    n_small,
    note,
    probe,
)
from asr_py.reml.unbounded_profile import PROFILE_N, profile_probe
from asr_py.reml.v_loglik import v_loglik, v_parts


def _mme_loglik(mme: MME) -> Any:
    def ll(theta: np.ndarray) -> float | None:
        try:
            v = float(mme.evaluate(theta).loglik)
        except (np.linalg.LinAlgError, ValueError, ArithmeticError):
            return None
        return v if np.isfinite(v) else None
    return ll


def _v_loglik(problem: MixedProblem) -> Any:
    parts = v_parts(problem)
    return lambda theta: v_loglik(parts, problem, theta)


def unbounded_blocks(mme: MME, problem: MixedProblem, theta: np.ndarray, loglik: float,
                     blocks: Sequence[Any]) -> list[tuple[Unbounded, Any]]:
    """(finding, block) for every block of ``blocks`` with correlation-scale eigenvalues
    below SMALL along which ℓ is unbounded (:func:`asr_py.reml.unbounded.probe`); ``loglik``:
    ℓ at θ (unused beyond a finite check). Probed on the equations first; with at most V_MAX
    records, every block they do not call flat (bounded to their digits) is decided on V."""
    if not blocks or not np.isfinite(loglik):
        return []
    on_mme, on_v = _mme_loglik(mme), None
    small = np.asarray(problem.y).size <= V_MAX
    out, done = [], set()
    for b in blocks:
        if id(b) in done:
            continue
        done.add(id(b))
        seen: list = []
        u = probe(b, theta, on_mme, seen)
        if not small:
            if u is not None:
                out.append((u, b))
            continue
        if u is None and all(flat(g) for _, g in seen):
            continue
        on_v = _v_loglik(problem) if on_v is None else on_v
        seen = []
        again = probe(b, theta, on_v, seen)
        if again is None and any(g is None or max(g) > FLAT for _, g in seen) and (
                np.asarray(problem.y).size <= PROFILE_N):  # ℓ rose, then fell: re-oriented
            again = profile_probe(b, theta, on_v)
        if again is not None:
            out.append((again, b))
    return out


def unbounded_report(mme: MME, problem: MixedProblem, theta: np.ndarray, loglik: float,
                     singular: Sequence[Any], every: Sequence[Any], converged: bool
                     ) -> tuple[list[tuple[Unbounded, Any]], list[str]]:
    """The unbounded blocks among ``singular`` and the blocks of ``every`` close to singular
    (:func:`unbounded_blocks`), else a residual block of ``every`` along which ℓ is
    unbounded though the fit left it interior
    (:func:`asr_py.reml.pure_error.residual_escape`: at an interior optimum only with
    fewer pure-error contrasts than the square of the residual block's size, s33unb: a
    repeated record in a three-trait fit could end 'converged' at a local maximum); with
    their diagnostics."""
    # the singular blocks, and any other with a correlation-scale eigenvalue below SMALL (a
    # fit stopped on its way to the floor: maxit, a stall)
    near = [b for b in every if n_small(b, theta) > 0]
    found = unbounded_blocks(mme, problem, theta, loglik, list(singular) + near)
    if found:
        return found, [note(u, level_labels(problem.names, b, len(u.combo)))
                       for u, b in found]
    try:  # an interior optimum: only where the pure-error contrasts are few (cheap)
        esc = residual_escape(problem, theta, loglik, every,
                              few_only=converged and not singular)
    except (np.linalg.LinAlgError, ValueError, ArithmeticError):
        esc = None
    if esc is None:
        return [], []
    u, b, lls = esc
    labels = level_labels(problem.names, b, len(u.combo))
    text = ESCAPE_NOTE.format(ll=loglik, name=b.name, lam=u.lam, l0=lls[0], g1=u.gains[0],
                              g2=u.gains[1], d=u.d, combo=combination(u.combo, labels))
    return [(u, b)], [text]


ESCAPE_NOTE = (UNB_HEAD + ": the fit stopped at a local maximum (ℓ = {ll:.7g}) with {name} "
               "inside the positive-definite cone, but with {name} singular along the "
               "combination below (smallest correlation-scale eigenvalue λ = {lam:.2g}; "
               "every other parameter maximised again on V) ℓ = {l0:.7g}, and it rises by "
               "{g1:.3g} and {g2:.3g} as λ shrinks 10-fold and 100-fold (≈ {d}/2·ln 10 per "
               "decade): there is no REML estimate, the reported values are a local "
               "maximum only (coded 'S'). " + UNB_CAUSE)


__all__ = ["ESCAPE_NOTE", "unbounded_blocks", "unbounded_report"]
