"""The arguments of ``fit.update(**changes)``: the fit's call with the changes, as asreml's
``update.asreml`` builds the new call.

* ``residual`` and ``rcov`` (asreml 3's name) are one argument: a change of either replaces
  the residual formula however the fit gave it, and ``.`` in it stands for that formula;
* a formula with ``.`` is R's ``update.formula`` of the old one (:mod:`asr_py.formula.update`);
* a matrix the old call passed by name (``vm(id, Ai)`` with ``Ai=``) that no formula of the
  new call names any more is left out (a refit without the term would otherwise reject it
  as an unknown keyword).
"""

from __future__ import annotations

import re
from typing import Any

from asr_py.formula.update import FORMULA_KINDS, update_text

__all__ = ["updated_call"]

#: the names of the residual formula: one argument
_RESIDUAL = ("residual", "rcov")
_FORMULAS = ("fixed", "random", "residual", "rcov", "sparse")


def updated_call(call: dict[str, Any], changes: dict[str, Any],
                 keywords: tuple[str, ...]) -> dict[str, Any]:
    """The keyword arguments of the refit: ``call`` (without asremlPlus's
    ``setvparameters``) updated by ``changes``; ``keywords`` are asr.asreml()'s own."""
    kw = {k: v for k, v in call.items() if k != "setvparameters"}
    changes = dict(changes)
    given = [k for k in _RESIDUAL if k in changes]
    if len(given) == 1:
        other = _RESIDUAL[1 - _RESIDUAL.index(given[0])]
        old = kw.get(given[0]) if kw.get(given[0]) is not None else kw.get(other)
        kw[given[0]] = old
        kw.pop(other, None)
    for key, kind in FORMULA_KINDS.items():  # R's update.formula: '.' = the old formula
        if isinstance(changes.get(key), str):
            changes[key] = update_text(kw.get(key), changes[key], kind, keyword=key)
    kw.update(changes)
    words: set[str] = set()
    for k in _FORMULAS:
        if isinstance(kw.get(k), str):
            words.update(re.findall(r"[A-Za-z_.][A-Za-z0-9_.]*", kw[k]))
    mbf = kw.get("mbf")
    if isinstance(mbf, dict):
        words.update(s["cov"] for s in mbf.values()
                     if isinstance(s, dict) and isinstance(s.get("cov"), str))
    for k in [k for k in kw if k not in keywords and k not in changes]:
        if k not in words and not (k.endswith("_giv") and k[:-4] in words):
            del kw[k]       # a matrix of a term the new call no longer has
    return kw
