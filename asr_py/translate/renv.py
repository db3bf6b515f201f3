"""R's environment functions for translated scripts: ``ls()``, ``get()``, ``assign()``,
``exists()``, and ``eval(parse(text = s))``; their translation and their runtime.

A translated script keeps its R variables as Python names (``pyname``: ``mod.1`` ->
``mod_1``), so these functions map R names to Python ones:

* ``ls()`` lists the variables bound when it runs (by their R names where the script
  assigned them, e.g. ``mod.1``; a name made by ``assign()`` as Python spells it), sorted
  as R sorts them in an English locale (case-insensitive, a lower-case letter before its
  capital); ``ls(pattern = p)`` keeps the names matching p. Inside a function it lists
  that function's variables, as R's ``ls()`` there.
* ``get(x)`` reads the variable named by the text x (the function's own first, then the
  script's); a name not bound is R's error "object 'x' not found".
* ``assign(x, value)`` binds it in the script's namespace (Python cannot add a variable to
  a running function; a later ``get()`` in that function finds it there).
* ``exists(x)`` is TRUE when a variable named by the text x is bound (the function's, then
  the script's; also one whose R code was not translated: R assigned it) or x is a function
  the script defines; else FALSE (R's ``exists()`` also finds base R's functions: the
  translation knows no list of them, so ``exists("mean")`` is FALSE here).
* ``rm(a, b)`` unbinds them (so ``ls()`` no longer lists them).
* ``eval(parse(text = s))`` of a name is ``get(s)``; other R code in s is translated when the
  script runs and evaluated in the script's namespace (its value: the last expression's).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import Untranslatable

if TYPE_CHECKING:
    from asr_py.translate.parser import R

__all__ = ["FUNCTIONS", "r_assign_name", "r_eval_text", "r_exists", "r_get", "r_ls",
           "r_ls_list", "r_rm", "rm_statement", "translate"]

_R_NAME = re.compile(r"(?:[A-Za-z]|\.(?![0-9]))[\w.]*|\.")


def _py(name: str) -> str:
    from asr_py.translate.printer import pyname

    return pyname(name)


def _name_of(x: Any, what: str) -> str:
    if isinstance(x, Untranslated):
        x._use()
    if hasattr(x, "__len__") and not isinstance(x, str):
        vals = list(x)
        if len(vals) != 1:
            raise AsrError(f"{what}(x): x must be one name, not {len(vals)} values",
                           hint="index the vector of names, e.g. get(vars[i])")
        x = vals[0]
    if not isinstance(x, str):
        raise AsrError(f"{what}(x): x must be a name (text), not {type(x).__name__}",
                       hint="R's get()/assign() take the variable's name as a string")
    return x


def _r_sort_key(name: str) -> tuple[str, str]:
    return name.casefold(), name.swapcase()


def _user_value(key: str, value: Any) -> bool:
    """Whether a namespace entry is a variable of the script (bound by assign(), say), not
    the translation's machinery: imported modules and helpers, Python's dunder names."""
    import types

    if key.startswith("_") or isinstance(value, types.ModuleType):
        return False
    mod = getattr(value, "__module__", None) if callable(value) else None
    return not (isinstance(mod, str) and mod.split(".")[0] in ("asr_py", "numpy", "pandas",
                                                             "builtins", "typing"))


def r_ls(names: list[str], ns_globals: dict[str, Any], ns_locals: dict[str, Any] | None = None,
         pattern: str | None = None) -> np.ndarray:
    """R's ``ls()``: those of the R ``names`` (assigned by the script) bound in the
    namespace (the function's own inside a function), sorted as R sorts them."""
    ns = ns_globals if ns_locals is None or ns_locals is ns_globals else ns_locals
    known = {_py(n): n for n in names}
    found = {known.get(k, k) for k, v in ns.items() if k in known or _user_value(k, v)}
    out = sorted((n for n in found if not isinstance(ns[_py(n)], Untranslated)),
                 key=_r_sort_key)
    if pattern is not None:
        from asr_py.translate.rstring import _regex

        rx = _regex(pattern)
        out = [n for n in out if rx.search(n)]
    return np.array(out, dtype=object)      # a character vector: x[mask] works on it


def r_ls_list(x: Any) -> np.ndarray:
    """R's ``ls(x)`` of a list (or data frame): ``as.environment(x)``'s names, sorted as R
    sorts them; an error for anything else (an environment asr_py does not model)."""
    if isinstance(x, Untranslated):
        return x._use()
    if isinstance(x, pd.DataFrame):
        names = [str(c) for c in x.columns]
    elif isinstance(x, dict):
        names = [str(k) for k in x]
    else:
        raise AsrError(f"ls(x): x is a {type(x).__name__}, not a list or an environment "
                       "asr_py models", hint="names(x) lists a list's elements")
    return np.array(sorted(names, key=_r_sort_key), dtype=object)


def r_get(x: Any, ns_globals: dict[str, Any], ns_locals: dict[str, Any] | None = None) -> Any:
    """R's ``get(x)``: the value of the variable named ``x``."""
    from asr_py.translate.rcoalesce import mask_column

    name = _name_of(x, "get")
    col = mask_column(name)                 # in across(): the data mask's column first
    if col is not None:
        return col
    key = _py(name)
    for ns in (ns_locals, ns_globals):
        if ns is not None and key in ns:
            val = ns[key]
            return val._use() if isinstance(val, Untranslated) else val
    raise AsrError(f"get({name!r}): object '{name}' not found",
                   hint="the script must assign it before this line (R's error too)")


def r_exists(x: Any, ns_globals: dict[str, Any],
              ns_locals: dict[str, Any] | None = None) -> bool:
    """R's ``exists(x)``: whether a variable named ``x`` is bound (see the module
    docstring)."""
    key = _py(_name_of(x, "exists"))
    return any(ns is not None and key in ns for ns in (ns_locals, ns_globals))


def r_assign_name(x: Any, value: Any, ns_globals: dict[str, Any]) -> Any:
    """R's ``assign(x, value)``: binds the variable named ``x``; returns value (invisibly
    in R)."""
    name = _name_of(x, "assign")
    ns_globals[_py(name)] = value
    return value


def r_eval_text(text: Any, ns_globals: dict[str, Any],
                ns_locals: dict[str, Any] | None = None, show: bool = False) -> Any:
    """R's ``eval(parse(text = text))``: a name's value, else the R code translated and run
    in the script's namespace (the value of its last expression). ``show``: a top-level
    statement, whose value R prints unless the code ends in an assignment (invisible)."""
    value, visible = _eval_text(text, ns_globals, ns_locals)
    if show and visible and value is not None:
        print(value)
    return value


def _eval_text(text: Any, ns_globals: dict[str, Any],
               ns_locals: dict[str, Any] | None) -> tuple[Any, bool]:
    """The value of ``eval(parse(text = text))`` and whether R shows it (not after an
    assignment)."""
    if isinstance(text, Untranslated):
        return text._use(), True
    vals = [text] if isinstance(text, str) else list(text)
    if not vals or not all(isinstance(v, str) for v in vals):
        raise AsrError("eval(parse(text = s)): s must be R code as text",
                       hint="a character vector of R code")
    code = "\n".join(vals).strip()
    if _R_NAME.fullmatch(code):
        return r_get(code, ns_globals, ns_locals), True
    from asr_py import translate
    from asr_py.translate.parser import parse_program

    # code ending in an assignment (a model call pasted as text, "m <- asreml(...)"): run
    # as it stands, its value is the assigned variable's; else the value of the code's last
    # expression, taken by assigning the code as a block
    try:
        last = parse_program(code)[-1:]
    except Exception:  # noqa: BLE001 - the translation below reports unparsable code
        last = []
    is_assign = bool(last) and last[0].kind == "bin" and last[0].value in ("<-", "=", "<<-") \
        and last[0].left is not None and last[0].right is not None
    assigned = last[0].left.value if is_assign and last[0].left.kind == "name" else None
    var = _py(assigned) if assigned else "asr_eval_value_"
    if assigned:
        py = translate(code)
    elif is_assign:
        # a replacement assignment ("x$a <- v", "x[i] <- v"): run as it stands, its value
        # (R's value of an assignment) the right-hand side's, computed once
        e, lhs, rhs = last[0], last[0].left, last[0].right
        py = translate(f"{code[:e.start]}{var} <- {code[rhs.start:rhs.end]}\n"
                       f"{code[lhs.start:lhs.end]} <- {var}")
    else:
        py = translate(f"{var} <- {{\n{code}\n}}")
    if "untranslated(" in py:
        raise AsrError(f"eval(parse(text = {code[:60]!r})): that R code cannot be translated",
                       hint="translate the code by hand where the script builds it")
    ns = ns_globals if ns_locals is None or ns_locals is ns_globals else \
        {**ns_globals, **ns_locals}
    exec(compile(py, "<eval(parse(text))>", "exec"), ns)  # noqa: S102 - R's eval()
    return (ns.get(var) if assigned else ns.pop(var, None)), not is_assign


def r_rm(names: list[str], ns_globals: dict[str, Any],
         ns_locals: dict[str, Any] | None = None) -> None:
    """R's ``rm(a, b)``: the script's variables unbound (inside a function nothing: Python
    cannot unbind a running function's variables; its ls() still lists them)."""
    if ns_locals is not None and ns_locals is not ns_globals:
        return
    for n in names:
        ns_globals.pop(_py(n), None)


def asks_names(code: str) -> bool:
    """Whether R code asks which variables exist (``ls()`` other than in ``rm(list =
    ls())``, ``exists()``, ``get()``): then ``rm()`` must unbind."""
    for m in re.finditer(r"(\blist\s*=\s*)?\b(ls|exists|get|mget)\s*\(", code):
        if not m.group(1):
            return True
    return False


def rm_statement(tr: Any, e: R) -> str:
    """``rm(a, b)`` of bare names (or their names as text) as a statement."""
    names = [a.value for _, a in e.args]
    return f"{tr.runtime('r_rm')}({names!r}, globals(), locals())"


#: the R functions this module translates -> runtime helper
FUNCTIONS = {"ls": "r_ls", "get": "r_get", "assign": "r_assign_name", "eval": "r_eval_text",
             "exists": "r_exists"}

_ENV_OK = (".GlobalEnv", "globalenv()", "environment()", "parent.frame()", "1")


def _args(e: R, formals: tuple[str, ...]) -> dict[str, R]:
    got: dict[str, R] = {}
    free = list(formals)
    for n, a in e.args:
        if n is None:
            if not free:
                raise Untranslatable(f"{e.value}(): more arguments than it takes here")
            got[free.pop(0)] = a
        else:
            hits = [f for f in formals if f == n] or [f for f in formals if f.startswith(n)]
            if len(hits) != 1:
                raise Untranslatable(f"{e.value}({n} = ): argument not supported")
            got[hits[0]] = a
            if hits[0] in free:
                free.remove(hits[0])
    return got


#: R code as text that binds a name to an asreml() fit: "m1 <- asreml(fixed = ", ...
_TEXT_FIT = re.compile(r"^\s*([A-Za-z.][\w.]*)\s*(?:<-|=)\s*(?:asreml::)?asreml\s*\(")


_ASREML_TEXT = re.compile(r"^\s*(?:asreml::)?asreml\s*\(")


def _assignments(tr: Any) -> dict[str, R]:
    """The right-hand side of each name's (last) assignment in the whole script, cached."""
    got = tr.__dict__.get("_text_assignments")
    if got is not None:
        return got  # type: ignore[no-any-return]
    from asr_py.translate.parser import parse_program

    out: dict[str, R] = {}

    def walk(e: R | None) -> None:
        if e is None:
            return
        if e.kind == "bin" and e.value in ("<-", "=", "<<-") and e.left is not None and \
                e.left.kind == "name" and e.right is not None:
            out[e.left.value] = e.right
        for x in (e.left, e.right, e.alt, *(a for _, a in e.args), *e.body):
            walk(x)

    try:
        for st in parse_program(getattr(tr, "code", "")):
            walk(st)
    except Exception:  # noqa: BLE001 - a script the parser cannot read has no such names
        out = {}
    tr.__dict__["_text_assignments"] = out
    return out


def _leading_text(tr: Any, e: R, depth: int = 0) -> str | None:
    """The text R code built by ``e`` starts with: a string, the first piece of a paste(),
    or (followed through its assignment) a variable holding one."""
    if depth > 6:
        return None
    if e.kind == "str":
        return e.value
    if e.kind == "call" and e.value in ("paste", "paste0", "sprintf") and e.args:
        return _leading_text(tr, e.args[0][1], depth + 1)
    if e.kind == "name":
        rhs = _assignments(tr).get(e.value)
        return None if rhs is None else _leading_text(tr, rhs, depth + 1)
    return None


def _strings_in(tr: Any, e: R | None, depth: int = 0) -> list[str]:
    if e is None or depth > 6:
        return []
    if e.kind == "str":
        return [e.value]
    if e.kind == "name":
        return _strings_in(tr, _assignments(tr).get(e.value), depth + 1)
    out: list[str] = []
    for x in (e.left, e.right, *(a for _, a in e.args)):
        out += _strings_in(tr, x, depth + 1)
    return out


def text_fit_kind(tr: Any, e: R) -> str | None:
    """For ``eval(parse(text = T))`` whose R code is an asreml() call (``m <-
    eval(parse(text = paste(model, "...)")))`` with ``model <- "asreml(fixed = y ~ "``):
    "startvals" when it asks start.values, else "fit"; None for any other code."""
    if not (e.kind == "call" and e.value == "eval" and len(e.args) == 1):
        return None
    inner = e.args[0][1]
    if not (inner.kind == "call" and inner.value in ("parse", "str2lang") and inner.args):
        return None
    txt = [a for n, a in inner.args if n == "text" or (n is None and inner.value != "parse")]
    if len(txt) != 1:
        return None
    lead = _leading_text(tr, txt[0])
    if lead is None or not _ASREML_TEXT.match(lead):
        return None
    return "startvals" if any("start.values" in t for t in _strings_in(tr, txt[0])) else "fit"


def _note_text_fits(tr: Any, text: R) -> None:
    """Names the R code built by ``text`` (a string, or a paste() of strings and values)
    binds to asreml() fits: ``eval(parse(text = paste0("m <- asreml(", ...)))`` makes ``m``
    a fit for the statements after it (``m$loglik`` is the fit's, not a list element)."""
    fits = getattr(tr, "fits", None)
    if fits is None:
        return
    first = text
    while first.kind == "call" and first.value in ("paste", "paste0", "sprintf", "glue") \
            and first.args:
        first = first.args[0][1]
    m = _TEXT_FIT.match(first.value) if first.kind == "str" else None
    if m:
        fits.add(m.group(1))
        getattr(tr, "assigned", set()).add(m.group(1))


def translate(tr: Any, e: R) -> str | None:
    """The translation of ``ls()``, ``get(x)``, ``exists(x)``, ``assign(x, value)``,
    ``eval(parse(text = s))``; None when the call is not one of these forms."""
    f = e.value
    scope = "globals(), locals()"
    if f == "ls":
        a = _args(e, ("name", "pos", "envir", "all.names", "pattern", "sorted"))
        if set(a) == {"name"} and a["name"].kind == "name" and \
                a["name"].value in getattr(tr, "assigned", ()):
            # ls(x) of a list the script made (ASRgenomics' results): as.environment(x),
            # so its names, sorted
            return f"{tr.runtime('r_ls_list')}({tr.py(a['name'])})"
        if set(a) - {"pattern", "envir"} or ("envir" in a and tr.src(a["envir"]) not in _ENV_OK):
            raise Untranslatable("ls() of another environment")
        names = sorted(set(tr.assigned) | set(getattr(tr, "functions", ())))
        pat = f", pattern={tr.py(a['pattern'])}" if "pattern" in a else ""
        return f"{tr.runtime('r_ls')}({names!r}, {scope}{pat})"
    if f == "get":
        a = _args(e, ("x", "pos", "envir", "mode", "inherits"))
        if "x" not in a or set(a) - {"x", "envir", "pos"} or \
                "envir" in a and tr.src(a["envir"]) not in _ENV_OK:
            raise Untranslatable("get() with these arguments")
        return f"{tr.runtime('r_get')}({tr.py(a['x'])}, {scope})"
    if f == "exists":
        a = _args(e, ("x", "where", "envir", "frame", "mode", "inherits"))
        if "x" not in a or set(a) - {"x", "envir", "inherits"} or \
                "envir" in a and tr.src(a["envir"]) not in _ENV_OK:
            raise Untranslatable("exists() with these arguments")
        return f"{tr.runtime('r_exists')}({tr.py(a['x'])}, {scope})"
    if f == "assign":
        a = _args(e, ("x", "value", "pos", "envir", "inherits", "immediate"))
        if not {"x", "value"} <= set(a) or set(a) - {"x", "value", "envir", "pos"} or \
                "envir" in a and tr.src(a["envir"]) not in _ENV_OK:
            raise Untranslatable("assign() with these arguments")
        return f"{tr.runtime('r_assign_name')}({tr.py(a['x'])}, {tr.py(a['value'])}, globals())"
    if f == "eval" and len(e.args) == 1 and e.args[0][0] in (None, "expr"):
        inner = e.args[0][1]
        if inner.kind == "call" and inner.value in ("parse", "str2lang", "str2expression"):
            txt = [a for n, a in inner.args if n == "text"] or \
                [a for n, a in inner.args if n is None and inner.value != "parse"]
            if len(txt) == 1 and len(inner.args) == 1:
                _note_text_fits(tr, txt[0])
                return f"{tr.runtime('r_eval_text')}({tr.py(txt[0])}, {scope})"
        return None
    return None
