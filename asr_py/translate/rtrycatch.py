"""R's ``tryCatch(expr, error = function(e) ..., finally = ...)`` in translated scripts.

R semantics kept (R 4 ``?tryCatch``, ``?conditions``):

* ``expr`` is evaluated where ``tryCatch`` stands (its assignments, ``{ fit <- asreml(...) }``,
  are the caller's); its value, the value of its last expression, is ``tryCatch``'s value.
* When evaluating ``expr`` signals an error, evaluation stops and the ``error`` handler is
  called with the condition; its value is ``tryCatch``'s value. The handler is a function:
  its ``<-`` assignments are its own and its ``return(v)`` ends the handler only, so it is
  translated as a local ``def`` called with the condition. The condition's ``$message`` and
  ``conditionMessage(e)`` are the error's text (Python's message, not R's wording).
* ``finally`` is evaluated on the way out, error or not (Python's ``finally``).
* With no handler, ``tryCatch(expr)`` is ``expr``.

Used as ``x <- tryCatch(...)`` (or ``fits[[i]] <- tryCatch(...)``: the value through a name
of its own, then assigned to the element), as a statement, or as a function's last
expression (its value is returned). Not translated (a TODO, never a silently different
result): handlers of other conditions (``warning =``: R aborts ``expr`` at the first
warning, ``message =``, custom classes), a value-giving ``expr`` whose last statement is a
loop or an ``if``.

An error raised because a value of untranslated R code was needed is never handled: the
handler would hide that the translation is incomplete (asr_py.translate.checks).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from asr_py.translate.parser import R, Untranslatable

if TYPE_CHECKING:
    from asr_py.translate.printer import BasePrinter

__all__ = ["FUNCS", "is_trycatch", "r_condition", "r_condition_message", "trycatch_lines"]

#: R function -> (runtime helper, formals in R's order, packages it may be called from)
FUNCS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "conditionMessage": ("r_condition_message", ("c",), ("base",)),
}

def is_trycatch(e: R | None) -> bool:
    """Whether ``e`` is a call of ``tryCatch``."""
    return e is not None and e.kind == "call" and e.value in ("tryCatch", "base::tryCatch")


def _parts(call: R) -> tuple[R | None, R | None, R | None]:
    """(expr, error handler, finally) of a tryCatch call; other handlers: Untranslatable."""
    expr = handler = fin = None
    for name, a in call.args:
        if name in (None, "expr") and expr is None and a.kind != "empty":
            expr = a
        elif name == "error":
            handler = a
        elif name == "finally":
            fin = a
        else:
            raise Untranslatable(f"tryCatch({name or '...'} = ): only error = and finally = "
                                 "handlers are translated")
    return expr, handler, fin


def _statements(e: R) -> list[R]:
    body = e.body if e.kind == "block" else [e]
    return [s for s in body if s.kind not in ("comment", "blank")]


def _value_lines(p: BasePrinter, last: R, target: R, depth: int) -> list[str]:
    """Lines that evaluate ``last`` (the last statement of ``expr``) and bind its value."""
    if last.kind == "bin" and last.value in ("<-", "=") and last.left is not None and \
            last.left.kind == "name":
        # (a <- v) is v: assign, then bind the target to a
        return p.statement(last, depth) + [f"{p.py(target)} = {p.py(last.left)}"]
    if last.kind == "call" and last.value in ("stop", "abort"):
        return p.statement(last, depth)               # raises: no value to bind
    if last.kind in ("if", "for", "while", "repeat", "block", "function", "bad") or \
            last.kind == "bin" and last.value in ("<-", "=", "<<-"):
        raise Untranslatable("tryCatch() whose value is given by a loop, an if or an "
                             "assignment to an element")
    return p.statement(R("bin", "<-", left=target, right=last, start=last.start,
                         end=last.end), depth)


def trycatch_lines(p: BasePrinter, call: R, target: R | None, depth: int,
                   returning: bool = False) -> list[str]:
    """``tryCatch(...)`` as a statement (``target`` None), as ``target <- tryCatch(...)``, or
    (``returning``) as a function's last expression: see the module docstring."""
    expr, handler, fin = _parts(call)
    if expr is None:
        raise Untranslatable("tryCatch() without an expression")
    if returning and target is None:
        target = R("name", "_trycatch_value")
    if target is not None and target.kind not in ("name", "str"):
        # fits[[i]] <- tryCatch(...): the value (expr's or the handler's) through a name of
        # its own, then assigned to the element as R assigns it
        element = target
        k = getattr(p, "_trycatch_n", 0) + 1
        p._trycatch_n = k                               # type: ignore[attr-defined]
        tmp = R("name", f"_trycatch_value_{k}", start=element.start, end=element.end)
        return trycatch_lines(p, call, tmp, depth) + p.statement(
            R("bin", "<-", left=element, right=tmp, start=element.start, end=element.end),
            depth)
    stmts = _statements(expr)
    body: list[str] = []
    for s in stmts[:-1] if target is not None else stmts:
        body += p.statement(s, depth + 1)
    if target is not None:
        if stmts:
            body += _value_lines(p, stmts[-1], target, depth + 1)
        else:
            body.append(f"{p.py(target)} = None")        # tryCatch({}) is NULL
        p.assigned.add(target.value)
    out: list[str] = []
    if handler is not None:
        n = getattr(p, "_trycatch_n", 0) + 1
        p._trycatch_n = n                                # type: ignore[attr-defined]
        if handler.kind == "function":
            name = f"_trycatch_error_{n}"
            out += p.def_(name, handler, depth)          # the handler: a function of its own
            fun = name
        elif handler.kind == "name":
            fun = p.py(handler)
        else:
            raise Untranslatable("tryCatch(error = ) that is not a function")
        cond = f"{p.runtime('r_condition')}(_trycatch_exc)"
        caught = (f"{p.py(target)} = {fun}({cond})" if target is not None else
                  f"{fun}({cond})")
    out += ["try:"] + _indent(_block(body))
    if handler is not None:
        out += ["except Exception as _trycatch_exc:  # R's tryCatch(error = )",
                f"    {caught}"]
    if fin is not None:
        fin_lines: list[str] = []
        for s in _statements(fin):
            fin_lines += p.statement(s, depth + 1)
        out += ["finally:  # R's tryCatch(finally = )"] + _indent(_block(fin_lines))
    elif handler is None:
        out = body                                   # tryCatch(expr): just expr
    if returning:
        out.append(f"return {p.py(target)}")
    return out


def _block(lines: list[str]) -> list[str]:
    """A Python block's lines: ``pass`` added when there is no statement (only comments)."""
    code = any(ln.strip() and not ln.lstrip().startswith("#") for ln in lines)
    return lines if code else lines + ["pass"]


def _indent(lines: list[str]) -> list[str]:
    return [("    " + ln) if ln else ln for ln in "\n".join(lines).split("\n")]


def r_condition(exc: BaseException) -> dict[str, Any]:
    """The condition an R error handler receives: ``$message`` (the error's text) and
    ``$call`` (NULL). An error from needing the value of untranslated code is raised again:
    handling it would hide that the translation is incomplete."""
    from asr_py.translate.checks import UntranslatedValueError

    if isinstance(exc, UntranslatedValueError):
        raise exc
    return {"message": str(exc), "call": None}


def r_condition_message(c: Any) -> str:
    """R's ``conditionMessage(c)``: the condition's message."""
    if isinstance(c, dict) and "message" in c:
        return str(c["message"])
    if isinstance(c, BaseException):
        return str(c)
    raise TypeError("conditionMessage(): not a condition")
