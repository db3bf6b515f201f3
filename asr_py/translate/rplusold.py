"""asremlPlus 1.x/2.x function names (asreml 3 era) as today's ``asr.plus`` calls.

asremlPlus 4 keeps these names only as stubs that say which function replaced them
(its R/S3methodsDeprecations.r: ``testrcov.asreml`` -> ``testresidual.asrtests``,
``rmboundary.asreml`` -> ``rmboundary.asrtests``, ``reml.lrt`` -> ``REMLRT.asreml``...).
The old functions took the model terms **first** and the asrtests object second
(asremlPlus 1.10's help: ``testrcov.asreml("~ Row:ar1(Column)", current.asrt, label = ...)``;
``testranfix.asreml(terms, asrtests.obj, ...)``; ``testswapran.asreml(oldterms, newterms,
asrtests.obj, ...)``; ``newrcov.asrtests(terms, asrtests.obj, ...)``), today's take the
asrtests object first; ``reml.lrt.asreml(full.asreml.obj, reduced.asreml.obj)`` (asremlPlus
2.0's help) took the full model first, ``REMLRT(h0.asreml.obj, h1.asreml.obj)`` takes the
reduced one first. The positional arguments are matched to the old formals as R matches
them, renamed (``terms`` -> ``term`` for testranfix, ``constraints`` -> ``bounds``,
``dDF.na`` -> ``dDF.fault``) and passed to the new function by name, its object first.
"""

from __future__ import annotations

from typing import Any

from asr_py.translate.parser import R, Untranslatable

__all__ = ["FUNCTIONS", "OLD", "TERMS_FIRST", "translate"]

#: old name -> (today's asremlPlus function, the old positional formals, renames)
OLD: dict[str, tuple[str, tuple[str, ...], dict[str, str]]] = {
    "rmboundary.asreml": ("rmboundary", ("asrtests.obj",), {}),
    "testranfix.asreml": ("testranfix", ("terms", "asrtests.obj"), {"terms": "term"}),
    "testrcov.asreml": ("testresidual", ("terms", "asrtests.obj"), {}),
    "testrcov.asrtests": ("testresidual", ("terms", "asrtests.obj"), {}),
    "testswapran.asreml": ("testswapran", ("oldterms", "newterms", "asrtests.obj"), {}),
    "newrcov.asrtests": ("changeTerms", ("terms", "asrtests.obj"), {"terms": "newResidual"}),
    "recalc.wald.tab.asreml": ("recalcWaldTab", ("asrtests.obj",), {}),
    "recalc.wald.tab.asrtests": ("recalcWaldTab", ("asrtests.obj",), {}),
    # reml.lrt.asreml(full.asreml.obj, reduced.asreml.obj): the full model FIRST (2.0's help),
    # REMLRT(h0 = the reduced model, h1 = the full one)
    "reml.lrt": ("REMLRT", ("h1.asreml.obj", "h0.asreml.obj"),
                 {"full.asreml.obj": "h1.asreml.obj", "reduced.asreml.obj": "h0.asreml.obj"}),
    "reml.lrt.asreml": ("REMLRT", ("h1.asreml.obj", "h0.asreml.obj"),
                        {"full.asreml.obj": "h1.asreml.obj",
                         "reduced.asreml.obj": "h0.asreml.obj"}),
    "info.crit": ("infoCriteria", ("asreml.obj",), {}),
}
#: asremlPlus 2.0's terms-first forms of names asremlPlus 4 still has, object first
#: (2.0's help: ``testranfix.asrtests(term=NULL, asrtests.obj, ...)``,
#: ``testswapran.asrtests(oldterms=NULL, newterms=NULL, asrtests.obj, ...)``): rewritten only
#: when the first unnamed argument is a string, which today's asrtests object never is
TERMS_FIRST: dict[str, tuple[str, tuple[str, ...], dict[str, str]]] = {
    "testranfix.asrtests": ("testranfix", ("term", "asrtests.obj"), {}),
    "testswapran.asrtests": ("testswapran", ("oldterms", "newterms", "asrtests.obj"), {}),
}
#: argument names asremlPlus 4 renamed (all these functions)
_RENAMED = {"constraints": "bounds", "dDF.na": "dDF.fault"}
#: the formals today's functions take by position (the fitted objects)
_OBJECTS = ("asrtests.obj", "h0.asreml.obj", "h1.asreml.obj", "asreml.obj")

FUNCTIONS = frozenset(OLD) | frozenset(TERMS_FIRST)


def rewrite(e: R) -> R:
    """The old call ``e`` as a call of today's function (arguments by name, objects first)."""
    new, formals, renames = OLD[e.value] if e.value in OLD else TERMS_FIRST[e.value]
    pos = [a for n, a in e.args if n is None]
    # R's matching: named arguments first (exact, then a unique prefix), then the unnamed
    # ones fill the formals left, in order
    named: dict[str, R] = {}
    old_names = list(formals) + [k for k in renames if k not in formals]
    for n, a in e.args:
        if n is not None:
            hit = [f for f in old_names if f.startswith(n)] if n not in old_names else [n]
            key = hit[0] if len(hit) == 1 else n
            if renames.get(key, "").endswith(".obj"):    # full.asreml.obj -> h1.asreml.obj
                key = renames[key]
            named[key] = a
    free = [f for f in formals if f not in named]
    if len(pos) > len(free):
        raise Untranslatable(f"{e.value}() with more unnamed arguments than its formals")
    named.update(zip(free, pos, strict=False))
    args: list[tuple[str | None, R]] = [(None, named.pop(o)) for o in _OBJECTS if o in named]
    order = [f for f in formals if f in named] + [n for n in named if n not in formals]
    for n, a in ((n, named[n]) for n in order):
        args.append((renames.get(n, _RENAMED.get(n, n)), a))
    return R("call", new, args, start=e.start, end=e.end)


def translate(tr: Any, e: R) -> str | None:
    """``testrcov.asreml("~ Row:ar1(Column)", asrt, ...)`` ->
    ``asr.plus.testresidual(asrt, terms='~ Row:ar1(Column)', ...)`` (see the module doc);
    None (today's call, translated as such) for a TERMS_FIRST name called object first."""
    if e.value in TERMS_FIRST:
        pos = [a for n, a in e.args if n is None]
        if not pos or pos[0].kind != "str":
            return None
    return tr.call(rewrite(e))
