"""R attributes of the emulated R objects (data frames, asremlPlus's alldiffs lists).

R keeps attributes beside an object's values: ``attr(x, "heading")``, ``attributes(x)``.
Here they live in the object's ``attrs`` mapping (pandas' ``DataFrame.attrs``,
:class:`~asr_py.compat.alldiffs.Alldiffs`' ``attrs``). R's own attributes (``names``,
``class``, ``row.names``, ``dim``, ``dimnames``) are derived from the object; an attribute
set to NULL is removed, as R does. Some ``attrs`` keys are asr_py's bookkeeping, not R
attributes (the ``vcov``/``sed`` that asr's ``predict`` carries on its frame, asr.plus's
transform settings on an alldiffs object) and are not listed by :func:`attributes`.

asremlPlus's attributes of a predictions frame (its R sources, ``R/alldiffs.v5.r``):
``heading`` (asreml's notes, kept by every function; linTransform prepends a line),
``LSDtype``, ``LSDby``, ``LSDstatistic``, ``LSDaccuracy``, ``avsed.tolerance``,
``accuracy.threshold``, ``LSDvalues`` (set by redoErrorIntervals when it forms
halfLeastSignificant intervals, lines 2054-2063); a backtransforms frame has the
predictions' attributes but ``LSDvalues``, plus ``transform.power``, ``offset``, ``scale``
and ``transform.function`` (addBacktransforms, lines 2533 and 2720-2730).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.results.predict import PREDICT_HEADING

__all__ = ["RFormula", "Boxed", "box", "unbox", "R_OWN", "FRAME_INTERNAL", "ALLDIFFS_INTERNAL",
           "LSD_FRAME_ATTRS", "PREDICT_HEADING", "user_attrs", "attributes", "set_attr",
           "with_attrs",
           "lintrans_heading"]

#: the attributes R derives from the object itself
R_OWN = ("names", "class", "row.names", "dim", "dimnames")
#: ``DataFrame.attrs`` keys that are asr_py's bookkeeping, not R attributes
FRAME_INTERNAL = frozenset({"vcov", "sed", "avsed", "r_list", "inverse", "r_class", "_r_attrs"})
#: Alldiffs ``attrs`` keys that are asr.plus's bookkeeping, not attributes asremlPlus sets
ALLDIFFS_INTERNAL = frozenset({"retain.zeroLSDs", "zero.tolerance", "transform.power",
                               "offset", "scale", "transform.function", "LSDsupplied"})
#: the LSD attributes redoErrorIntervals puts on a predictions frame (alldiffs.v5.r 2056-2063)
LSD_FRAME_ATTRS = ("LSDtype", "LSDby", "LSDstatistic", "LSDaccuracy", "avsed.tolerance",
                   "accuracy.threshold", "LSDvalues")


class RFormula(str):
    """A model formula's text standing for R's formula object: R's ``as.character`` of it
    is ``c("~", lhs, rhs)`` (``c("~", rhs)`` one-sided), not the whole text."""

    __slots__ = ()

    @property
    def attrs(self) -> dict[str, Any]:
        """R's ``terms()`` attributes of the formula (``attr(f, "factors")``, ``term.labels``:
        :func:`asr_py.compat.rterms.formula_terms`)."""
        from asr_py.compat.rterms import formula_terms

        return formula_terms(str(self))

    def r_character(self) -> list[str]:
        """R's ``as.character(formula)``."""
        lhs, sep, rhs = str(self).partition("~")
        if not sep:
            return [str(self)]
        return ["~", rhs.strip()] if not lhs.strip() else ["~", lhs.strip(), rhs.strip()]


class Boxed:
    """An attribute value pandas cannot compare as one truth value (an array, a named
    vector, NA): pandas compares ``DataFrame.attrs`` when it concatenates frames, and
    ``==`` of arrays is elementwise. Boxed values compare equal when their values are
    the same (NA equal to NA)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Boxed):
            return NotImplemented
        a, b = self.value, other.value
        if type(a) is not type(b):
            return False
        if isinstance(a, pd.Series) and not a.index.equals(b.index):
            return False
        try:
            return bool(np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True))
        except TypeError:
            return bool(np.array_equal(np.asarray(a), np.asarray(b)))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Boxed({self.value!r})"


def box(value: Any) -> Any:
    """``value`` as it is stored in ``attrs`` (arrays, named vectors and NA boxed)."""
    if isinstance(value, np.ndarray | pd.Series | pd.Index) or (
            isinstance(value, float) and np.isnan(value)):
        return Boxed(value)
    return value


def unbox(value: Any) -> Any:
    """A stored attribute's value (:func:`box` undone)."""
    return value.value if isinstance(value, Boxed) else value


