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

from asr_py.reml.dense_v import evaluate as v_evaluate
from asr_py.reml.mme import MME
from asr_py.reml.problem import MixedProblem
from asr_py.reml.unbounded import V_MAX, Unbounded, find, probe


def _mme_loglik(mme: MME) -> Any:
    def ll(theta: np.ndarray) -> float | None:
        try:
            v = float(mme.evaluate(theta).loglik)
        except (np.linalg.LinAlgError, ValueError, ArithmeticError):
            return None
        return v if np.isfinite(v) else None
    return ll


def _v_loglik(problem: MixedProblem) -> Any:
    def ll(theta: np.ndarray) -> float | None:
        try:
            pt = v_evaluate(problem, theta)
        except (np.linalg.LinAlgError, ValueError, ArithmeticError):
            return None
        return None if pt is None or not np.isfinite(pt.loglik) else float(pt.loglik)
    return ll


def unbounded_blocks(mme: MME, problem: MixedProblem, theta: np.ndarray, loglik: float,
                     blocks: Sequence[Any]) -> list[tuple[Unbounded, Any]]:
    """(finding, block) for every block of ``blocks`` (singular at θ: on a face or held)
    along which ℓ is unbounded (:func:`asr_py.reml.unbounded.probe`); ``loglik``: ℓ at θ
    (unused beyond a finite check)."""
    if not blocks or not np.isfinite(loglik):
        return []
    screened = find(blocks, theta, _mme_loglik(mme))
    if not screened or np.asarray(problem.y).size > V_MAX:
        return [(u, _block(blocks, u)) for u in screened]
    on_v = _v_loglik(problem)
    out = []
    for u in screened:
        b = _block(blocks, u)
        again = probe(b, theta, on_v)
        if again is not None:
            out.append((again, b))
    return out


def _block(blocks: Sequence[Any], u: Unbounded) -> Any:
    return next(b for b in blocks if np.array_equal(np.asarray(b.idx), u.idx)
                and b.name == u.name)


__all__ = ["unbounded_blocks"]
