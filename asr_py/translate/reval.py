"""base R's ``eval(x)`` of a value the translation already holds: ``eval(fit$call$data)``
(the data frame a fit was made with), ``fit$call$fixed <- eval(fit$call$fixed)`` (the
formula itself) and ``eval(cl)`` of a fit's call ``cl <- fit$call`` changed by
``cl$fixed <- y ~ x`` (the model refitted with those arguments).

R semantics kept (``?eval``): ``eval(expr)`` evaluates an R language object (a call, a
symbol) in the calling environment; any other value is returned as it is. In a translated
script the arguments of a fit's call are held evaluated (:class:`asr_py.results.call_args.
CallArgs`: the data frame, the formula text), so ``eval()`` of one of them is that value,
and ``eval()`` of the whole call runs ``asr.asreml()`` with its arguments (asremlPlus'
record ``setvparameters`` is no asreml argument). ``eval(parse(text = ))``, ``eval(quote(
))``, ``eval(expr, envir)`` and rlang's quasiquotation are other constructs (not here).
"""

from __future__ import annotations

from typing import Any

from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R

__all__ = ["FUNCTIONS", "r_eval", "translate"]

FUNCTIONS = frozenset({"eval", "base::eval"})

#: calls whose value is an R language object the translation does not hold
_LANGUAGE = frozenset({"parse", "quote", "bquote", "substitute", "expression", "deriv",
                       "str2lang", "str2expression", "as.name", "as.symbol", "call",
                       "as.call", "sym", "expr", "quo", "enquo"})


def translate(tr: Any, e: R) -> str | None:
    """``eval(x)`` (one argument, not a language object) -> ``r_eval(x)``."""
    if len(e.args) != 1 or e.args[0][0] not in (None, "expr"):
        return None
    x = e.args[0][1]
    if x.kind == "call" and x.value.split("::")[-1] in _LANGUAGE:
        return None
    return f"{tr.runtime('r_eval')}({tr.py(x)})"


def r_eval(x: Any) -> Any:
    """``eval(x)``: see the module docstring."""
    from asr_py.results.call_args import CallArgs

    if isinstance(x, Untranslated):
        return x._use()
    if isinstance(x, CallArgs):
        import asr_py

        return asr_py.asreml(**{k: v for k, v in x.items() if k != "setvparameters"})
    return x
