"""asreml's ``asmv = trait``: a multivariate model whose data are in long format (one row
per unit and trait, the response in one column), as two-stage multi-trait GBLUP scripts
fit stage-one BLUEs: ``asreml(BLUE ~ trait, random = ~ us(trait):vm(gen, G),
residual = ~ units:trait, asmv = trait, weights = w, family = asr_gaussian(dispersion =
1))``.

R semantics (asreml-R ``asreml(asmv = )``): the rows with the same unit are one
multivariate record, so that a residual structure on the trait factor can correlate the
traits measured on one unit. When the residual correlates no traits (``units``,
``units:trait``, ``id(units):id(trait)``, ``units:idh(trait)``, ``units:diag(trait)``,
``dsum(~ units | trait)``: each row its own residual, with one variance or one per trait)
the residual covariance of the long-format rows is the same diagonal matrix whether or not
rows are grouped into units, and every other term is indexed by the rows' own factor levels:
the model is the same without ``asmv``, so the translation drops it (a NOTE says so). A
residual that correlates the traits (``units:us(trait)``, ``corgh``, ``fa`` ...), or no
residual given (asreml's default for such data is ``units:us(trait)``), is asr_py's own
``asmv=`` (:mod:`asr_py.model.asmv`): the units are found by the data order, as asreml does,
and asr_py checks that each unit holds each trait once. A random formula that names
``units`` keeps ``asmv`` too (``units`` then has one level per unit, not per row).
"""

from __future__ import annotations

import re
from typing import Any

from asr_py.formula.toplevel import split_top
from asr_py.translate.parser import R

__all__ = ["drop_mv", "neutral", "passed"]

#: variance models of the trait factor that give each trait its own variance at most
_UNCORRELATED = frozenset({"id", "idv", "idh", "diag"})


def neutral(tr: Any, a: R, named: list[tuple[str, R]]) -> bool:
    """Whether ``asmv = a`` leaves the model unchanged (module docstring)."""
    if a.kind not in ("name", "str"):
        return False
    trait = a.value
    res = [x for n, x in named if n in ("residual", "rcov")]
    if len(res) != 1:
        return False
    if any(n == "random" and re.search(r"(?<![\w.])units(?![\w.])", tr.src(x))
           for n, x in named):
        return False
    text = tr.src(res[0])
    if not re.search(rf"(?<![\w.]){re.escape(trait)}(?![\w.])", text):
        return False
    heads = re.findall(rf"([\w.]+)\s*\(\s*{re.escape(trait)}\s*[,)]", text)
    if any(h not in _UNCORRELATED for h in heads):
        return False
    # any other structure in the residual (ar1(row), us(...)) is not this plain case
    others = {h for h in re.findall(r"([\w.]+)\s*\(", text)} - _UNCORRELATED - {"dsum"}
    return not others


def passed(a: R) -> str | None:
    """``asmv=`` of the translated call when ``asmv = a`` is a column name (``trait`` or
    ``'trait'``), else None (the TODO stays)."""
    if a.kind not in ("name", "str") or not isinstance(a.value, str):
        return None
    return f"asmv={a.value!r}"


#: the NOTE written above a call whose asmv is passed
NOTE = ("# NOTE(asr_py): asreml(asmv = {a}): the long data's units are found by the data "
        "order, as asreml does (units:us(trait): each unit's rows consecutive; "
        "us(trait):units: each trait's rows); asr_py stops if a unit does not hold each trait "
        "once (rasmv.py)")


#: the NOTE written above a call whose formula named asreml 3's ``mv``
MV_NOTE = ("# NOTE(asr_py): asreml 3's missing-value term mv dropped: asr_py fits the observed "
           "records (na_action y='include'), the same REML fit as mv's estimated missing "
           "values (rasmv.py)")


def drop_mv(text: str) -> str | None:
    """``text`` (a formula) without asreml 3's top-level term ``mv``, the effect of each missing
    response (a random term with no shrinkage, or a fixed one: either way the missing values
    are estimated and the REML fit of the observed records is the same as leaving them out,
    which asr_py does); ``text`` itself when it has no ``mv``, None when nothing is left of a
    one-sided formula (``~ mv``)."""
    lhs, _, rhs = text.rpartition("~") if "~" in text else ("", "", text)
    parts = split_top(rhs, "+")
    kept = [p for p in parts if p.strip() != "mv"]
    if len(kept) == len(parts):
        return text
    if not kept:
        return None if not lhs.strip() else f"{lhs.rstrip()} ~ 1"
    body = " +".join(kept).strip()
    return f"{lhs}~ {body}" if lhs or text.lstrip().startswith("~") else body
