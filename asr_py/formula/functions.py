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
_INIT = ("init",)
# correlation families with v (scaled) and h (heterogeneous) variants, and their arity
_FAMILIES: dict[str, tuple[int, int, tuple[str, ...], str]] = {
    "id": (1, 1, (), "identity"),
    "cor": (1, 1, (), "uniform correlation"),
    "corb": (1, 2, ("b",), "banded correlation"),
    "corg": (1, 1, (), "general correlation"),
    "ar1": (1, 1, (), "first-order autoregressive"),
    "ar2": (1, 1, (), "second-order autoregressive"),
    "ar3": (1, 1, (), "third-order autoregressive"),
    "sar": (1, 1, (), "symmetric autoregressive"),
    "sar2": (1, 1, (), "constrained second-order autoregressive"),
    "ma1": (1, 1, (), "first-order moving average"),
    "ma2": (1, 1, (), "second-order moving average"),
    "arma": (1, 1, (), "autoregressive moving average"),
    "exp": (1, 2, ("dist",), "exponential (1-d or 2-d coordinates)"),
    "gau": (1, 2, ("dist",), "gaussian"),
    "iexp": (1, 2, ("dist",), "isotropic exponential"),
    "igau": (1, 2, ("dist",), "isotropic gaussian"),
    "ieuc": (1, 2, ("dist",), "isotropic euclidean"),
    "lvr": (1, 2, ("dist",), "linear variance"),
    "sph": (1, 2, ("dist",), "spherical"),
    "cir": (1, 2, ("dist",), "circular"),
    "aexp": (1, 2, ("dist",), "anisotropic exponential"),
    "agau": (1, 2, ("dist",), "anisotropic gaussian"),
}
for _base, (_lo, _hi, _named, _doc) in _FAMILIES.items():
    if _base == "id":
        _add("id", "variance", 1, 1, _INIT, "identity (correlation 1 on the diagonal)")
    else:
        _add(_base, "variance", _lo, _hi, _named + _INIT, f"{_doc} correlation")
    _add(_base + "v", "variance", _lo, _hi, _named + _INIT, f"{_doc}, times one variance",
         base=_base, suffix="v")
    _add(_base + "h", "variance", _lo, _hi, _named + _INIT,
         f"{_doc}, heterogeneous variances", base=_base, suffix="h")
_add("diag", "variance", 1, 1, _INIT, "diagonal: one variance per level (= idh)",
     base="id", suffix="h")
_add("us", "variance", 1, 1, ("init", "Gpos"), "unstructured (all variances and covariances)")
_add("ante", "variance", 1, 2, ("k", "init"), "antedependence of order k")
_add("chol", "variance", 1, 2, ("k", "init"), "Cholesky of order k")
_add("own", "variance", 1, 4, ("fun", "type", "init"), "user-defined structure")
_add("fa", "variance", 1, 2, ("k", "init"), "factor analytic with k factors")
_add("facv", "variance", 1, 2, ("k", "init"), "factor analytic, covariance form")
_add("rr", "variance", 1, 2, ("k", "init"), "reduced rank (fa without specific variances)")
_add("xfa", "variance", 1, 2, ("k", "init"), "extended factor analytic")

# --- ASReml model functions ---------------------------------------------------------------
_add("vm", "model", 2, 3, ("singG", "init"), "known relationship matrix or its inverse")
_add("ide", "model", 1, 1, (), "identity companion of a vm() term")
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


def lookup(name: str) -> FunctionSpec | None:
    """The spec of function ``name``, or None when unknown."""
    return FUNCTIONS.get(name)


def is_variance_structure(name: str) -> bool:
    """True for ASReml variance-structure functions (``us``, ``ar1v``, ``fa``, ``diag``...)."""
    spec = FUNCTIONS.get(name)
    return spec is not None and spec.kind == "variance"


def is_transform(name: str) -> bool:
    """True for R functions allowed in fixed formulas (``log``, ``I``, ``poly``, ``exp``...)."""
    return name in TRANSFORMS


def variance_base(name: str) -> tuple[str, str] | None:
    """(family, suffix) of a variance structure: ``ar1v`` -> ('ar1', 'v'), ``us`` -> ('us', '')."""
    spec = FUNCTIONS.get(name)
    if spec is None or spec.kind != "variance":
        return None
    return spec.base, spec.suffix


def suggest(name: str, candidates: list[str] | None = None) -> str | None:
    """The closest known function name to ``name`` (difflib), or None."""
    pool = list(FUNCTIONS) if candidates is None else candidates
    lowered = {c.lower(): c for c in pool}
    if name.lower() in lowered and lowered[name.lower()] != name:
        return lowered[name.lower()]
    hits = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
    return hits[0] if hits else None
