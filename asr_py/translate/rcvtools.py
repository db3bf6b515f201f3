"""cvTools' ``cvFolds(n, K = 5, R = 1, type = c("random", "consecutive", "interleaved"))``
(cvTools 0.3): the folds of a K-fold cross-validation of n observations.

* ``type = "random"``: ``subsets`` is an n x R matrix whose columns are random permutations
  of 1..n (``sample(n)``, R times); ``"consecutive"``/``"interleaved"`` (and K = n,
  leave-one-out): the single column 1..n, R = 1;
* ``which`` gives the fold of each row of ``subsets``: 1, 2, ..., K, 1, 2, ... (recycled to
  n), for ``"consecutive"`` the same counts in blocks (1, 1, ..., 2, 2, ...);
* the value is the list ``n``, ``K``, ``R``, ``subsets``, ``which``.

``n`` and ``K`` are rounded; K must lie in 2..n (an error saying so otherwise). The random
permutations come from numpy's generator (``set.seed()`` seeds it), not R's stream: the
folds differ from R's, their distribution does not (as for ``sample()``, rsample.py).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from asr_py.compat.rlist import RList
from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["FUNCS", "PACKAGES", "r_cvFolds"]

PACKAGES = frozenset({"cvTools"})
#: R function -> (runtime function, formals, packages) for asreml_rules' _TMM_FUNCS
FUNCS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "cvFolds": ("r_cvFolds", ("n", "K", "R", "type"), ("cvTools",)),
}

_TYPES = ("random", "consecutive", "interleaved")


def _one(v: Any, what: str) -> float:
    arr = np.asarray(v, dtype=float).ravel()
    if arr.size == 0:
        raise AsrError(f"cvFolds(): '{what}' is empty")
    return float(np.round(arr[0]))


def r_cvFolds(n: Any = None, K: Any = 5, R: Any = 1,  # noqa: N802, N803
              type: Any = "random") -> RList:  # noqa: A002
    """cvTools' ``cvFolds()`` (module docstring)."""
    for v in (n, K, R):
        if isinstance(v, Untranslated):
            return v._use()
    nn = _one(n, "n")
    if not nn > 0:
        raise AsrError(f"cvFolds(): 'n' must be positive (got {n!r})")
    k = _one(K, "K")
    if not 1 < k <= nn:
        raise AsrError(f"cvFolds(): 'K' outside allowable range (K = {k:g} for n = {nn:g})",
                       hint="K must be at least 2 and at most n")
    kind = type if isinstance(type, str) else (list(type)[0] if type is not None else "random")
    hits = [t for t in _TYPES if t.startswith(str(kind))]
    if len(hits) != 1:
        raise AsrError(f"cvFolds(type = {kind!r}): 'type' should be one of "
                       + ", ".join(f'"{t}"' for t in _TYPES))
    kind = "leave-one-out" if k == nn else hits[0]
    n_i, k_i = int(nn), int(k)
    if kind == "random":
        r = _one(R, "R")
        r_i = int(r) if r > 0 else 1
        subsets = np.column_stack([np.random.permutation(n_i) + 1 for _ in range(r_i)])
    else:
        r_i = 1
        subsets = np.arange(1, n_i + 1).reshape(n_i, 1)
    which = np.resize(np.arange(1, k_i + 1), n_i)
    if kind == "consecutive":
        which = np.repeat(np.arange(1, k_i + 1), np.bincount(which, minlength=k_i + 1)[1:])
    return RList({"n": n_i, "K": k_i, "R": r_i, "subsets": subsets, "which": which})
