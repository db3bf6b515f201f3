"""R's ``capture.output(..., file = NULL, append = FALSE)``: the text printed while the
expressions are evaluated, one element per line (utils::capture.output).

Each expression is evaluated in turn and, when its value is visible (not an assignment,
not ``print()``/``cat()``/``message()``/``invisible()``, whose output is the text itself),
printed as at the top level. With ``file`` the lines are written there (``append``: added)
and the value is NULL; without, the lines are the value. The text is asr_py's printing of
the objects (pandas' tables, Python's numbers), not R's: a script comparing it with R's
printed text gets a NOTE. As a statement with ``file`` and assignments or a ``{ }`` block,
``capture.output(fit <- f(...), file = tempfile())`` (output silenced), the statements run
with their printing sent to the file.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterator
from typing import Any

from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R
from asr_py.translate.rmatchargs import ArgMatchError, match_args

__all__ = ["FUNCTIONS", "r_capture_output", "r_capture_to", "statement", "translate"]

FUNCTIONS = frozenset({"capture.output", "utils::capture.output"})
_FORMALS = ("...", "file", "append", "type", "split")
_QUIET = frozenset({"print", "cat", "message", "invisible", "writeLines", "suppressWarnings",
                    "suppressMessages", "library", "require"})
_NOTE = ("# NOTE(asr_py): capture.output(): the lines are asr_py's printing of the values, "
         "not R's printed text")


def _match(e: R) -> dict[str, Any] | None:
    try:
        got = match_args(_FORMALS, e.args, "capture.output")
    except ArgMatchError:
        return None
    if "type" in got or "split" in got:
        return None
    return got


def _visible(a: R) -> bool:
    if a.kind == "bin" and a.value in ("<-", "=", "<<-"):
        return False
    return not (a.kind == "call" and a.value in _QUIET)


def translate(tr: Any, e: R) -> str | None:
    """``capture.output(e1, e2, file =, append =)`` -> ``r_capture_output([...], ...)``."""
    got = _match(e)
    if got is None:
        return None
    exprs = [a for n, a in got.get("...", []) if n is None]
    if any(a.kind == "block" or not _visible(a) and a.kind == "bin" for a in exprs):
        return None                                  # statements: statement() below
    tr._note_once(_NOTE)
    items = ", ".join(f"(lambda: {tr.py(a)}, {_visible(a)})" for a in exprs)
    extra = "".join(f", {k}={tr.py(got[k])}" for k in ("file", "append") if k in got)
    return f"{tr.runtime('r_capture_output')}([{items}]{extra})"


def statement(tr: Any, e: R, depth: int) -> list[str] | None:
    """``capture.output(x <- f(), { ... }, file = f)`` as a statement: the statements run
    inside ``with r_capture_to(f):`` (their printing goes to the file)."""
    if e.kind != "call" or e.value not in FUNCTIONS or e.value in tr.functions:
        return None
    got = _match(e)
    if got is None or "file" not in got:
        return None
    exprs = [a for n, a in got.get("...", []) if n is None]
    if not exprs or not any(a.kind == "block" or a.kind == "bin" and not _visible(a)
                            for a in exprs):
        return None
    body: list[R] = []
    for a in exprs:
        body.extend(a.body if a.kind == "block" else [a])
    app = f", append={tr.py(got['append'])}" if "append" in got else ""
    lines = tr.block(body, depth + 1)
    return [f"with {tr.runtime('r_capture_to')}({tr.py(got['file'])}{app}):"] + \
        ["    " + ln for ln in lines]


@contextlib.contextmanager
def r_capture_to(file: Any, append: Any = False) -> Iterator[None]:
    """Send what is printed inside the ``with`` block to ``file`` (R's capture.output)."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        yield
    if file is not None and not isinstance(file, Untranslated):
        with open(str(file), "a" if _flag(append) else "w", encoding="utf-8") as fh:
            fh.write(buf.getvalue())


def _flag(v: Any) -> bool:
    return bool(v[0] if isinstance(v, list) and len(v) == 1 else v)


def r_capture_output(items: list[tuple[Callable[[], Any], bool]], file: Any = None,
                     append: Any = False) -> Any:
    """``capture.output(...)``: see the module docstring."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        for fn, visible in items:
            v = fn()
            if isinstance(v, Untranslated):
                return v._use()
            if visible and v is not None:
                print(v)
    lines = buf.getvalue().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if file is not None:
        with open(str(file), "a" if _flag(append) else "w", encoding="utf-8") as fh:
            fh.write("".join(ln + "\n" for ln in lines))
        return None
    return lines
