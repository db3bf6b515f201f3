"""purrr-style lambdas, ``~ expr`` with ``.`` or ``.x`` for the argument, as dplyr's
``across(cols, ~ scale(.)[, 1])`` takes them: the same as ``function(x) expr``."""
from __future__ import annotations

import dataclasses

from asr_py.translate.parser import R

__all__ = ["lambda_node"]

#: the parameter the lambda's ``.``/``.x`` become (a Python name no R script spells)
PARAM = "dot_x_"


def _rename(e: R) -> R:
    """``e`` with the names ``.`` and ``.x`` as :data:`PARAM` (not inside a nested formula,
    whose ``.`` is a model's 'all other columns')."""
    if e.kind == "name" and e.value in (".", ".x"):
        return dataclasses.replace(e, value=PARAM)
    if e.kind == "formula":
        return e
    return dataclasses.replace(
        e,
        args=[(n, _rename(a)) for n, a in e.args],
        left=_rename(e.left) if e.left is not None else None,
        right=_rename(e.right) if e.right is not None else None,
        alt=_rename(e.alt) if e.alt is not None else None,
        body=[_rename(b) for b in e.body])


def lambda_node(e: R) -> R | None:
    """``~ expr`` (one-sided) as the node of ``function(.x) expr``; None for anything else."""
    if e.kind != "formula" or e.left is not None or e.right is None:
        return None
    return R("function", "", [(PARAM, R("empty", start=e.start, end=e.start))],
             right=_rename(e.right), start=e.start, end=e.end)
