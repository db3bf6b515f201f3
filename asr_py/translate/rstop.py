"""``stop(...)`` (and rlang's ``abort(message)``) where R uses its value: a function's last
expression, a branch of ``if``/``else`` whose value is used, a ``switch()`` default, the body
of an anonymous function (``function(e) stop("failed: ", e$message)`` as a tryCatch handler,
``sapply(x, function(v) if (v > 0) v else stop("negative"))``).

R semantics kept (base R ``?stop``): the call signals an error whose message is its unnamed
arguments pasted together with no separator (``paste0``; each as R prints a single value:
``stop("k = ", 2)`` says "k = 2"); ``call.`` and ``domain`` change only how R prints the
error. It never returns, so it has no value. A statement ``stop(...)`` is Python's
``raise`` (asreml_rules.top); in an expression the helper ``r_stop`` raises the same error
(RuntimeError, which a translated ``tryCatch(error = )`` catches, its ``conditionMessage()``
the message).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R, Untranslatable

__all__ = ["FUNCTIONS", "r_stop", "translate"]

FUNCTIONS = frozenset({"stop", "base::stop", "abort", "rlang::abort"})

#: named arguments that only change how R prints the error
_PRINTING = {"stop": frozenset({"call.", "domain"}),
             "abort": frozenset({"class", "call", "body", "footer", "trace", "parent",
                                 "use_cli_format", ".internal", ".file", ".frame"})}


def translate(tr: Any, e: R) -> str | None:
    """``stop(a, b)`` in an expression -> ``r_stop(a, b)``; ``abort(message)`` likewise."""
    f = e.value.split("::")[-1]
    named = [n for n, _ in e.args if n is not None]
    if f == "abort":
        msg = [a for n, a in e.args if n in (None, "message")]
        if len(msg) != 1 or set(named) - {"message"} - _PRINTING["abort"]:
            raise Untranslatable("abort() with other than one message")
        parts = msg
    else:
        if set(named) - _PRINTING["stop"]:
            raise Untranslatable(f"stop({sorted(set(named) - _PRINTING['stop'])[0]} = )")
        parts = [a for n, a in e.args if n is None]
    return f"{tr.runtime('r_stop')}({', '.join(tr.py(a) for a in parts)})"


def _text(v: Any) -> str:
    """One argument as R's paste0 gives it (a number as R prints it: 2, not 2.0)."""
    if isinstance(v, Untranslated):
        raise v._needs_value("stop()")
    if isinstance(v, bool | np.bool_):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float | np.floating) and float(v).is_integer():
        return str(int(v))
    if isinstance(v, np.integer):
        return str(int(v))
    if v is None:
        return ""
    if isinstance(v, list | tuple | np.ndarray):
        return "".join(_text(x) for x in np.ravel(np.asarray(v, dtype=object)))
    return str(v)


def r_stop(*parts: Any) -> Any:
    """``stop(...)`` in an expression: raises the error R signals (module docstring)."""
    raise RuntimeError("".join(_text(p) for p in parts))