def _internal(x: Any) -> frozenset[str]:
    if isinstance(x, pd.DataFrame | pd.Series):
        return FRAME_INTERNAL
    if isinstance(x, dict):
        return ALLDIFFS_INTERNAL
    return frozenset()


def user_attrs(x: Any) -> dict[str, Any]:
    """The R attributes of ``x`` beyond R's own (:data:`R_OWN`): its ``attrs`` without
    NULL values and bookkeeping keys."""
    attrs = getattr(x, "attrs", None)
    if not isinstance(attrs, Mapping):
        return {}
    skip = _internal(x)
    return {str(k): unbox(v) for k, v in attrs.items()
            if v is not None and k not in skip and k not in R_OWN}


def attributes(x: Any) -> dict[str, Any] | None:
    """R's ``attributes(x)`` as an ordered dict: a data frame's ``names``, ``class``,
    ``row.names`` (1..n when the index is the default one), then its other attributes; a
    list's ``names``, its attributes and ``class`` (``c(<kind>, "list")`` for an asremlPlus
    object); a matrix-like array's ``dim``; None (R's NULL) when there are none."""
    if isinstance(x, pd.DataFrame):
        cls = x.attrs.get("r_class") or ["data.frame"]
        rn: Any = (list(range(1, len(x) + 1)) if isinstance(x.index, pd.RangeIndex)
                   else [str(i) for i in x.index])
        return {"names": [str(c) for c in x.columns], "class": list(cls), "row.names": rn,
                **user_attrs(x)}
    if isinstance(x, pd.Series):
        return {"names": [str(i) for i in x.index], **user_attrs(x)}
    if isinstance(x, dict):
        out: dict[str, Any] = {"names": [str(k) for k in x]}
        out.update(user_attrs(x))
        if getattr(x, "attrs", None) is not None and type(x).__name__ != "RList":
            out["class"] = [type(x).__name__.lower(), "list"]
        return out
    if isinstance(x, np.ndarray):
        out = {"dim": list(x.shape)} if x.ndim == 2 else {}
        out.update(user_attrs(x))
        return out or None
    return None


def set_attr(x: Any, name: str, value: Any) -> Any:
    """R's ``attr(x, name) <- value`` on a copy of ``x`` (a NULL value removes the
    attribute); ``names`` of a frame renames its columns."""
    if isinstance(x, pd.DataFrame | pd.Series) or (isinstance(x, dict) and
                                                   isinstance(getattr(x, "attrs", None), dict)):
        if name == "names":
            if isinstance(x, pd.DataFrame):
                return x.set_axis([str(v) for v in value], axis=1)
            if isinstance(x, pd.Series):
                return x.set_axis([str(v) for v in value])
        out = x.copy()
        if value is None:
            out.attrs.pop(name, None)
        else:
            out.attrs[name] = box(value)
        return out
    raise AsrError(f"attr(x, {name!r}) <- value: x is a {type(x).__name__}, which cannot "
                   "carry R attributes here",
                   hint="attributes are kept on data frames, arrays and asremlPlus objects")


def with_attrs(frame: pd.DataFrame, attrs: Mapping[str, Any]) -> pd.DataFrame:
    """``frame`` (not copied) with exactly the R attributes ``attrs`` (NULL ones left out),
    keeping its bookkeeping keys."""
    keep = {k: v for k, v in frame.attrs.items() if k in FRAME_INTERNAL}
    frame.attrs = {**keep, **{k: box(v) for k, v in attrs.items() if v is not None}}
    return frame


def lintrans_heading(heading: Any, submodel: bool, egls: bool) -> list[str]:
    """asremlPlus's linTransform heading: a line saying how the predictions were
    transformed, then the original predictions' heading (alldiffs.v5.r 3017-3021 for a
    submodel, 3097-3103 for a matrix)."""
    if submodel:
        first = ("The original predictions, obtained as described below, have"
                 "\nbeen linearly transformed to form estimated marginal means.")
    else:
        first = ("The original predictions, obtained as described below, have"
                 "\nbeen linearly transformed." +
                 ("\nFGLS using the estimated variance matrix"
                  "\nof the predictions was employed." if egls else ""))
    rest = [] if heading is None else ([heading] if isinstance(heading, str)
                                       else list(heading))
    return [first, *rest]
