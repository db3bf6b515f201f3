"""Translation of calls to other R functions scripts use around their fits: base R's
``svd()``, ``det()``, ``determinant()``, ``expand.grid()``; stats' ``optim()``,
``optimize()``, ``nlminb()``; optimx's ``optimr()``; tidyr's ``expand_grid()`` and
``crossing()``; LMMsolver's ``LMMsolve()`` (runtime: rsvd.py, roptim.py, rexpand.py,
rlmmsolver.py).

Arguments are matched as R matches them: named ones to their formals, unnamed ones to the
formals before ``...`` in order; what is left is R's ``...`` - passed on by name to the
objective function for the optimisers (``optim(par, fn, y = y, X = X)``), the vectors to
combine for the grids. purrr's ``map*()``/``map2*()`` take a ``~`` lambda (``.x``, ``.y``),
a function or its name (rpurrr.py), as do ``keep()``/``discard()``/``compact()``'s
predicates; ``pmax()``/``pmin()`` their vectors by position.
``diag(x) <- v`` (R's ``diag<-``) sets a matrix's diagonal.
"""
from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from asr_py.translate.parser import R, Untranslatable, pkg_of
from asr_py.translate.printer import pyname
from asr_py.translate.rcaret import CALLS as CARET_CALLS
from asr_py.translate.rcoalesce import CALLS as COALESCE_CALLS
from asr_py.translate.rcvxr import CALLS as CVXR_CALLS
from asr_py.translate.rlambda import PARAM
from asr_py.translate.rlmmsolverbits import CALLS as LMMSOLVER_CALLS
from asr_py.translate.rlmmsolverbits import UNAVAILABLE as LMMSOLVER_UNAVAILABLE
from asr_py.translate.rlubridate import LUBRIDATE_CALLS
from asr_py.translate.rmvnggrad import CALLS as MVNGGRAD_CALLS
from asr_py.translate.rsample import CALLS as SAMPLE_CALLS
from asr_py.translate.rstatgenibd import UNAVAILABLE as STATGENIBD_UNAVAILABLE
from asr_py.translate.rtpsbits import CALLS as TPSBITS_CALLS

if TYPE_CHECKING:
    from asr_py.translate.printer import BasePrinter

__all__ = ["CALLS", "PACKAGES", "UNAVAILABLE", "set_diag", "translate_call"]

#: packages whose functions used here are all translated: library() of them is an import
PACKAGES = frozenset({"purrr", "optimx", "LMMsolver"})

