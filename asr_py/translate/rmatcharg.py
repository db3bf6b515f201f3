"""R's ``match.arg(arg, choices, several.ok = FALSE)``.

Without ``choices``, the choices are the default of the enclosing function's formal named
``arg`` (``f <- function(engine = c("asreml", "lme4")) { engine <- match.arg(engine) ...``).
R's rules (base::match.arg): NULL gives the first choice; ``arg`` must be text; unless
``several.ok``, an ``arg`` identical to the choices (the caller left it out) gives the first
choice and more than one value is an error; each value is matched with ``pmatch()`` (an exact
match, else the one choice it is a prefix of); no match at all is R's error "'arg' should be
one of ...", several matches without ``several.ok`` "there is more than one match". The
value is the matched choices (one: a text).
"""

from __future__ import annotations

from typing import Any

from asr_py.errors import AsrError
from asr_py.translate.parser import R, Untranslatable
from asr_py.translate.rmatchargs import ArgMatchError, match_args

__all__ = ["FUNCTIONS", "r_match_arg", "translate"]

FUNCTIONS = frozenset({"match.arg", "base::match.arg"})


def translate(tr: Any, e: R) -> str | None:
    """``match.arg(x)`` of a formal with a default, or ``match.arg(x, choices)``."""
    try:
        got = match_args(("arg", "choices", "several.ok"), e.args, "match.arg")
    except ArgMatchError:
        return None
    if "arg" not in got:
        return None
    arg = got["arg"]
    if "choices" in got:
        choices = tr.py(got["choices"])
    else:
        defaults = getattr(tr, "defaults", {})
        if arg.kind != "name" or arg.value not in defaults:
            raise Untranslatable("match.arg() of an argument without a default")
        choices = tr.py(defaults[arg.value])
    several = f", several_ok={tr.py(got['several.ok'])}" if "several.ok" in got else ""
    return f"{tr.runtime('r_match_arg')}({tr.py(arg)}, {choices}{several})"


def _texts(x: Any, what: str) -> list[Any]:
    if isinstance(x, str):
        return [x]
    try:
        return list(x)
    except TypeError:
        raise AsrError(f"match.arg(): {what} must be a character vector, not {x!r}",
                       hint="R: 'arg' must be NULL or a character vector") from None


def _pmatch(value: str, choices: list[str]) -> int | None:
    """R's pmatch() of one value: an exact match, else the one choice it prefixes."""
    if value in choices:
        return choices.index(value)
    hits = [k for k, c in enumerate(choices) if value and str(c).startswith(value)]
    return hits[0] if len(hits) == 1 else None


def r_match_arg(arg: Any, choices: Any, several_ok: Any = False) -> Any:
    """``match.arg(arg, choices, several.ok)``: see the module docstring."""
    opts = _texts(choices, "choices")
    several = bool(several_ok[0] if isinstance(several_ok, list) else several_ok)
    if arg is None:
        return opts[0] if opts else None
    vals = _texts(arg, "'arg'")
    if not all(isinstance(v, str) for v in vals):
        raise AsrError(f"match.arg({arg!r}): 'arg' must be NULL or a character vector",
                       hint="give one of " + ", ".join(map(repr, opts)))
    if not several:
        if vals == opts:
            return opts[0]
        if len(vals) > 1:
            raise AsrError(f"match.arg({vals!r}): 'arg' must be of length 1",
                           hint="choose one of " + ", ".join(map(repr, opts)))
    elif not vals:
        raise AsrError("match.arg(): 'arg' must be of length >= 1",
                       hint="give at least one of " + ", ".join(map(repr, opts)))
    hits = [k for k in (_pmatch(v, opts) for v in vals) if k is not None]
    if not hits:
        raise AsrError(f"match.arg({vals[0] if len(vals) == 1 else vals!r}): 'arg' should be "
                       "one of " + ", ".join(f"“{o}”" for o in opts),
                       hint="R matches a unique prefix of one of the choices")
    if not several and len(hits) > 1:
        raise AsrError("there is more than one match in 'match.arg'", hint="give one value")
    out = [opts[k] for k in hits]
    return out[0] if len(out) == 1 else out
