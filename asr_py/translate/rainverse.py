"""asreml 4's ``ainverse(pedigree, fgen, gender, groups, groupOffset, selfing, inBreed, mgs,
mv, psort)`` (4.1; 4.0 also had ``gpc``, ``method``) and asreml 3's ``asreml.Ainverse(pedigree,
groups, method, selfing, inBreed, mgs, mv, psort)`` (later 3.0 versions: ``fgen``) as
``asr.ainverse(...)``.

Each option is translated, dropped with a NOTE when it cannot change the matrix, or left as
a TODO (the call is then emitted without it: a DIFFERENT matrix):

* ``selfing = s`` -> ``selfing=s`` (partial selfing, :mod:`asr_py.genetics.selfing`);
* ``mv = c("NA", "0", "*")`` -> ``unknown=`` (the codes of an unknown parent);
* ``fgen = list("Selfing", f)`` (inbred lines: the column of selfing generations, implicit
  individuals' inbreeding f in (0, 1)) -> ``fgen=("Selfing", f)`` (asr_py.genetics.fgen);
  a second element outside (0, 1) (``c('Selfing', 5)`` in asreml 3 scripts: no documented
  meaning) stays a TODO;
* ``method`` (the inbreeding algorithm), ``psort`` (whether the sorted pedigree is
  returned): the same matrix -> a NOTE;
* ``gender``, ``gpc``, ``groups``, ``groupOffset``, ``inBreed``, ``mgs`` (the X
  chromosome, genetic groups, maternal grandsires, inbred bases): no counterpart in
  ``asr.ainverse`` -> a TODO (their defaults, written out, are the same matrix).

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
FORMALS = {"ainverse": ("pedigree", "fgen", "gender", "groups", "groupOffset", "selfing",
                        "inBreed", "mgs", "mv", "psort", "gpc", "method"),
           "asreml.Ainverse": ("pedigree", "groups", "method", "selfing", "inBreed", "mgs",
                               "mv", "psort", "fgen")}
#: options that leave the inverse as it is
_SAME = {"method": "the inbreeding algorithm", "psort": "the order of the returned pedigree"}
#: the defaults of the options asr_py has no counterpart for (written out: the same matrix)
_DEFAULT = {"groups": {"0"}, "groupOffset": {"0"}, "gpc": {"FALSE", "F"},
            "mgs": {"FALSE", "F"}, "inBreed": {"NA"}, "gender": {"character(0)"},
            "fgen": {"list(character(0), 0.01)"}}


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
        elif name == "fgen" and _fgen(tr, f, a) is not None:
            out.append(f"fgen={_fgen(tr, f, a)}")
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


def _fgen(tr: Translator, f: str, a: R) -> str | None:
    """``fgen=`` for ``list("col", f)`` / ``c("col", f)`` / a name; None when the implicit
    individuals' inbreeding is a literal outside (0, 1) (no documented meaning)."""
    if a.kind == "call" and a.value in ("c", "list") and a.args and \
            a.args[0][1].kind == "str":
        col = a.args[0][1].value
        if len(a.args) == 1:
            return f"({col!r},)"
        x = a.args[1][1]
        try:
            v = float(x.value) if x.kind in ("num", "str") else None
        except ValueError:
            v = None
        if v is None or not 0.0 < v < 1.0:
            return None
        return f"({col!r}, {v!r})"
    if a.kind == "name":
        return tr.py(a)
    return None

