"""asreml-R 4.2's names of ``at()`` terms, and the split of a multi-level fixed ``at()`` term.

**Names.** asreml 4.2 writes the level of an ``at(f, ...)`` part in single quotes, by its
name, however the script gave it: ``at(AMF, 'AMF_plus')`` for ``at(AMF, "AMF_plus")`` and for
``at(AMF, 2)`` when AMF_plus is AMF's 2nd level; ``at(Lane, '8')`` for a numeric level; one
term per level ``at(Smarthouse, 'NE'):Zone``, ``at(Smarthouse, 'NW'):Zone`` for
``at(Smarthouse):Zone``. The name is the same in the Wald table, ``vparameters``,
``summary()$varcomp``, ``G.param`` and the design columns. Evidence: the WAM gryphon tutorial
rendered with ASReml 4.2 (JulienGAMartin/wam_tuto docs/02_01-univ_asreml.html:676-677,
``at(sex, '1'):vm(animal, ainv)`` for ``at(sex):vm(animal, ainv)``, levels 1 and 2);
asremlPlus's tests/testthat/test42Selection.r:150,186 (Wald rows of ``at(AMF, 2)``
and ``at(AMF, 'AMF_plus')`` terms), :230 (``at(Lane, '8')`` for ``at(Lane, 4)``), :333
(vparameters), test42SpatialModels.r:254 (design columns). (asreml 4.1 wrote the level bare,
``at(AMF, AMF_plus)``: test41Selection.r; not followed.)

**Split.** A fixed ``at(f, c(l1, l2, ...)):x`` (or ``at(f):x``, all levels) is one term per
level in asreml's Wald table (test42Selection.r:449: 23 rows for a MET model whose
``at(expt, c(1:5)):rep``, ``at(expt, c(2,3,6,7)):colblocks`` and ``at(expt, c(1:5,7)):vcol``
are 15 terms, not 3; test42MET.r:55 names them ``at(expt, 'mtnue10'):rep``, ...). The
columns are the same; only their grouping into terms (and so each term's Wald test) differs.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

from asr_py.formula.ast import Arg, Call, Expr, Paren, String, Term

__all__ = ["at_label", "at_name_of", "split_at_term"]


def at_label(factor: str, level: object) -> str:
    """``at(factor, 'level')``: an at() part with one level, as asreml 4.2 names it."""
    return f"at({factor}, '{level}')"


def _at_call(p: Expr) -> Call | None:
    while isinstance(p, Paren):
        p = p.expr
    return p if isinstance(p, Call) and p.func == "at" and p.positional() else None


#: (the at() call) -> (its factor's level names, the selected level indices)
Levels = Callable[[Call], tuple[Sequence[str], list[int]]]


def split_at_term(term: Term, levels: Levels) -> list[Term]:
    """``term`` as one term per selected level of each of its ``at()`` parts (module
    docstring); a term whose at() parts each select one level is returned as it is, so its
    text stays the formula's own (``update(. ~ . - term)`` finds it)."""
    choices: list[list[Expr]] = []
    split = False
    for p in term.parts:
        call = _at_call(p)
        if call is None:
            choices.append([p])
            continue
        names, idx = levels(call)
        if len(idx) == 1:
            choices.append([p])
            continue
        split = True
        f = call.positional()[0]
        choices.append([Call("at", (Arg(f), Arg(String(str(names[i])))), span=call.span)
                        for i in idx])
    if not split:
        return [term]
    return [Term(tuple(ps), span=term.span) for ps in itertools.product(*choices)]


def at_name_of(term: Term, levels: Levels) -> str:
    """The asreml 4.2 name of a term whose at() parts each select one level: each at() part
    written ``at(f, 'level')`` (module docstring), the other parts as written."""
    out = []
    for p in term.parts:
        call = _at_call(p)
        if call is None:
            out.append(str(Term((p,))))
            continue
        names, idx = levels(call)
        out.append(at_label(str(call.positional()[0]), names[idx[0]]) if len(idx) == 1
                   else str(call))
    return ":".join(out)
