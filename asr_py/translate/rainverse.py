"""asreml 4's ``ainverse(pedigree, fgen, gpc, selfing, mgs, mv, method)`` and asreml 3's
``asreml.Ainverse(pedigree, groups, method, selfing, inBreed, mgs, mv, psort)`` as
``asr.ainverse(...)``.

Each option is translated, dropped with a NOTE when it cannot change the matrix, or left as
a TODO (the call is then emitted without it: a DIFFERENT matrix):

* ``selfing = s`` -> ``selfing=s`` (partial selfing, :mod:`asr_py.genetics.selfing`);
* ``mv = c("NA", "0", "*")`` -> ``unknown=`` (the codes of an unknown parent);
* ``method`` (the inbreeding algorithm), ``psort`` (whether the sorted pedigree is
  returned): the same matrix -> a NOTE;
* ``fgen``, ``gpc``, ``groups``, ``inBreed``, ``mgs`` (inbred lines, genetic groups,
  maternal grandsires): no counterpart in ``asr.ainverse`` -> a TODO (their defaults,
  written out, are the same matrix).

Arguments are matched as R does (exact, then a unique prefix: ``self = .1`` is
``selfing``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from asr_py.translate.parser import R
from asr_py.translate.printer import Untranslatable, _partial

if TYPE_CHECKING:  # pragma: no cover
    from asr_py.translate.asreml_rules import Translator

__all__ = ["FORMALS", "ainverse_call"]

#: each function's formals in R's order
FORMALS = {"ainverse": ("pedigree", "fgen", "gpc", "selfing", "mgs", "mv", "method"),
           "asreml.Ainverse": ("pedigree", "groups", "method", "selfing", "inBreed", "mgs",
                               "mv", "psort")}
#: options that leave the inverse as it is
_SAME = {"method": "the inbreeding algorithm", "psort": "the order of the returned pedigree"}
#: the defaults of the options asr_py has no counterpart for (written out: the same matrix)
_DEFAULT = {"groups": {"0"}, "gpc": {"FALSE", "F"}, "mgs": {"FALSE", "F"}, "inBreed": {"NA"}}


def ainverse_call(tr: Translator, f: str, args: list[tuple[str | None, R]]) -> str:
    """``asr.ainverse(...)`` for an ``ainverse``/``asreml.Ainverse`` call's ``args``."""
    formals = FORMALS[f]
    named: dict[str, R] = {}
    free = [p for p in formals]
    for n, a in args:                       # named first (exact or a unique prefix) ...
        if n is not None:
            full = _partial(n, formals)
            if full is None:
                tr.todo.append(f"{f}({n} = {tr.src(a)}) is not an argument of {f}(): "
                               "not translated")
                continue
            named[full] = a
            if full in free:
                free.remove(full)
    for n, a in args:                       # ... then positional, in the formals' order
        if n is None:
            if not free:
                tr.todo.append(f"{f}() argument {tr.src(a)} is not translated")
                continue
            named[free.pop(0)] = a
    if "pedigree" not in named:
        raise Untranslatable(f"{f}() without a pedigree argument")
    # asreml takes pedigrees where an id is both sire and dam (selfing, reciprocal crosses
    # in plants and trees); asr_py checks roles unless told not to
    out = [tr.py(named.pop("pedigree")), "check_roles=False"]
    for name, a in named.items():
        if name == "selfing":
            if not (a.kind == "name" and a.value == "NA"):
                out.append(f"selfing={tr.py(a)}")
        elif name == "mv":
            out.append(f"unknown={tr.py(a)}")
        elif tr.src(a).strip() in _DEFAULT.get(name, ()):
            continue
        elif name in _SAME:
            tr._note_once(f"# NOTE(asr_py): {f}({name} = {tr.src(a)}) dropped: "
                          f"{_SAME[name]}; the same inverse")
        else:
            tr.todo.append(f"{f}({name} = {tr.src(a)}) is not translated (no counterpart in "
                           "asr.ainverse): the inverse is a DIFFERENT matrix than the R "
                           "script's")
    return f"asr.ainverse({', '.join(out)})"