#: R function -> (runtime helper, formals in R's order with "..." where R has it,
#: packages it may be called from)
CALLS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "svd": ("r_svd", ("x", "nu", "nv"), ("base",)),
    "det": ("r_det", ("x",), ("base",)),
    "drop": ("r_drop", ("x",), ("base",)),
    "determinant": ("r_determinant", ("x", "logarithm"), ("base",)),
    "optim": ("r_optim", ("par", "fn", "gr", "...", "method", "lower", "upper", "control",
                          "hessian"), ("stats",)),
    "optimize": ("r_optimize", ("f", "interval", "...", "lower", "upper", "maximum", "tol"),
                 ("stats",)),
    "optimise": ("r_optimize", ("f", "interval", "...", "lower", "upper", "maximum", "tol"),
                 ("stats",)),
    "nlminb": ("r_nlminb", ("start", "objective", "gradient", "hessian", "...", "scale",
                            "control", "lower", "upper"), ("stats",)),
    "optimr": ("r_optimr", ("par", "fn", "gr", "hess", "lower", "upper", "method", "hessian",
                            "control", "..."), ("optimx",)),
    "expand.grid": ("r_expand_grid", ("...", "KEEP.OUT.ATTRS", "stringsAsFactors"),
                    ("base",)),
    "expand_grid": ("r_tidyr_expand_grid", ("...", ".name_repair"), ("tidyr",)),
    "crossing": ("r_crossing", ("...", ".name_repair"), ("tidyr",)),
    "pmax": ("r_pmax", ("...", "na.rm"), ("base",)),
    "LMMsolve": ("r_LMMsolve", ("fixed", "random", "spline", "group", "ginverse", "weights",
                                "data", "residual", "family", "offset", "tolerance", "trace",
                                "maxit", "theta", "grpTheta"), ("LMMsolver",)),
    "pmin": ("r_pmin", ("...", "na.rm"), ("base",)),
}
CALLS.update(LUBRIDATE_CALLS)    # ymd(), year(), interval(), as.period() ...: rlubridate.py
CALLS.update(TPSBITS_CALLS)      # TPSbits' tpsmmb(): rtpsbits.py
CALLS.update(CARET_CALLS)        # caret's createFolds(): rcaret.py
CALLS.update(CVXR_CALLS)         # CVXR's Variable(), Problem(), ...: rcvxr.py
CALLS.update(SAMPLE_CALLS)       # base R's sample(), sample.int(): rsample.py
CALLS.update(LMMSOLVER_CALLS)    # LMMsolver's calcUsc(), dlogdet(), ...: rlmmsolverbits.py
CALLS.update(MVNGGRAD_CALLS)     # mvngGrAd's movingGrid(): rmvnggrad.py
CALLS.update(COALESCE_CALLS)     # dplyr's coalesce(), cur_column(): rcoalesce.py
#: functions with no honest equivalent here: the TODO says why and what to do instead
UNAVAILABLE: dict[str, tuple[str, str]] = {}
UNAVAILABLE.update(LMMSOLVER_UNAVAILABLE)
UNAVAILABLE.update(STATGENIBD_UNAVAILABLE)     # statgenIBD's calcIBD(), getQTL()
#: purrr's map family: R name -> (number of inputs, result kind or None for a list)
MAPS: dict[str, tuple[int, str | None]] = {
    **{f"map{s}": (1, k) for s, k in (("", None), ("_dbl", "dbl"), ("_int", "int"),
                                      ("_chr", "chr"), ("_lgl", "lgl"))},
    **{f"map2{s}": (2, k) for s, k in (("", None), ("_dbl", "dbl"), ("_int", "int"),
                                       ("_chr", "chr"), ("_lgl", "lgl"))},
    # row-binding variants and imap (.f also gets the name or position): rpurrr.r_map
    "map_dfr": (1, "dfr"), "map2_dfr": (2, "dfr"), "imap": (1, "i"), "imap_dfr": (1, "idfr"),
}
CALLS.update({m: ("r_map", ((".x", ".y", ".f", "...") if n == 2 else (".x", ".f", "..."))
                  + ((".id",) if k is not None and k.endswith("dfr") else ()),
                  ("purrr",)) for m, (n, k) in MAPS.items()})
#: purrr's predicate filters: keep()/discard() (rpurrr.r_keep), compact() (rpurrr.r_compact)
_FILTERS = {"keep": True, "discard": False}
CALLS.update({f: ("r_keep", (".x", ".p", "..."), ("purrr",)) for f in _FILTERS})
CALLS["compact"] = ("r_compact", (".x", ".p"), ("purrr",))
#: base functions a script passes to map() by name -> Python
_BY_NAME = {"mean": "np.mean", "sum": "np.sum", "max": "np.max", "min": "np.min",
            "median": "np.median", "length": "len", "sqrt": "np.sqrt", "log": "np.log",
            "exp": "np.exp", "abs": "np.abs"}
#: functions whose ``...`` are positional values (pmax(a, b))
_POSITIONAL_DOTS = frozenset({"r_pmax", "r_pmin", "r_coalesce"})

#: helpers whose ``...`` are the grid's columns (kept as an ordered mapping)
_GRIDS = frozenset({"r_expand_grid", "r_tidyr_expand_grid", "r_crossing"})


