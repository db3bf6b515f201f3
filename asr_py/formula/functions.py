"""The functions a formula may call: a purely syntactic table (no numpy, no meaning).

Each entry says how many positional arguments the function takes, which named arguments it
knows, and what kind of function it is:

* ``variance``: an ASReml variance structure (``us``, ``ar1v``, ``fa``, ...); a ``:``-part of a
  random or residual term that the compiler turns into a covariance template;
* ``model``: an ASReml model function (``vm``, ``at``, ``spl``, ``str``, ``dsum``, ...);
* ``transform``: an R function allowed in fixed formulas and responses (``log``, ``I``, ...),
  or a formulaic contrast/stateful transform (``C``, ``center``, ``bs``, ``cr``...);
* ``value``: builds argument values (``c``, ``list``).

``units``, ``trait`` and ``mv`` are reserved *names* (not calls) listed in :data:`KEYWORDS`.
The compiler (asr_py.model) and explain ask this table; the meaning of each function lives
there and in asr_py.vcov.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

__all__ = [
    "FunctionSpec",
    "FUNCTIONS",
    "KEYWORDS",
    "lookup",
    "is_variance_structure",
    "is_transform",
    "suggest",
    "variance_base",
    "functions",
    "is_available",
    "register_variance",
    "unregister_variance",
    "UNAVAILABLE",
    "ALTERNATIVES",
]

INF = 10**9


@dataclass(frozen=True)
class FunctionSpec:
    """Syntax of one function: positional-argument range, known named arguments, kind.

    ``base`` is the correlation/variance family for suffixed names (``ar1v`` -> ``ar1``) and
    ``suffix`` its variant: '' (correlation, or the plain structure), 'v' (times one variance),
    'h' (heterogeneous variances).
    """

    name: str
    kind: str
    min_args: int
    max_args: int
    named: frozenset[str] = frozenset()
    base: str = ""
    suffix: str = ""
    doc: str = ""

    @property
    def is_variance(self) -> bool:
        return self.kind == "variance"


FUNCTIONS: dict[str, FunctionSpec] = {}


def _add(name: str, kind: str, lo: int, hi: int, named: tuple[str, ...] = (), doc: str = "",
         base: str = "", suffix: str = "") -> None:
    FUNCTIONS[name] = FunctionSpec(name, kind, lo, hi, frozenset(named), base or name, suffix,
                                   doc)


# --- variance structures ------------------------------------------------------------------
# The structures asr_py implements are registered by their classes (asr_py.vcov: each
# structure carries its syntax and description, StructureSyntax) through
# :func:`register_variance`; the table loads them on first use. ASReml's other variance
# structures are known names here, so that a formula using one fails with "not available"
# at compile time instead of "unknown function".
_INIT = ("init",)
_UNAVAILABLE: dict[str, tuple[int, int, tuple[str, ...], str]] = {
    "lvr": (1, 2, ("dist",), "linear variance"),
}
for _base, (_lo, _hi, _named, _doc) in _UNAVAILABLE.items():
    _add(_base, "variance", _lo, _hi, _named + _INIT, f"{_doc} correlation (not in asr_py)")
    _add(_base + "v", "variance", _lo, _hi, _named + _INIT,
         f"{_doc}, times one variance (not in asr_py)", base=_base, suffix="v")
    _add(_base + "h", "variance", _lo, _hi, _named + _INIT,
         f"{_doc}, heterogeneous variances (not in asr_py)", base=_base, suffix="h")
_add("usv", "variance", 1, 1, ("init",), "unstructured with a scale (not in asr_py)")
#: the names above: ASReml variance structures asr_py does not implement
UNAVAILABLE = frozenset(FUNCTIONS)
#: ... of which the spatial ones (over ordered positions or distances: all but usv)
UNAVAILABLE_SPATIAL = frozenset(
    n for n in UNAVAILABLE if FUNCTIONS[n].base in _UNAVAILABLE)
#: what to write instead of an unavailable structure (by family), for the error's hint
ALTERNATIVES: dict[str, str] = {
    "lvr": "exp(x) or ar1(f)",
    "usv": "us(f) (its variances carry the scale)",
}


def register_variance(name: str, min_args: int, max_args: int, named: tuple[str, ...],
                      doc: str) -> None:
    """Add (or replace) the variance structure ``name`` (called by asr_py.vcov's registry
    for every structure it implements, and for one a user registers)."""
    base, suffix = name, ""
    if name == "diag":
        base, suffix = "id", "h"
    elif name[-1:] in ("v", "h") and getattr(FUNCTIONS.get(name[:-1]), "kind", "") == "variance":
        base, suffix = name[:-1], name[-1]
    FUNCTIONS[name] = FunctionSpec(name, "variance", min_args, max_args, frozenset(named),
                                   base, suffix, doc)


def unregister_variance(name: str) -> None:
    """Remove a registered variance structure (ASReml's unavailable names stay)."""
    if name not in UNAVAILABLE:
        FUNCTIONS.pop(name, None)


_LOADED = False


def _load_structures() -> None:
    """Import asr_py.vcov once: its registry registers every implemented structure here."""
    global _LOADED
    if not _LOADED:
        _LOADED = True
        import asr_py.vcov  # noqa: F401


# --- ASReml model functions ---------------------------------------------------------------
_add("vm", "model", 2, 3, ("singG", "init"), "known relationship matrix or its inverse")
_add("ide", "model", 1, 2, (), "identity companion of a vm() term (over the ids of "
     "vm(id, K), of ide(id, K)'s K, or of the pedigree)")
_add("ped", "model", 1, 1, ("var", "init"), "pedigree relationship (asreml 3)")
_add("giv", "model", 1, 1, ("var", "init"), "generalized inverse (asreml 3)")
_add("at", "model", 1, 2, ("lvls",), "a term at (selected) levels of a factor")
_add("dev", "model", 1, 1, (), "deviations from a linear trend (random factor of x)")
_add("pol", "model", 1, 2, ("t", "init"), "orthogonal polynomials")
_add("leg", "model", 1, 2, ("t", "init"), "Legendre polynomials")
_add("spl", "model", 1, 2, ("k", "init"), "cubic smoothing spline")
_add("lin", "model", 1, 1, (), "a factor's codes as a covariate")
_add("fac", "model", 1, 2, (), "a covariate as a factor")
_add("grp", "model", 1, 1, (), "a group of data columns as one term")
_add("uni", "model", 1, 2, (), "an effect per record at a level of a factor (at(f, k):units)")
_add("mbf", "model", 1, 1, (), "multiple-block factor (covariates by level)")
_add("and", "model", 1, 2, ("times",), "add the design to the previous term")
_add("str", "model", 2, 2, (), "several terms sharing one variance structure")
_add("dsum", "model", 1, 1, ("levels",), "direct sum: a structure per level (sections)")

# --- R transforms allowed in fixed formulas and responses ---------------------------------
for _name, _lo, _hi, _named in [
    ("log", 1, 2, ("base",)), ("log10", 1, 1, ()), ("log2", 1, 1, ()), ("log1p", 1, 1, ()),
    ("sqrt", 1, 1, ()), ("abs", 1, 1, ()), ("I", 1, 1, ()),
    ("factor", 1, 3, ("levels", "labels", "ordered")), ("as.factor", 1, 1, ()),
    ("as.numeric", 1, 1, ()), ("as.integer", 1, 1, ()), ("poly", 1, 3, ("degree", "raw")),
    ("scale", 1, 3, ("center", "scale")), ("cbind", 1, INF, ()),
]:
    _add(_name, "transform", _lo, _hi, _named, "R function")
# --- formulaic contrasts and stateful transforms (fixed formulas; asr_py.model.formulaic_parts)
_SPLINE = ("df", "knots", "lower_bound", "upper_bound", "extrapolation")
for _name, _lo, _hi, _named, _doc in [
    ("C", 1, 2, ("contrasts", "levels", "spans_intercept"),
     "a factor coded by formulaic contrasts: C(f, contr.sum), C(f, contr.treatment(base = 'B'))"),
    ("center", 1, 1, (), "x minus its training mean (formulaic)"),
    ("standardize", 1, 4, ("center", "scale", "ddof"),
     "(x - training mean) / training sd (formulaic)"),
    ("bs", 1, 4, _SPLINE + ("degree", "include_intercept"), "B-spline basis (formulaic)"),
    ("cr", 1, 2, _SPLINE + ("constraints",), "natural cubic regression spline (formulaic)"),
    ("cs", 1, 2, _SPLINE + ("constraints",), "cubic regression spline, shrinkage (formulaic)"),
    ("cc", 1, 2, _SPLINE + ("constraints",), "cyclic cubic regression spline (formulaic)"),
]:
    _add(_name, "transform", _lo, _hi, _named, _doc)
_add("c", "value", 0, INF, (), "a vector of values")
_add("list", "value", 0, INF, (), "a list of values")

#: exp is both a variance structure (random/residual) and an R transform (fixed formulas).
TRANSFORMS = frozenset(n for n, s in FUNCTIONS.items() if s.kind in ("transform", "value")) | {
    "exp"
}
#: Reserved names with a fixed meaning in asreml formulas.
KEYWORDS = {
    "units": "one level per record (residual / extra residual term)",
    "trait": "the trait factor of a multivariate (cbind) model",
    "mv": "missing-value estimation term (asreml 3)",
}


def functions() -> dict[str, FunctionSpec]:
    """The whole table, the implemented structures loaded."""
    _load_structures()
    return FUNCTIONS


def spatial_functions() -> frozenset[str]:
    """Names of the spatial correlation structures: the registered ones whose syntax says so
    (:attr:`asr_py.vcov.base.StructureSyntax.spatial`: ar1..3, ma1..2, exp, gau and their
    'v'/'h' variants) and ASReml's that asr_py does not implement (arma, iexp, sph, ...)."""
    from asr_py.vcov.base import registered_names, structure_syntax

    _load_structures()
    own = {n for n in registered_names() if getattr(structure_syntax(n), "spatial", False)}
    return frozenset(own) | UNAVAILABLE_SPATIAL


def lookup(name: str) -> FunctionSpec | None:
    """The spec of function ``name``, or None when unknown."""
    return functions().get(name)


def is_variance_structure(name: str) -> bool:
    """True for ASReml variance-structure functions (``us``, ``ar1v``, ``fa``, ``diag``...)."""
    spec = lookup(name)
    return spec is not None and spec.kind == "variance"


def is_available(name: str) -> bool:
    """True for a variance structure asr_py implements (registered in asr_py.vcov)."""
    return is_variance_structure(name) and name not in UNAVAILABLE


def is_transform(name: str) -> bool:
    """True for R functions allowed in fixed formulas (``log``, ``I``, ``poly``, ``exp``...)."""
    return name in TRANSFORMS


def variance_base(name: str) -> tuple[str, str] | None:
    """(family, suffix) of a variance structure: ``ar1v`` -> ('ar1', 'v'), ``us`` -> ('us', '')."""
    spec = lookup(name)
    if spec is None or spec.kind != "variance":
        return None
    return spec.base, spec.suffix


def suggest(name: str, candidates: list[str] | None = None) -> str | None:
    """The closest known function name to ``name`` (difflib), or None."""
    pool = list(functions()) if candidates is None else candidates
    lowered = {c.lower(): c for c in pool}
    if name.lower() in lowered and lowered[name.lower()] != name:
        return lowered[name.lower()]
    hits = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
    return hits[0] if hits else None
