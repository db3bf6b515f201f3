"""R's argument matching, done once on the syntax tree before the rules read it: the calls
of R's base functions (``asr_py/data/r_formals.json``, recorded from R by
``scripts/record_r_formals.R``) and of asreml's, as their formals say.

* a partial name (``seq(1, 10, len = 4)``, ``read.csv(f, head = TRUE)``) becomes the
  formal's full name, as R matches it: the one formal before ``...`` it is a prefix of,
  when no argument names that formal exactly;
* the first formal given by name (``factor(x = d$a)``, ``update(object = m, ...)``,
  ``vpredict(object = m, transform = h2 ~ V1 / V2)``), and the formals after it that have
  no default value (``ifelse(test = , yes = , no = )``, ``match(x = , table = )``; not
  ``data``, ``subset``, ``weights``: those are written by name), become the first,
  positional arguments in the formals' order: R fills the other formals the same way;
* a later positional argument whose formal has a default value is named
  (``read.table(f, TRUE)`` -> ``read.table(f, header = TRUE)``, ``round(x, 2)`` ->
  ``round(x, digits = 2)``): the rules read such options by name.

Functions the script defines itself are left alone, as are calls R would refuse.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from asr_py.translate.parser import R, pkg_of
from asr_py.translate.parser import walk as _walk
from asr_py.translate.rmatchargs import ArgMatchError, match_args

__all__ = ["formals", "normalize"]

#: asreml's functions (asreml 4 reference manual): the formals the rules read positionally
_ASREML = {"vpredict": ("object", "transform"), "wald": ("object", "..."),
           "lrt": ("object", "..."), "predict": ("object", "..."),
           "summary": ("object", "..."), "update": ("object", "...")}
#: formals R code names even where they come early and have no default (lm(y ~ x, data = d))
_NAMED = frozenset({"data", "subset", "weights", "na.action", "offset", "family"})
#: packages whose functions' formals are those recorded
_PKGS = frozenset({"", "base", "stats", "utils", "graphics", "grDevices", "methods",
                   "asreml"})


@lru_cache(maxsize=1)
def _table() -> dict[str, tuple[str, ...]]:
    """name -> formals up to ``...``; one with a default value ends in ``=``."""
    text = resources.files("asr_py.data").joinpath("r_formals.json").read_text("utf-8")
    return {k: tuple(v) for k, v in json.loads(text)["formals"].items()}


def _marked(name: str) -> tuple[str, ...] | None:
    return _ASREML.get(name) or _table().get(name)


def formals(name: str) -> tuple[str, ...] | None:
    """The formals of R's (or asreml's) function ``name`` up to ``...``; None if unknown."""
    fm = _marked(name)
    return None if fm is None else tuple(f.rstrip("=") for f in fm)


def _full_names(fm: tuple[str, ...], args: list[tuple[str | None, R]]
                ) -> list[tuple[str | None, R]] | None:
    """``args`` with partial names completed (R's second matching pass); None when R would
    refuse the call (a prefix of several formals)."""
    before = fm[:fm.index("...")] if "..." in fm else fm
    exact = {n for n, _ in args if n is not None}
    out: list[tuple[str | None, R]] = []
    for n, a in args:
        if n is not None and n not in fm:
            hits = [f for f in before if f.startswith(n) and f not in exact]
            if len(hits) > 1:
                return None
            if hits:
                exact.add(hits[0])
                n = hits[0]
        out.append((n, a))
    return out


def normalize_call(e: R) -> None:
    """The call ``e`` with R's matching applied as the module says (in place)."""
    marked = _marked(e.value)
    if not marked or marked[0] == "..." or not e.args:
        return
    fm = tuple(f.rstrip("=") for f in marked)
    args = _full_names(fm, list(e.args))
    if args is None:
        return
    try:
        got = match_args(fm, [(n, i) for i, (n, _) in enumerate(args)], e.value)
    except ArgMatchError:
        return
    lead: list[int] = []                     # the argument of each formal of the run
    for k, f in enumerate(fm):
        if f == "..." or f not in got or k > 0 and (marked[k].endswith("=") or f in _NAMED):
            break
        lead.append(got[f])
    if any(args[i][1].kind == "empty" for i in lead):
        return
    # a later positional argument whose formal has a default value is named (its rule
    # reads it by name, as scripts mostly write it: read.table(f, TRUE) is header = TRUE)
    later = {i: f for f, i in got.items() if f != "..." and isinstance(i, int)
             and args[i][0] is None and i not in lead and marked[fm.index(f)].endswith("=")}
    args = [(later.get(i, n), a) for i, (n, a) in enumerate(args)]
    e.args = [(None, args[i][1]) for i in lead] + [a for i, a in enumerate(args)
                                                   if i not in lead]


def normalize(program: list[R], defined: set[str]) -> None:
    """R's argument matching on every call of a known function in ``program`` (in place);
    ``defined``: the names the script defines (its own functions keep their calls)."""
    for e in _walk(program):
        if e.kind == "call" and e.value and e.value not in defined and (
                e.left is None or e.left.kind != "name" or pkg_of(e.left) in _PKGS):
            normalize_call(e)