def translate_call(tr: BasePrinter, f: str, e: R, args: list[tuple[str | None, R]]
                   ) -> str | None:
    """The Python call for ``f(args)``, or None when the call is another package's
    function of the same name."""
    pkg = pkg_of(e.left) if e.left is not None else ""
    if f in UNAVAILABLE:
        if pkg and pkg not in UNAVAILABLE[f][0].split("|"):
            return None
        raise Untranslatable(UNAVAILABLE[f][1])
    fn, formals, pkgs = CALLS[f]
    if pkg and pkg not in pkgs:
        return None
    before = formals[: formals.index("...")] if "..." in formals else formals
    given: dict[str, R] = {}
    dots: list[tuple[str | None, R]] = []
    for n, a in args:
        if a.kind == "empty":
            continue
        if n is not None and n in formals:
            given[n] = a
        elif n is not None:
            if "..." not in formals:
                raise Untranslatable(f"{f}(..., {n} = ): argument not supported")
            dots.append((n, a))
    free = [k for k in before if k not in given]
    for n, a in args:
        if n is None and a.kind != "empty":
            if a.kind == "name" and a.value == "...":
                raise Untranslatable(f"{f}(...): passing on the caller's ...")
            if free:
                given[free.pop(0)] = a
            elif "..." in formals:
                dots.append((None, a))
            else:
                raise Untranslatable(f"{f}(): more arguments than {f}() takes")
    parts = [f"{k.lstrip('.').replace('.', '_')}={tr.py(given[k])}"
             for k in formals if k in given]
    if fn == "r_map":
        return _map_call(tr, f, given, dots)
    if fn in ("r_keep", "r_compact"):
        return _filter_call(tr, f, given, dots)
    if fn in _POSITIONAL_DOTS:
        if any(n is not None for n, _ in dots):
            raise Untranslatable(f"{f}(): a named argument in its ...")
        parts = [tr.py(a) for _, a in dots] + parts
    elif fn in _GRIDS:
        cols = [f"({n!r}, {tr.py(a)})" if n is not None else f"(None, {tr.py(a)})"
                for n, a in dots]
        parts.insert(0, f"[{', '.join(cols)}]")
    else:
        if any(n is None for n, _ in dots):
            raise Untranslatable(f"{f}(): an unnamed argument for the function's ...")
        parts += [f"{pyname(n)}={tr.py(a)}" if pyname(n).isidentifier() else
                  f"**{{{pyname(n)!r}: {tr.py(a)}}}" for n, a in dots if n is not None]
    tr.uses_np = True
    return f"{tr.runtime(fn)}({', '.join(parts)})"


def set_diag(tr: BasePrinter, target: R, rhs: str) -> str:
    """``diag(x) <- v``: ``x = r_set_diag(x, v)`` (stored back into a part of a list or
    data frame when x is one)."""
    name, inner = target.args[0]
    if name not in (None, "x"):
        raise Untranslatable(f"diag({name} = ) <- ...")
    new = f"{tr.runtime('r_set_diag')}({tr.py(inner)}, {rhs})"
    if inner.kind in ("name", "str"):
        return f"{tr.py(inner)} = {new}"
    return tr.assign_into(inner, new)  # type: ignore[attr-defined, no-any-return]


def _rename_dots(e: R, names: dict[str, str]) -> R:
    """``e`` with purrr's lambda pronouns (``.x``, ``.y``, ``..1``, ``.``) renamed."""
    if e.kind == "name" and e.value in names:
        return dataclasses.replace(e, value=names[e.value])
    if e.kind == "formula":
        return e
    return dataclasses.replace(
        e, args=[(n, _rename_dots(a, names)) for n, a in e.args],
        left=_rename_dots(e.left, names) if e.left is not None else None,
        right=_rename_dots(e.right, names) if e.right is not None else None,
        alt=_rename_dots(e.alt, names) if e.alt is not None else None,
        body=[_rename_dots(b, names) for b in e.body])


