"""Audit of the ASReml-R 4.2 model language: parse, fit, explain and translate, per form.

Every variance-model function (and its v/h variants), every special model function with its
options, and the asreml() arguments that change the model is written into one asreml() call
on a small simulated multi-environment data set (:func:`data`), then put through the four
front doors of asr_py:

* **parse**: ``asr.parse_model(fixed, random, residual)``;
* **fit**: ``asr.asreml(...)`` (converged or not; ℓ);
* **explain**: ``asr.explain`` of the random / residual formula (with the data);
* **translate**: ``asr.translate`` of the R call; the Python it writes is run on the same
  data and its ℓ compared with the direct fit (a TODO line or another ℓ is a gap).

Each door ends in ``ok``, ``refused`` (an :class:`asr_py.AsrError`: the intended answer for a
form asr_py does not support, if the message names it with a caret or a hint) or ``FAIL``
(another exception, a refusal of a form that should work, a translation that fits another
model). The forms expected to be refused are marked in :data:`CASES`.

    python benchmarks/model_language_audit.py [--markdown] [--match REGEX]

A run takes a few minutes on one core.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import traceback
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd


@dataclass
class Case:
    """One asreml() call: its formulas, extra Python keywords and the same in R."""

    label: str
    group: str
    fixed: str
    random: str | None = None
    residual: str | None = None
    kw: dict[str, Any] = field(default_factory=dict)
    r_args: str = ""
    refuse: bool = False        # asr_py does not support it: a clear AsrError is the answer
    translate_refuse: bool = False  # the R form cannot carry to Python (own()'s R function)


def data() -> pd.DataFrame:
    """3 sites x 2 reps x 8 genotypes on a 4 x 4 grid per site; covariates, counts, a
    second trait, weights, an offset and a pedigree id."""
    rng = np.random.default_rng(29)
    rows = []
    for s, site in enumerate("ABC"):
        for r in range(2):
            for g in range(8):
                plot = r * 8 + g
                row, col = plot // 4 + 1, plot % 4 + 1
                x = (g + 2 * r) % 6 + 1.0
                ge = rng.normal(0, 1)
                y = 10 + s + 0.3 * x + ge + rng.normal(0, 1)
                rows.append(dict(site=site, rep=f"{site}{r + 1}", gen=f"G{g + 1}",
                                 row=str(row), col=str(col), rown=float(row), coln=float(col),
                                 x=x, xf=str(int(x)), t=float(r * 3 + g % 3 + 1), y=y,
                                 y2=0.5 * y + rng.normal(0, 1), w=1.0 + (g % 3) / 2,
                                 o=0.1 * g, n=int(rng.poisson(3 + s)),
                                 b=int(y > 11.5), tot=5, k=int(rng.binomial(5, 0.4)),
                                 yp=float(abs(y) + 0.5), grpa=rng.normal(), grpb=rng.normal(),
                                 mother=f"G{(g + 1) % 8 + 1}", father=f"G{(g + 3) % 8 + 1}"))
    d = pd.DataFrame(rows)
    for c in ("site", "rep", "gen", "row", "col", "xf", "mother", "father"):
        d[c] = d[c].astype("category")
    return d


def kmatrix() -> pd.DataFrame:
    """A positive definite 8 x 8 relationship matrix over the genotypes."""
    n = 8
    k = 0.5 ** np.abs(np.subtract.outer(np.arange(n), np.arange(n))) + 0.1 * np.eye(n)
    ids = [f"G{i + 1}" for i in range(n)]
    return pd.DataFrame(k, index=ids, columns=ids)


def _v(name: str, term: str | None = None, **kw: Any) -> Case:
    return Case(name, "variance", "y ~ site", random=f"~ {term or name + '(site):gen'}", **kw)


def _vs(name: str) -> list[Case]:
    """A spatial correlation family: plain, v and h forms."""
    out = []
    for suf in ("", "v", "h"):
        nm = name + suf
        out.append(Case(nm, "variance", "y ~ site", random="~ rep",
                        residual=f"~ dsum(~ {nm}(row):id(col) | site)"))
    return out


def _vm(name: str, arg: str = "x, rown") -> list[Case]:
    """A metric (coordinate) family in a random term: plain, v, h."""
    return [Case(name + s, "variance", "y ~ site", random=f"~ {name}{s}({arg}):site")
            for s in ("", "v", "h")]


CASES: list[Case] = [
    # --- variance models: identity / heterogeneous / unstructured -------------------------
    _v("id"), _v("idv"), _v("idh"), _v("diag"), _v("us"), _v("usv", refuse=True),
    _v("chol", "chol(site, 1):gen"), _v("cholc", "cholc(site, 1):gen"),
    _v("ante", "ante(site, 1):gen"),
    *[_v(n) for n in ("cor", "corv", "corh", "corb", "corbv", "corbh", "corg", "corgv",
                      "corgh")],
    _v("fa", "fa(site, 1):gen"), _v("facv", "facv(site, 1):gen"), _v("rr", "rr(site, 1):gen"),
    _v("rr+diag", "rr(site, 1):gen + diag(site):gen"),
    _v("xfa", "xfa(site, 1):gen"), _v("sfa", "sfa(site, 1):gen"),
    # --- variance models: time series / spatial --------------------------------------------
    *[c for n in ("ar1", "ar2", "ar3", "sar", "sar2", "ma1", "ma2", "arma") for c in _vs(n)],
    *_vm("exp", "x"), *_vm("gau", "x"),
    Case("exp 2-d", "variance", "y ~ site", random="~ exp(x, rown):site", refuse=True),
    *[c for n in ("iexp", "igau", "ieuc", "aexp", "agau", "sph", "cir", "mtrn")
      for c in _vm(n)],
    *[Case(f"lvr{s}", "variance", "y ~ site", random=f"~ lvr{s}(x):site", refuse=True)
      for s in ("", "v", "h")],
    _v("own", 'own(site, "fun", c(1, 0.1), c("V", "R")):gen', translate_refuse=True),
    # options of variance models
    _v("init us", "us(site, init = c(1, 0.1, 1, 0.1, 0.1, 1)):gen"),
    _v("init idv", "idv(gen, init = 0.5)"),
    _v("init ar1v", "ar1v(t, init = c(0.3, 1)):site"),
    _v("init F code", "ar1(t, init = c(F = 0.5)):site"),
    _v("init P code", "idv(gen, init = c(P = 0.5))"),
    _v("init U code", "idv(gen, init = c(U = 0.5))"),
    _v("init rep()", "corh(site, init = c(0.2, rep(1, 3))):gen"),
    _v("fa init", "fa(site, 1, init = c(1, 1, 1, 0.5, 0.5, 0.5)):gen"),
    _v("corb k", "corb(site, 1):gen"),
    _v("ante k", "ante(site, 2):gen"),
    _v("us(trait)", "us(trait):gen"),
    _v("diag(trait)", "diag(trait):gen"),
    _v("nested idh:ar1", "idh(site):ar1(t)"),
    _v("3-way", "id(site):id(rep):gen"),
    _v("us:vm", "us(site):vm(gen, K)"),
    _v("fa:vm", "fa(site, 1):vm(gen, K)"),
    # --- special model functions --------------------------------------------------------
    Case("at(f)", "model", "y ~ site", random="~ at(site):gen"),
    Case("at(f, 'A')", "model", "y ~ site", random="~ at(site, 'A'):gen"),
    Case("at(f, c())", "model", "y ~ site", random="~ at(site, c('A', 'B')):gen"),
    Case("at(f, 2)", "model", "y ~ site", random="~ at(site, 2):gen"),
    Case("at(f, lvls=)", "model", "y ~ site", random="~ at(site, lvls = 'B'):gen"),
    Case("at fixed", "model", "y ~ site + at(site, 'A'):x"),
    Case("at:idv", "model", "y ~ site", random="~ at(site, 'A'):idv(gen)"),
    Case("dev", "model", "y ~ x", random="~ dev(x)"),
    Case("lin", "model", "y ~ lin(row) + site", random="~ gen"),
    Case("pol fixed", "model", "y ~ pol(x, 2)"),
    Case("pol -k", "model", "y ~ pol(x, -2)"),
    Case("pol random", "model", "y ~ x", random="~ us(pol(x, 1)):gen"),
    Case("pol:f", "model", "y ~ x", random="~ pol(x, 1):gen"),
    Case("leg", "model", "y ~ leg(x, 2)"),
    Case("leg random", "model", "y ~ x", random="~ us(leg(x, 1)):gen"),
    Case("spl", "model", "y ~ x", random="~ spl(x)"),
    Case("spl k", "model", "y ~ x", random="~ spl(x, 4)"),
    Case("spl k=", "model", "y ~ x", random="~ spl(x, k = 4)"),
    Case("spl:f", "model", "y ~ x + site + site:x", random="~ spl(x):site"),
    Case("fac", "model", "y ~ fac(x) + site"),
    Case("fac(x, y)", "model", "y ~ site", random="~ fac(x, rown)"),
    Case("fac random", "model", "y ~ x", random="~ fac(x)"),
    Case("grp", "model", "y ~ site", random="~ grp(g)", kw={"group": {"g": ["grpa", "grpb"]}},
         r_args="group = list(g = c('grpa', 'grpb'))"),
    Case("mbf", "model", "y ~ site", random="~ mbf(gm)",
         kw={"mbf": {"gm": {"key": ("gen", "gen"), "cov": "Mg"}}},
         r_args="mbf = list(gm = list(key = c('gen', 'gen'), cov = 'Mg'))"),
    Case("and", "model", "y ~ site", random="~ mother + and(father)"),
    Case("and times", "model", "y ~ site", random="~ mother + and(father, 0.5)"),
    Case("and fixed", "model", "y ~ site + mother + and(father)"),
    Case("vm", "model", "y ~ site", random="~ vm(gen, K)"),
    Case("vm singG", "model", "y ~ site", random="~ vm(gen, K, singG = 'PSD')"),
    Case("vm+ide", "model", "y ~ site", random="~ vm(gen, K) + ide(gen)"),
    Case("vm source=", "model", "y ~ site", random="~ vm(gen, source = K)"),
    Case("vm source= singG", "model", "y ~ site",
         random="~ vm(gen, source = K, singG = 'PSD')"),
    Case("vm init", "model", "y ~ site", random="~ vm(gen, K, init = 0.5)", kw={"maxit": 1},
         r_args="maxit = 1"),
    Case("vm singG by position", "model", "y ~ site", random="~ vm(gen, K, 'NSD')",
         refuse=True),
    Case("ped var = F", "model", "y ~ site", random="~ ped(gen, var = F)",
         kw={"pedigree": "PED"}, refuse=True),
    Case("ide(f, K)", "model", "y ~ site", random="~ vm(mother, K) + ide(mother, K)"),
    Case("str form= vmodel=", "model", "y ~ x",
         random="~ str(form = ~ gen + gen:x, vmodel = ~ us(2):id(gen))"),
    Case("positional init", "variance", "y ~ site", random="~ idv(gen, 0.5)"),
    Case("positional init c()", "variance", "y ~ site",
         random="~ corh(site, c(0.2, 1, 1, 1)):gen"),
    Case("ped (asreml 3)", "model", "y ~ site", random="~ ped(gen)",
         kw={"pedigree": "PED"}, r_args=""),
    Case("giv (asreml 3)", "model", "y ~ site", random="~ giv(gen)", kw={"ginverse": "GIV"}),
    Case("str", "model", "y ~ x", random="~ str(~ gen + gen:x, ~ us(2):id(gen))"),
    Case("str vm", "model", "y ~ site",
         random="~ str(~ vm(mother, K) + vm(father, K), ~ us(2):vm(mother, K))"),
    Case("dsum", "model", "y ~ site", residual="~ dsum(~ units | site)"),
    Case("dsum levels", "model", "y ~ site",
         residual="~ dsum(~ ar1(row):ar1(col) | site, levels = c('A', 'B', 'C'))"),
    Case("dsum idv", "model", "y ~ site", residual="~ dsum(~ idv(units) | site)"),
    Case("uni", "model", "y ~ site", random="~ uni(site, 'A')"),
    Case("uni(f)", "model", "y ~ site", random="~ uni(site)"),
    Case("units", "model", "y ~ site", random="~ gen + units"),
    Case("idv(units)", "model", "y ~ site", random="~ gen + idv(units)"),
    Case("trait", "model", "cbind(y, y2) ~ trait + trait:site", random="~ us(trait):gen",
         residual="~ units:us(trait)"),
    Case("trait diag res", "model", "cbind(y, y2) ~ trait", random="~ diag(trait):gen",
         residual="~ id(units):diag(trait)"),
    Case("at(trait)", "model", "cbind(y, y2) ~ trait", random="~ at(trait, 'y'):gen",
         residual="~ units:us(trait)"),
    Case("Trait (asreml 3)", "model", "cbind(y, y2) ~ Trait", random="~ us(Trait):gen",
         residual="~ units:us(Trait)", refuse=True),
    Case("mv (asreml 3)", "model", "y ~ site + mv", random="~ gen"),
    Case("offset()", "model", "y ~ site + offset(o)", random="~ gen"),
    Case("sbs", "model", "y ~ site", random="~ sbs(gen)", refuse=True),
    Case("ide alone", "model", "y ~ site", random="~ ide(gen)", refuse=True),
    # --- formula operators in random/residual --------------------------------------------
    Case("a/b random", "operator", "y ~ site", random="~ site/rep"),
    Case("a*b random", "operator", "y ~ 1", random="~ site*gen"),
    Case("rcov", "operator", "y ~ site", kw={"rcov": "~ units"}, r_args="rcov = ~ units"),
    Case("residual ~ id(units)", "operator", "y ~ site", residual="~ id(units)"),
    Case("residual idv(units)", "operator", "y ~ site", residual="~ idv(units)"),
    Case("residual ar1:ar1", "operator", "y ~ site", residual="~ ar1(row):ar1(col)",
         kw={"subset": "site == 'A'"}, r_args="subset = site == 'A'"),
    Case("residual ar1v:ar1", "operator", "y ~ site", residual="~ ar1v(row):ar1(col)",
         kw={"subset": "site == 'A'"}, r_args="subset = site == 'A'"),
    Case("sparse", "operator", "y ~ site", random="~ gen", kw={"sparse": "~ rep"},
         r_args="sparse = ~ rep"),
    Case("-1", "operator", "y ~ -1 + site", random="~ gen"),
    Case("I()", "operator", "I(y / 10) ~ site + I(x^2)"),
    Case("log(y)", "operator", "log(y) ~ site"),
    # --- asreml() arguments ---------------------------------------------------------------
    Case("weights", "argument", "y ~ site", random="~ gen", kw={"weights": "w"},
         r_args="weights = w"),
    Case("na.method include", "argument", "y ~ site", random="~ gen",
         kw={"na_action": {"y": "include", "x": "include"}},
         r_args="na.action = na.method(y = 'include', x = 'include')"),
    Case("na.method omit", "argument", "y ~ site", random="~ gen",
         kw={"na_action": {"y": "omit", "x": "omit"}},
         r_args="na.action = na.method(y = 'omit', x = 'omit')"),
    Case("subset", "argument", "y ~ rep", random="~ gen", kw={"subset": "site == 'B'"},
         r_args="subset = site == 'B'"),
    Case("asr_binomial", "argument", "b ~ site", random="~ gen",
         kw={"family": "asr_binomial()"}, r_args="family = asr_binomial()"),
    Case("asr_binomial probit total", "argument", "k ~ site", random="~ gen",
         kw={"family": "asr_binomial(link='probit', total='tot')"},
         r_args="family = asr_binomial(link = 'probit', total = tot)"),
    Case("asr_poisson", "argument", "n ~ site", random="~ gen",
         kw={"family": "asr_poisson()"}, r_args="family = asr_poisson()"),
    Case("asr_Gamma", "argument", "yp ~ site", random="~ gen",
         kw={"family": "asr_Gamma(link='log')"}, r_args="family = asr_Gamma(link = 'log')"),
    Case("asr_gaussian", "argument", "y ~ site", random="~ gen",
         kw={"family": "asr_gaussian()"}, r_args="family = asr_gaussian()"),
    Case("asr_negative.binomial", "argument", "n ~ site", random="~ gen",
         kw={"family": "asr_negative.binomial"}, r_args="family = asr_negative.binomial()"),
    Case("asr_negative.binomial phi", "argument", "n ~ site", random="~ gen",
         kw={"family": "asr_negative_binomial(phi=2)"},
         r_args="family = asr_negative.binomial(phi = 2)"),
    Case("asr_inverse.gaussian", "argument", "yp ~ site", random="~ gen",
         kw={"family": "asr_inverse.gaussian"}, r_args="family = asr_inverse.gaussian()",
         refuse=True),
    Case("asr_inverse.gaussian link", "argument", "yp ~ site", random="~ gen",
         kw={"family": "asr_inverse_gaussian(link='log', dispersion=None)"},
         r_args="family = asr_inverse.gaussian(link = 'log', dispersion = NA)"),
    Case("asr_multinomial", "argument", "n ~ site", random="~ gen",
         kw={"family": "asr_multinomial"}, r_args="family = asr_multinomial()", refuse=True),
    Case("offset", "argument", "y ~ site", random="~ gen", kw={"offset": "o"},
         r_args="offset = o", refuse=True),
    Case("knot.points", "argument", "y ~ x", random="~ spl(x)",
         kw={"knot_points": {"x": [0.0, 2.0, 4.0, 7.0]}},
         r_args="knot.points = list(x = c(0, 2, 4, 7))"),
    Case("G.param/start.values", "argument", "y ~ site", random="~ gen",
         kw={"start_values": True}, r_args="start.values = TRUE"),
    Case("keep.order", "argument", "y ~ x + site", random="~ gen", kw={"keep_order": True},
         r_args="keep.order = TRUE"),
    Case("maxit", "argument", "y ~ site", random="~ gen", kw={"maxit": 50},
         r_args="maxit = 50"),
    Case("equate.levels", "argument", "y ~ site", random="~ mother + and(father)",
         r_args="equate.levels = c('mother', 'father')"),   # and() takes the union of levels
]


def _family(spec: str) -> Any:
    import asr_py as asr

    name, _, args = spec.partition("(")
    f = getattr(asr, name, None)
    if f is None:
        return name       # a family asr_py lacks: passed by name
    return eval(f"f({args}" if args else "f()", {"f": f})


def _matrices(case: Case, d: pd.DataFrame) -> dict[str, Any]:
    """The keyword matrices a case needs (vm's K, mbf's covariates, a pedigree)."""
    kw: dict[str, Any] = {}
    text = " ".join(x or "" for x in (case.random, case.residual, case.fixed))
    if "K" in text:
        kw["K"] = kmatrix()
    if "mbf" in case.kw:
        ids = [f"G{i + 1}" for i in range(8)]
        kw["Mg"] = pd.DataFrame({"gen": ids, "m1": np.linspace(-1, 1, 8),
                                 "m2": np.cos(np.arange(8.0))})
    return kw


def _own_ar1(order: int, kappa: np.ndarray) -> list[np.ndarray]:
    """own()'s function: [σ² ρ^h, ∂/∂σ², ∂/∂ρ] with h = |i − j|."""
    h = np.abs(np.subtract.outer(np.arange(order), np.arange(order))).astype(float)
    s2, r = kappa
    return [s2 * r**h, r**h, s2 * h * np.where(h > 0, r ** np.maximum(h - 1, 0), 0.0)]


