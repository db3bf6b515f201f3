"""R's NULL from ``d$x`` when ``d`` lacks ``x``, in a summary: ``mean(d$x)`` of a column the
script names only there (it never creates it, a formula never uses it) reads it with
``r_dollar`` (None when absent, as R's NULL) instead of ``d['x']`` (a KeyError), and NULL in a
summary is ``numeric(0)`` (:func:`r_null_vec`: ``sum(NULL)`` is 0, ``mean(NULL)`` NA), so the
script goes on as in R.

``names(NULL)`` is NULL too, and flows on into loops, ``length``, ``paste``, ``unique``...,
which treat NULL as an empty vector: :class:`RNull` is that empty vector (a list: iteration,
``len`` and joins see nothing) that still answers as NULL where R tells them apart:
``is.null`` (:func:`r_is_null`), ``NULL[i]`` is NULL and ``NULL == v`` is ``logical(0)``
(``all()`` of it TRUE), where ``character(0)[4:5]`` would be ``c(NA, NA)``."""
from __future__ import annotations

import re
from typing import Any

import numpy as np

__all__ = ["RNull", "absent_ok", "is_null", "named_once", "r_is_null", "r_null_vec"]


def named_once(code: str, name: str) -> bool:
    """Whether ``name`` appears once in the R ``code`` (as a word: not part of a longer
    name), so nothing in the script makes or uses it elsewhere."""
    pat = r"(?<![\w.])" + re.escape(name) + r"(?![\w.])"
    return len(re.findall(pat, code)) == 1


def r_null_vec(x: Any) -> Any:
    """``x``, with R's NULL (None) as ``numeric(0)`` (an empty float array) for a summary."""
    return np.array([], dtype=float) if x is None else x


def absent_ok(tr: Any, e: Any) -> bool:
    """Whether ``e`` is ``d$x`` of data ``d`` read from a file (not a slot ``d@x``, not of a
    model fit) with ``x`` named nowhere else in the script: a column the data may lack."""
    if e.kind != "dollar" or e.left is None or e.left.kind != "name":
        return False
    if e.left.value in tr.lm_fits or tr.is_fit(e.left):
        return False
    if tr.code[e.left.end:e.end].lstrip().startswith("@"):
        return False
    return named_once(tr.code, e.value) and read_from_file(tr.code, e.left.value)


def read_from_file(code: str, name: str) -> bool:
    """Whether the R ``code`` assigns ``name`` from a file reader (read.csv, read.table,
    fread, read_excel, ...): data whose columns the script cannot know."""
    reader = r"(?:\w+::)?(?:read\.\w+|read_\w+|fread|readRDS|import)\s*\("
    pat = r"(?<![\w.])" + re.escape(name) + r"\s*(?:<-|=)\s*" + reader
    # read.csv("f.csv") -> d: R's rightward assignment (one level of inner brackets)
    right = reader + r"(?:[^()]|\([^()]*\))*\)\s*->\s*" + re.escape(name) + r"(?![\w.])"
    return re.search(pat, code) is not None or re.search(right, code) is not None


class RNull(list):
    """R's NULL read as a vector (``names(NULL)``): empty; ``r_sub`` keeps it, ``r_op``
    gives ``logical(0)``, :func:`r_is_null` is True."""

    def __repr__(self) -> str:
        return "NULL"


def is_null(x: Any) -> bool:
    """None or :class:`RNull`: R's NULL."""
    return x is None or isinstance(x, RNull)


def r_is_null(x: Any) -> bool:
    """R's ``is.null(x)``."""
    return is_null(x)