def _map_fn(tr: BasePrinter, f: str, fn: R, n_in: int) -> str:
    """purrr's ``.f``: a ``~`` lambda, a function, a function's name, or an extractor."""
    if fn.kind == "formula" and fn.left is None and fn.right is not None:
        second = "dot_y_"
        names = {".x": PARAM, "..1": PARAM, ".": PARAM} if n_in == 1 else \
            {".x": PARAM, "..1": PARAM, ".y": second, "..2": second}
        params = [PARAM] if n_in == 1 else [PARAM, second]
        fn = R("function", "", [(p, R("empty", start=fn.start, end=fn.start))
                                for p in params],
               right=_rename_dots(fn.right, names), start=fn.start, end=fn.end)
    if fn.kind == "function":
        # inside mutate()/transmute() the lambda's body reads its arguments and the
        # script's variables (M[.x, .y]), not the data's columns
        cols = getattr(tr, "data_cols", None)
        tr.data_cols = None  # type: ignore[attr-defined]
        try:
            return tr.py(fn)
        finally:
            tr.data_cols = cols  # type: ignore[attr-defined]
    if fn.kind in ("str", "num"):
        return tr.py(fn)
    if fn.kind == "name":
        if fn.value in getattr(tr, "functions", ()) or fn.value in tr.assigned:
            return pyname(fn.value)
        if fn.value in _BY_NAME:
            tr.uses_np = True
            return _BY_NAME[fn.value]
        if hasattr(tr, "fun_ref"):
            # another function by name (is.na, is.null, nchar): its one-argument call
            return tr.fun_ref(fn)  # type: ignore[attr-defined, no-any-return]
    raise Untranslatable(f"{f}(.f = {tr.src(fn)})")


def _filter_call(tr: BasePrinter, f: str, given: dict[str, R],
                 dots: list[tuple[str | None, R]]) -> str:
    """``keep(.x, .p, ...)``/``discard()``/``compact(.x, .p)``: ``.p`` a predicate (a
    ``~`` lambda, a function or its name) or, for keep/discard, a logical vector."""
    if ".x" not in given or f != "compact" and ".p" not in given:
        raise Untranslatable(f"{f}() without .x or .p")
    if any(n is None for n, _ in dots):
        raise Untranslatable(f"{f}(): an unnamed argument for .p's ...")
    parts = [tr.py(given[".x"])]
    if ".p" in given:
        p = given[".p"]
        fn_like = p.kind in ("formula", "function") or p.kind == "name" and (
            p.value in getattr(tr, "functions", ()) or p.value not in tr.assigned)
        parts.append(_map_fn(tr, f, p, 1) if fn_like else tr.py(p))
    if f in _FILTERS:
        parts.append(f"keep={_FILTERS[f]}")
    parts += [f"{pyname(n)}={tr.py(a)}" for n, a in dots if n is not None]
    return f"{tr.runtime(CALLS[f][0])}({', '.join(parts)})"


def _map_call(tr: BasePrinter, f: str, given: dict[str, R],
              dots: list[tuple[str | None, R]]) -> str:
    n_in, kind = MAPS[f]
    need = (".x", ".f") if n_in == 1 else (".x", ".y", ".f")
    if any(k not in given for k in need):
        raise Untranslatable(f"{f}() without {', '.join(k for k in need if k not in given)}")
    if any(n is None for n, _ in dots):
        raise Untranslatable(f"{f}(): an unnamed argument for .f's ...")
    # imap's .f takes the element and its name (or position): a two-argument lambda
    n_fn = 2 if kind is not None and kind.startswith("i") else n_in
    parts = [repr(kind), _map_fn(tr, f, given[".f"], n_fn), tr.py(given[".x"])]
    if n_in == 2:
        parts.append(tr.py(given[".y"]))
    parts += [f"{pyname(n)}={tr.py(a)}" for n, a in dots if n is not None]
    if ".id" in given:
        parts.append(f"map_id_={tr.py(given['.id'])}")
    return f"{tr.runtime('r_map')}({', '.join(parts)})"