def _pedigree() -> pd.DataFrame:
    ids = [f"G{i + 1}" for i in range(8)]
    return pd.DataFrame({"id": ids, "sire": ["0"] * 4 + ["G1", "G1", "G2", "G1"],
                         "dam": ["0"] * 4 + ["G3", "G4", "G4", "G3"]})


def _kwargs(case: Case, d: pd.DataFrame) -> dict[str, Any]:
    kw = dict(case.kw)
    if isinstance(kw.get("family"), str):
        kw["family"] = _family(kw["family"])
    if kw.get("pedigree") == "PED":
        kw["pedigree"] = _pedigree()
    if kw.get("ginverse") == "GIV":
        import asr_py as asr

        kw["ginverse"] = {"gen": asr.ainverse(_pedigree())}
    if "own(" in (case.random or ""):
        kw["fun"] = _own_ar1
    kw.update(_matrices(case, d))
    return kw


def _status(e: BaseException) -> tuple[str, str]:
    import asr_py as asr

    first = str(e).splitlines()[0][:110] if str(e) else type(e).__name__
    if isinstance(e, asr.AsrError):
        clear = "^" in str(e) or "hint:" in str(e)
        return ("refused" if clear else "refused (no caret/hint)"), first
    tb = traceback.extract_tb(e.__traceback__)[-1]
    return "FAIL", f"{type(e).__name__}: {first} [{tb.filename.split('/')[-1]}:{tb.lineno}]"


