"""testthat's ``capture_warnings(code)``: the messages of the warnings ``code`` gives, as a
character vector (``character(0)`` when none), the warnings muffled (testthat 3,
``?capture_warnings``: "capture_warnings() captures all warnings ... returns a character
vector of messages").

``code`` is evaluated where the call stands, so its assignments are the caller's:
``w <- capture_warnings(out <- f(x))`` binds both ``out`` and ``w``. As a statement it is

    with r_capture_warnings() as w:
        out = f(x)

(``w`` is the list of the messages once the block has run); as a value
(``any(grepl("x", capture_warnings(f(x))))``) the code, an expression, runs in a lambda.
The messages are the Python warnings' texts (asr_py's wording, not R's). R's own
``warning(...)`` in a translated script is :func:`r_warning`, a Python warning whose message
is its arguments pasted together (R: ``.makeMessage(...)``), so it is captured too.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R

if TYPE_CHECKING:
    from asr_py.translate.printer import BasePrinter

__all__ = ["FUNCTIONS", "RWarning", "r_capture_warnings", "r_warning", "statement", "translate"]

FUNCTIONS = frozenset({"capture_warnings", "testthat::capture_warnings"})


def _code(call: R) -> R | None:
    """The one ``code`` argument of a capture_warnings() call (None: another form)."""
    if len(call.args) != 1 or call.args[0][0] not in (None, "code"):
        return None
    return call.args[0][1]


def statement(p: BasePrinter, s: R, depth: int) -> list[str] | None:
    """``w <- capture_warnings(code)`` or ``capture_warnings(code)`` as a statement -> a
    ``with r_capture_warnings() as w:`` block running ``code``'s statements; None when
    ``s`` is not one."""
    target, call = None, s
    if s.kind == "bin" and s.value in ("<-", "=", "<<-") and s.right is not None:
        if s.left is None or s.left.kind not in ("name", "str"):
            return None
        target, call = s.left, s.right
    if call.kind != "call" or call.value not in FUNCTIONS or call.value in p.functions:
        return None
    code = _code(call)
    if code is None:
        return None
    body: list[str] = []
    for st in code.body if code.kind == "block" else [code]:
        body += p.statement(st, depth + 1)
    if not any(ln.strip() and not ln.lstrip().startswith("#") for ln in body):
        body.append("pass")
    name = "_" if target is None else p.py(target)
    if target is not None:
        p.assigned.add(target.value)
    lines = "\n".join(body).split("\n")
    return [f"with {p.runtime('r_capture_warnings')}() as {name}:"] + \
        [("    " + ln) if ln else ln for ln in lines]


def translate(p: Any, e: R) -> str | None:
    """``capture_warnings(expr)`` as a value -> ``r_capture_warnings(lambda: expr)``."""
    code = _code(e)
    if code is None or code.kind == "block":
        return None
    return f"{p.runtime('r_capture_warnings')}(lambda: {p.py(code)})"


class _Captured(contextlib.AbstractContextManager):
    """The ``with`` form: the list of messages, filled when the block ends."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self._cm = warnings.catch_warnings(record=True)

    def __enter__(self) -> list[str]:
        self._rec = self._cm.__enter__()
        warnings.simplefilter("always")
        return self.messages

    def __exit__(self, *exc: Any) -> None:
        self._cm.__exit__(*exc)
        self.messages.extend(str(w.message) for w in self._rec)


def r_capture_warnings(code: Callable[[], Any] | None = None) -> Any:
    """With ``code``: run it and return the messages of its warnings (a list of str);
    without: a context manager whose ``as`` target is that list, filled on exit."""
    if code is None:
        return _Captured()
    with _Captured() as got:
        v = code()
    if isinstance(v, Untranslated):      # the code's warnings are not known
        return v._use()
    return got


class RWarning(UserWarning):
    """A warning R code of the translated script gave with ``warning()``."""


def r_warning(*args: Any) -> str:
    """R's ``warning(...)``: a warning whose message is the arguments pasted with no
    separator (each vector's elements in turn); the message is the (invisible) value."""
    parts: list[str] = []
    for a in args:
        if isinstance(a, Untranslated):
            return a._use()
        if isinstance(a, str) or not hasattr(a, "__iter__"):
            parts.append(_text(a))
        else:
            parts.extend(_text(x) for x in a)
    msg = "".join(parts)
    warnings.warn(msg, RWarning, stacklevel=2)
    return msg


def _text(x: Any) -> str:
    if isinstance(x, bool):
        return "TRUE" if x else "FALSE"
    if isinstance(x, float):
        return f"{x:.15g}"          # R's as.character(): 15 significant digits
    return str(x)
