"""Base R's ``sequence(nvec, from = 1L, by = 1L)`` (R 4 ``?sequence``).

"The default method for sequence generates the sequence seq(from[i], by = by[i],
length.out = nvec[i]) for each element i in the parallel (and recycled) vectors from, by
and nvec. It then returns the result of concatenating those sequences": ``sequence(c(3,
2))`` is ``1 2 3 1 2``, ``sequence(1:3)`` is ``1 1 2 1 2 3``. ``nvec`` must be whole
numbers >= 0 (R: "'nvec' must be a vector of non-negative integers").
"""

from __future__ import annotations

from typing import Any

import numpy as np

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R
from asr_py.translate.rmatchargs import ArgMatchError, match_args

__all__ = ["FUNCTIONS", "r_sequence", "translate"]

FUNCTIONS = frozenset({"sequence", "base::sequence"})
_FORMALS = ("nvec", "from", "by", "...")   # sequence.default's


def translate(tr: Any, e: R) -> str | None:
    """``sequence(nvec, from =, by =)`` -> ``r_sequence(nvec, from_=, by=)`` (R's argument
    matching, as sequence.default's formals); None for other forms."""
    try:
        got = match_args(_FORMALS, [(n, a) for n, a in e.args if a.kind != "empty"],
                         "sequence")
    except ArgMatchError:
        return None
    if "nvec" not in got or got.get("..."):
        return None
    parts = [tr.py(got["nvec"])] + [f"{k}={tr.py(got[r])}" for r, k in
                                    (("from", "from_"), ("by", "by")) if r in got]
    return f"{tr.runtime('r_sequence')}({', '.join(parts)})"


def _ints(v: Any, what: str) -> np.ndarray:
    a = np.ravel(np.asarray(list(v) if isinstance(v, range) else v, dtype=float))
    if np.isnan(a).any() or not np.all(a == np.trunc(a)):
        raise AsrError(f"sequence(): '{what}' must hold whole numbers",
                       hint="R stops with \"'nvec' must be a vector of non-negative "
                            "integers\" (likewise from/by)")
    return a.astype(np.int64)


def r_sequence(nvec: Any, from_: Any = 1, by: Any = 1) -> np.ndarray:
    """``sequence(nvec, from, by)``: see the module docstring (``from`` is a Python
    keyword: the translation passes ``from_``)."""
    for v in (nvec, from_, by):
        if isinstance(v, Untranslated):
            return v._use()  # type: ignore[return-value]
    n = _ints(nvec, "nvec")
    if (n < 0).any():
        raise AsrError("sequence(): 'nvec' must be a vector of non-negative integers",
                       hint="each element is the length of one sequence")
    if n.size == 0:
        return np.array([], dtype=np.int64)
    f, b = _ints(from_, "from"), _ints(by, "by")
    if f.size == 0 or b.size == 0:
        raise AsrError("sequence(): 'from' and 'by' must not be empty")
    k = max(n.size, f.size, b.size)
    n, f, b = (np.resize(a, k) for a in (n, f, b))
    return np.concatenate([f[i] + b[i] * np.arange(n[i]) for i in range(k)]).astype(np.int64)