def _r_call(case: Case) -> str:
    parts = [f"fixed = {case.fixed}"]
    if case.random:
        parts.append(f"random = {case.random}")
    if case.residual:
        parts.append(f"residual = {case.residual}")
    if case.r_args:
        parts.append(case.r_args)
    if "pedigree" in case.kw:
        parts = [p.replace("ped(gen)", "ped(gen)") for p in parts]
        parts.append("ginverse = list(gen = PEDinv)")
    if "ginverse" in case.kw:
        parts.append("ginverse = list(gen = GIV)")
    parts.append("data = dat")
    return "m <- asreml(" + ", ".join(parts) + ")\n"


def audit(case: Case, d: pd.DataFrame) -> dict[str, str]:
    """The four doors for one case: {door: status}, {door + '_why': detail}."""
    import asr_py as asr

    out: dict[str, str] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # parse
        try:
            asr.parse_model(case.fixed, case.random, case.residual or case.kw.get("rcov"),
                            sparse=case.kw.get("sparse"))
            out["parse"], out["parse_why"] = "ok", ""
        except Exception as e:  # noqa: BLE001 - the audit reports it
            out["parse"], out["parse_why"] = _status(e)
        # fit
        loglik = None
        t0 = time.perf_counter()
        try:
            kw = _kwargs(case, d)
            fit = asr.asreml(case.fixed, case.random, case.residual, data=d, **kw)
            if isinstance(fit, pd.DataFrame):
                out["fit"], out["fit_why"] = "ok", "start-values table"
            else:
                loglik = float(fit.loglik)
                conv = "converged" if fit.converged else "NOT converged"
                out["fit"], out["fit_why"] = "ok", f"{conv}, ℓ {loglik:.4f}"
        except Exception as e:  # noqa: BLE001
            out["fit"], out["fit_why"] = _status(e)
        out["fit_s"] = f"{time.perf_counter() - t0:.1f}"
        # explain
        try:
            mats = {k: v for k, v in _kwargs(case, d).items()
                    if k not in ("subset", "family", "weights", "na_action", "maxit",
                                 "keep_order", "start_values", "sparse", "rcov")}
            dx = d.query(case.kw["subset"]) if "subset" in case.kw else d
            for kind in ("random", "residual"):
                text = getattr(case, kind)
                if text:
                    fx = case.fixed if case.fixed.startswith(("cbind", "y ")) else None
                    asr.explain(text, dx, kind=kind, fixed=fx, **mats)
            if not case.random and not case.residual:
                asr.explain(case.fixed, dx, kind="fixed")
            out["explain"], out["explain_why"] = "ok", ""
        except Exception as e:  # noqa: BLE001
            out["explain"], out["explain_why"] = _status(e)
        # translate
        try:
            py = asr.translate(_r_call(case))
            todo = [ln for ln in py.splitlines()
                    if "TODO(asr_py)" in ln and not ln.startswith("# Translated")]
            if todo:
                out["translate"], out["translate_why"] = "TODO", todo[0].strip()[:110]
            else:
                ns: dict[str, Any] = {"dat": d, **_matrices(case, d)}
                if "own(" in (case.random or ""):
                    ns["fun"] = _own_ar1
                if "ginverse" in case.kw or "pedigree" in case.kw:
                    ns["GIV"] = ns["PEDinv"] = asr.ainverse(_pedigree())
                try:
                    exec(compile(py, "<translated>", "exec"), ns)
                    m = ns.get("m")
                    ll = getattr(m, "loglik", None)
                    if loglik is None or ll is None:
                        out["translate"], out["translate_why"] = "ok", "runs"
                    elif abs(float(ll) - loglik) < 1e-6 * max(1.0, abs(loglik)):
                        out["translate"], out["translate_why"] = "ok", "same ℓ"
                    else:
                        out["translate"], out["translate_why"] = (
                            "FAIL", f"another model: ℓ {float(ll):.4f} vs {loglik:.4f}")
                except Exception as e:  # noqa: BLE001
                    st, why = _status(e)
                    out["translate"] = "FAIL" if loglik is not None else st
                    out["translate_why"] = "translated code: " + why
        except Exception as e:  # noqa: BLE001
            out["translate"], out["translate_why"] = _status(e)
    return out


