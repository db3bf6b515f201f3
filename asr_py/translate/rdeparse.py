"""R's ``deparse()`` of an expression as the script wrote it, in R's layout: a space after
each comma (``x[, 2:4]``), around binary operators except ``:``, ``^``, ``$``, ``::``, ``@``
(``a + b``, ``1:3``), ``name = value`` in calls, strings in double quotes. as.data.frame(v)
and cbind(v) name a column by it (``as.data.frame(rowSums(d[,2:4]))`` has the column
``rowSums(d[, 2:4])``); None for a form not handled here."""
from __future__ import annotations

from asr_py.translate.parser import EXACT, R

__all__ = ["deparse"]

_TIGHT = {":", "^", "$", "@", "::", ":::"}


def _num(text: str) -> str:
    """A number as R prints it (15 significant digits, no trailing zeros: 2.50 -> 2.5)."""
    t = text.rstrip("L")
    try:
        v = float(t)
    except ValueError:
        return text
    return str(int(v)) if v.is_integer() and abs(v) < 1e15 else f"{v:.15g}"


def _arg(n: str | None, a: R) -> str | None:
    if a.kind == "empty":
        return "" if n is None else f"{n} = "
    v = deparse(a)
    if v is None:
        return None
    return v if n is None else f"{n} = {v}"


def _args(args: list[tuple[str | None, R]]) -> str | None:
    parts = [_arg(n, a) for n, a in args]
    if any(p is None for p in parts):
        return None
    return ", ".join(p for p in parts if p is not None)


def deparse(e: R) -> str | None:
    """The R text of ``e`` (module docstring); None when a part is not handled."""
    k = e.kind
    if k == "name":
        return e.value
    if k == "num":
        return _num(e.value)
    if k == "str":
        return '"' + e.value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if k == "paren" and (e.right or e.left) is not None:
        inner = deparse(e.right or e.left)  # type: ignore[arg-type]
        return None if inner is None else f"({inner})"
    if k == "dollar" and e.left is not None:
        left = deparse(e.left)
        if left is not None and EXACT in e.comments:      # x[["a"]] as written
            return f"{left}[[{deparse(R('str', e.value))}]]"
        return None if left is None else f"{left}${e.value}"
    if k == "unary" and e.right is not None:
        right = deparse(e.right)
        return None if right is None else f"{e.value}{right}"
    if k in ("bin", "formula") and e.right is not None:
        right = deparse(e.right)
        left = deparse(e.left) if e.left is not None else ""
        if right is None or left is None:
            return None
        op = e.value or "~"
        if e.left is None:
            return f"{op}{right}"
        return f"{left}{op}{right}" if op in _TIGHT else f"{left} {op} {right}"
    if k == "call":
        inner = _args(e.args)
        head = e.value or (deparse(e.left) if e.left is not None else None)
        return None if inner is None or head is None else f"{head}({inner})"
    if k == "index" and e.left is not None:
        left = deparse(e.left)
        inner = _args(e.args)
        if left is None or inner is None:
            return None
        close = "]]" if e.value == "[[" else "]"
        return f"{left}{e.value}{inner}{close}"
    return None
