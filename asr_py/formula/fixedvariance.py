"""A covariance structure on a factor in the fixed formula: ``us(trait):g`` as ``trait:g``.

Fixed effects have no variance model, and ASReml-R reads a level-covariance structure
written around a factor in the fixed formula as that factor. Evidence: the UIUC wheat
pipeline ``cbind(y1, ..., y5) ~ 1 + trait + us(trait):germplasmName`` (repository
smallgrains-uiuc/Wheat-Selection-Decisions-2022, script "single trial analysis Adv and Pr
scb.R") ships ASReml-R's predictions (Adv_Scb_21blues.csv, 880 trait x line BLUEs with
standard errors); the same model with ``trait:germplasmName`` reproduces them to 1e-5 (SEs
to 4e-7 relative). Only the structures of one factor's levels (us, diag, idh, id, idv)
with that single factor as their argument are read so; any other variance structure in
the fixed formula stays an error (see :mod:`asr_py.formula.model`).
"""
from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from asr_py.formula.ast import Call, Formula, Name, Node

__all__ = ["LEVEL_STRUCTURES", "fixed_as_factors"]

#: structures whose meaning in the fixed formula is the factor they are written around
LEVEL_STRUCTURES = frozenset({"us", "diag", "idh", "id", "idv"})


def _strip(node: Any) -> Any:
    if isinstance(node, Call) and node.func in LEVEL_STRUCTURES and len(node.args) == 1 \
            and node.args[0].name is None and isinstance(node.args[0].value, Name):
        return node.args[0].value
    if isinstance(node, tuple):
        new = tuple(_strip(x) for x in node)
        return node if all(a is b for a, b in zip(new, node)) else new
    if not isinstance(node, Node):
        return node
    changes = {}
    for f in fields(node):
        if f.name == "span":
            continue
        old = getattr(node, f.name)
        new = _strip(old)
        if new is not old:
            changes[f.name] = new
    return replace(node, **changes) if changes else node


def _has_level_call(node: Any) -> bool:
    """Whether a level structure is called anywhere under ``node`` (an explicit stack: a
    formula of a thousand terms is a tree a thousand deep)."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, tuple):
            stack.extend(n)
        elif isinstance(n, Node):
            if isinstance(n, Call) and n.func in LEVEL_STRUCTURES:
                return True
            stack.extend(getattr(n, f.name) for f in fields(n) if f.name != "span")
    return False


def fixed_as_factors(f: Formula) -> Formula:
    """The fixed formula ``f`` with ``us(x)``, ``diag(x)``, ... of one factor ``x`` in its
    terms read as ``x`` (the response side is left as it is); ``f`` itself when none."""
    if not _has_level_call(f.rhs):
        return f
    rhs = _strip(f.rhs)
    return f if rhs is f.rhs else replace(f, rhs=rhs)