def grade(case: Case, r: dict[str, str]) -> str:
    """'good' when every door did what it should, else 'GAP'."""
    doors = ("parse", "fit", "explain", "translate")
    if case.translate_refuse and r["translate"] == "FAIL" and "is not given" in r.get(
            "translate_why", ""):
        r = {**r, "translate": "ok"}   # the translated code stops with a clear AsrError
    if case.refuse:
        # a form asr_py cannot fit: parse may accept it; fit must refuse it clearly; translate
        # must not run it silently as another model
        ok = r["fit"] == "refused" and r["translate"] in ("TODO", "refused") \
            and not any(r[x] == "FAIL" for x in doors)
    else:
        ok = all(r[x] == "ok" for x in doors)
    return "good" if ok else "GAP"


def run(markdown: bool = False, match: str | None = None) -> list[tuple[Case, dict[str, str]]]:
    d = data()
    cases = [c for c in CASES if match is None or re.search(match, c.label)]
    res = []
    for c in cases:
        r = audit(c, d)
        r["grade"] = grade(c, r)
        res.append((c, r))
        if not markdown:
            print(f"{r['grade']:4s} {c.group:8s} {c.label:26s} parse={r['parse']:8s} "
                  f"fit={r['fit']:8s} explain={r['explain']:8s} translate={r['translate']:8s}"
                  f" | {r['fit_why'][:60]} | {r['translate_why'][:70]}"
                  + (f" | explain: {r['explain_why'][:60]}" if r["explain"] != "ok" else "")
                  + (f" | parse: {r['parse_why'][:60]}" if r["parse"] != "ok" else ""),
                  flush=True)
    if markdown:
        print("| group | form | written | parse | fit | explain | translate | grade |")
        print("|---|---|---|---|---|---|---|---|")
        for c, r in res:
            written = "; ".join(x for x in (c.fixed, c.random and f"random {c.random}",
                                            c.residual and f"residual {c.residual}",
                                            c.r_args) if x)
            cells = [r[door] + (f": {r[door + '_why']}" if r.get(door + "_why") else "")
                     for door in ("parse", "fit", "explain", "translate")]
            print(f"| {c.group} | {c.label} | `{written}` | " + " | ".join(cells)
                  + f" | {r['grade']} |".replace("\n", " "))
    counts = {door: sum(r[door] == "ok" for _, r in res)
              for door in ("parse", "fit", "explain", "translate")}
    gaps = [c.label for c, r in res if r["grade"] == "GAP"]
    print(f"\n{len(res)} forms: " + ", ".join(f"{k} ok {v}" for k, v in counts.items())
          + f"; refused as intended {sum(c.refuse for c, r in res if r['grade'] == 'good')}"
          f"; gaps {len(gaps)}: {', '.join(gaps)}", file=sys.stderr)
    return res


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--match", default=None)
    a = ap.parse_args()
    run(a.markdown, a.match)
