"""Partial selfing: asreml's ``ainverse(pedigree, selfing = s)`` (ASReml's ``!SELF s``).

asreml's rule (Dutkowski & Gilmour 2001, for open-pollinated seed of trees): an animal whose
pedigree gives the second field (here ``sire``) and leaves the third (``dam``) unknown was
selfed with probability s and outcrossed with an unrelated, non-inbred parent with
probability 1 - s. Taking expectations over that choice, with p the known parent:

    A_ij = (1 + s)/2 · A_pj           (j older than i: the known parent's weight)
    F_i  = s (1 + F_p)/2              (inbred only when selfed)
    D_ii = A_ii - ((1 + s)/2)² A_pp = 1 - (1 + s²)(1 + F_p)/4,

the Mendelian-sampling variance of L D L' (s = 0: Henderson's 3/4 - F_p/4; s = 1: a full self,
(1 - F_p)/2). A line selfed t times from a non-inbred founder so has
F_t = s/(2 - s) · (1 - (s/2)^t) (F_t = s/2 (1 + F_{t-1})); full sibs of one mother are
related (1 + s)²/4 (1 + F_p). Animals with both parents, or none, are as without selfing.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from asr_py.errors import PedigreeError

__all__ = ["check_selfing", "selfed", "parent_weights", "selfed_inbreeding",
           "selfed_mendelian"]


def check_selfing(selfing: Any) -> float | None:
    """The selfing rate s in [0, 1], or None for asreml's default ``NA`` (no selfing)."""
    if selfing is None:
        return None
    try:
        s = float(selfing)
    except (TypeError, ValueError):
        raise PedigreeError(f"selfing= must be a number in [0, 1], not {selfing!r}",
                            hint="the probability that an animal with an unknown third "
                            "pedigree field (dam) was selfed, e.g. selfing=0.1") from None
    if math.isnan(s):
        return None
    if not 0.0 <= s <= 1.0:
        raise PedigreeError(f"selfing={s:g} is not a probability in [0, 1]",
                            hint="the selfing rate of open-pollinated progeny, e.g. 0.1")
    return s


def selfed(sire: np.ndarray, dam: np.ndarray) -> np.ndarray:
    """Animals open to partial selfing: second field (sire) known, third (dam) unknown."""
    return (sire >= 0) & (dam < 0)


def parent_weights(sire: np.ndarray, dam: np.ndarray,
                   selfing: float | None) -> tuple[np.ndarray, np.ndarray]:
    """Weights of the sire and dam in row i of P (A = L D L', L = (I - P)^-1): 1/2 each, and
    (1 + s)/2 for the known parent of an animal open to selfing."""
    ws = np.full(sire.size, 0.5)
    wd = np.full(dam.size, 0.5)
    if selfing is not None:
        ws[selfed(sire, dam)] = 0.5 * (1.0 + selfing)
    return ws, wd


def selfed_inbreeding(F_parent: np.ndarray, selfing: float) -> np.ndarray:
    """F_i = s (1 + F_p)/2."""
    return 0.5 * selfing * (1.0 + F_parent)


def selfed_mendelian(F_parent: np.ndarray, selfing: float) -> np.ndarray:
    """D_ii = 1 - (1 + s²)(1 + F_p)/4."""
    return 1.0 - 0.25 * (1.0 + selfing * selfing) * (1.0 + F_parent)
