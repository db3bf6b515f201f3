"""Do our fits agree with the numbers the corpus scripts record from asreml? (issue 14)

    python benchmarks/translate_agreement.py [-v] [--match REGEX]

The public corpus (``tests/translate/corpus/index.csv``) keeps asreml's results in its
scripts: testthat checks such as ``expect_true(abs(vparameters[k] - value) < 1e-03)`` or
``expect_lt(abs(info$AIC - 1352.941), 1e-03)``. Most of them go through asremlPlus functions
that translate leaves as TODOs (``infoCriteria``, ``REMLRT``, ``estimateV``) or through R
indexing of ``$vparameters``, so the translated scripts cannot evaluate them. This script
refits those models with ``asr.asreml`` on the scripts' own data (read from the mirrors in
``/work/.mirror``, as ``translate_corpus.py`` does) and compares each recorded number with
ours, within the script's own tolerance:

* **agree**: |ours - asreml| <= the script's tolerance;
* **differ**: outside it. For a variance parameter the script records, the log-likelihood of
  our model refitted with that parameter fixed at asreml's value is also printed: Δℓ =
  ℓ(ours) - ℓ(asreml's value). A Δℓ far below asreml's own convergence tolerance (a change
  in ℓ under 0.002) means asreml stopped on a flat likelihood short of the optimum we found;
* **unchecked**: the model cannot be fitted here (a structure asr_py does not have).

Besides testthat records, the cases include numbers asreml printed in rendered documents
(vignettes, course pages) and in the comments of agridat's help pages (``kwstat/agridat``,
man/<dataset>.Rd: an asreml call with its printed ``vc()``, ``$loglik``, ``predict()`` or
``wald()`` below it), compared at one unit of their last printed digit.

Conventions: asreml's log-likelihood omits the constant −½(n − p) log 2π that ours includes
(``AsremlFit.loglik`` is lme4's full REML value), so ℓ_asreml = ℓ + ½(n − p) log 2π;
asremlPlus's REML AIC is −2 ℓ_asreml + 2 varDF, with varDF the count the script states.
Its ``IClikelihood = "full"`` log-likelihood is the ML log-likelihood at the REML estimates
(β the GLS estimate) without −½ n log 2π; we evaluate it by refitting with ``method = "ML"``
and every variance parameter fixed ('F') at our REML estimates; AIC = −2ℓ + 2(fixedDF +
varDF), BIC = −2ℓ + (fixedDF + varDF) log n.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import chi2

import asr_py as asr

sys.path.insert(0, str(Path(__file__).resolve().parent))
from translate_corpus import _git_dir  # noqa: E402

LOG2PI = float(np.log(2 * np.pi))
Fits = dict[str, "asr.AsremlFit"]  # type: ignore[name-defined]
#: the fits of a case and, under "<name>:full", asremlPlus's full log-likelihood of each


@dataclass
class Check:
    """One number a script records: what, asreml's value, the script's tolerance, ours."""
    label: str
    asreml: float
    tol: float
    ours: Callable[[Fits], float]
    #: (fit name, component) when the number is a variance parameter: profile it on "differ"
    param: tuple[str, str] | None = None


@dataclass
class Case:
    """A script's models (``asr.asreml`` keywords by name), its data and its checks."""
    script: str  # repo/path:lines
    data: tuple[str, str, str]  # repo, file in the repository (.rda/.csv/.txt), object
    fits: dict[str, dict]
    checks: list[Check]
    note: str = ""
    unchecked: dict[str, str] = field(default_factory=dict)  # label -> why
    #: fits whose asremlPlus "full" log-likelihood the checks use
    full: set[str] = field(default_factory=set)
    #: what the script does to the data before fitting (factor levels, na.omit, scale)
    prep: Callable[[pd.DataFrame], pd.DataFrame] | None = None


# ----- helpers on fits --------------------------------------------------------------------

def asreml_loglik(m: asr.AsremlFit) -> float:
    """asreml's REML log-likelihood: ours without the −½(n − p) log 2π term."""
    n = int(m.model.fixed.X.shape[0])  # records used (missing responses dropped)
    return m.loglik + 0.5 * (n - len(m.result.beta)) * LOG2PI


def aic(name: str, var_df: int) -> Callable[[Fits], float]:
    return lambda f: -2 * asreml_loglik(f[name]) + 2 * var_df


def full_ic(name: str, df: int, kind: str = "AIC") -> Callable[[Fits], float]:
    """asremlPlus's infoCriteria(IClikelihood = "full"): AIC, BIC or loglik; df = fixedDF +
    varDF as the script states."""
    def get(f: Fits) -> float:
        ll = f[f"{name}:full"]
        n = f[name].model.fixed.X.shape[0]
        return {"AIC": -2 * ll + 2 * df, "BIC": -2 * ll + df * np.log(n),
                "loglik": ll}[kind]
    return get


def full_loglik(m: asr.AsremlFit, kw: dict, data: pd.DataFrame) -> float:
    """ML log-likelihood at m's REML estimates (every variance parameter fixed), as asreml
    reports it: without −½ n log 2π."""
    p = m.params.copy()
    p["Constraint"] = "F"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ml = asr.asreml(**kw, data=data, params=p, method="ML")
    return ml.loglik + 0.5 * m.model.fixed.X.shape[0] * LOG2PI


def remlrt_p(small: str, big: str, df: int) -> Callable[[Fits], float]:
    return lambda f: float(chi2.sf(2 * (f[big].loglik - f[small].loglik), df))


def last_param(name: str) -> Callable[[Fits], float]:
    return lambda f: float(f[name].varcomp["component"].iloc[-1])


def cane_v21(name: str) -> Callable[[Fits], float]:
    """V[2, 1] of ``~ Col + Row + New`` + ``ar1(Col):f(Row)`` on local851: plots 1 and 2 share
    Col 1 and differ in Row (1, 2) and New, so V21 = σ²_Col + σ² c_Col(0) c_Row(1)."""
    def get(f: Fits) -> float:
        m = f[name]
        cov = m.covariance()
        return float(m.varcomp["component"]["Col"] + cov["Col:Row!Col"].iloc[0, 0]
                     * cov["Col:Row!Row"].iloc[1, 0])
    return get


# ----- the cases --------------------------------------------------------------------------

_CANE_VPAR = {"ar1": -1.274424e-01, "ar2": 0.0669068, "ar3": -2.265849e-01,
              "sar": -1.238088e-01, "sar2": -1.57972e-01, "ma1": 1.200424e-01,
              "ma2": -4.0854110e-02, "exp": 3.116814e-08, "gau": 2.721824e-08,
              "cor": 4.134244e-02}
_CANE_V21 = {"ar1": -14.6976, "ar2": -14.82033, "ar3": -12.26416, "sar": -13.75973,
             "sar2": -13.78844, "ma1": -12.3181, "ma2": -11.08808, "exp": 10.94163,
             "gau": 10.94113, "cor": 10.41591}


def _cane() -> Case:
    fits, checks, unchecked = {}, [], {}
    for f, v in _CANE_VPAR.items():
        lab = f"ar1(Col):{f}(Row)"
        if f not in _available():
            unchecked[f"{lab}: last vparameter, V[2,1]"] = f"'{f}' is not an asr_py structure"
            continue
        fits[f] = dict(fixed="tch ~ Control/Check", random="~ Col + Row + New",
                       residual=f"~ ar1(Col):{f}(Row)")
        checks.append(Check(f"{lab}: last vparameter", v, 1e-3, last_param(f), (f, "last")))
        checks.append(Check(f"{lab}: V[2,1]", _CANE_V21[f], 1e-3, cane_v21(f)))
    return Case("briencj/asremlPlus/tests/testthat/test41GeneticCane.R:17-41",
                ("briencj/asremlPlus", "tests/testthat/data/local851.rda", "site2"),
                fits, checks, "asreml 4.1 values (vpar.vals, V.el); the script keeps another "
                "asreml version's values in a comment, up to 1.4e-3 apart", unchecked)


def _wheat() -> Case:
    fx = "yield ~ Rep + WithinColPairs + Variety"
    rc = "~ Row + Column"
    fits = {
        "m1": dict(fixed=fx, random=rc + " + units", residual="~ ar1(Row):ar1(Column)"),
        "m2": dict(fixed=fx, random=rc, residual="~ ar1(Row):ar1(Column)"),
        "m3": dict(fixed=fx, random=rc, residual="~ Row:Column"),
        "m1b": dict(fixed="yield ~ Rep + Variety", random=rc + " + units",
                    residual="~ ar1(Row):ar1(Column)"),
        "m3b": dict(fixed=fx, random=rc + " + units", residual="~ Row:ar1(Column)"),
        "m4": dict(fixed=fx, random=rc + " + units", residual="~ ar1(Row):Column"),
    }
    checks = [
        Check("m1 infoCriteria AIC (varDF 5)", 1346.76764, 1e-2, aic("m1", 5)),
        Check("m2 infoCriteria AIC (varDF 4)", 1352.941, 1e-3, aic("m2", 4)),
        Check("REMLRT(m2, m1) p (DF 1)", 0.004232946, 1e-3, remlrt_p("m2", "m1", 1)),
        Check("REMLRT(m3, m1) p (DF 2)", 2.596812e-13, 1e-3, remlrt_p("m3", "m1", 2)),
        Check("REMLRT(m3, m1, DF = 3) p", 1.603828e-12, 1e-3, remlrt_p("m3", "m1", 3)),
        Check("m3 full AIC (31 + 3 df)", 1720.888, 5e-3, full_ic("m3", 34)),
        Check("m3 full BIC", 1823.25, 5e-3, full_ic("m3", 34, "BIC")),
    ]
    for (nm, df), v in zip((("m1", 36), ("m1b", 35), ("m2", 35), ("m3b", 35), ("m4", 36)),
                           (1653.100, 1651.294, 1654.613, 1669.928, 1708.997)):
        checks.append(Check(f"lines 71-105: {nm} full AIC ({df} df)", v, 0.1,
                            full_ic(nm, df)))
    checks += [Check("lines 71-106: m.max full BIC", 1761.483, 1, full_ic("m1", 36, "BIC")),
               Check("lines 71-107: m.max full loglik", -790.5502, 0.1,
                     full_ic("m1", 36, "loglik"))]
    return Case("briencj/asremlPlus/tests/testthat/test41REMLRTIC.r:16-107",
                ("briencj/asremlPlus", "data/Wheat.dat.rda", "Wheat.dat"), fits, checks,
                "asreml 4.1; m.max of lines 71-107 is m1", full={"m1", "m1b", "m2", "m3b",
                                                                  "m4", "m3"})


def n_free(m: asr.AsremlFit) -> int:
    """The variance parameters asreml counts in AIC/BIC: those not fixed."""
    return int((m.params["Constraint"] != "F").sum())


def asr_aic(name: str) -> Callable[[Fits], float]:
    return lambda f: -2 * asreml_loglik(f[name]) + 2 * n_free(f[name])


def asr_ll(name: str) -> Callable[[Fits], float]:
    return lambda f: asreml_loglik(f[name])


def cov_corr(name: str, i: int, j: int, k: int) -> Callable[[Fits], float]:
    """cov2cor of a 2 x 2 us() matrix from its components i (var 1), j (cov), k (var 2)."""
    def get(f: Fits) -> float:
        c = f[name].varcomp["component"].to_numpy()
        return float(c[j] / np.sqrt(c[i] * c[k]))
    return get


def blup(name: str, label: str) -> Callable[[Fits], float]:
    return lambda f: float(f[name].coef_random["solution"][label])


def _factor(col: pd.Series) -> pd.Categorical:
    """R's factor() of numbers: levels in numeric order."""
    v = pd.to_numeric(col)
    return pd.Categorical(col.astype(str), categories=[str(x) for x in sorted(v.unique())])


def _covardat() -> Case:
    """Numbers printed in the rendered vignette docs/articles/r-side.html (asreml 3,
    2019-09-19): AIC(cs2, ar2, fa2, to2, an2, un2)."""
    def prep(d: pd.DataFrame) -> pd.DataFrame:
        d = d.assign(patient=d["patient"].astype(str), month=_factor(d["month"]))
        return d.sort_values(["patient", "month"]).reset_index(drop=True)

    aic = {"cs2": ("cor(month)", 1946.165), "ar2": ("ar1(month)", 1900.840),
           "fa2": ("facv(month, 1)", 1957.899),
           "to2": ("corb(month, k=4, init=rep(.5,4))", 1961.419),
           "an2": ("ante(month, 1)", 1905.500), "un2": ("corg(month, init=rep(.8,15))", 1884.605)}
    fits = {k: dict(fixed="score ~ trt*month", residual=f"~ patient:{s}")
            for k, (s, _) in aic.items()}
    checks = [Check(f"{k} AIC ({s})", v, 2e-3, asr_aic(k)) for k, (s, v) in aic.items()]
    checks += [Check("cs2 R!variance", 80.485103, 1e-3, lambda f: float(
                   f["cs2"].varcomp["component"].iloc[0])),
               Check("ar2 month.cor", 0.8801, 1e-4, last_param("ar2"), ("ar2", "last"))]
    return Case("kwstat/covardat/vignettes/r-side.Rmd", ("kwstat/covardat", "data/alzheimers.txt",
                ""), fits, checks, "asreml 3 numbers printed in docs/articles/r-side.html",
                prep=prep)


def _grassuv() -> Case:
    """summary(model)$loglik of eight residual structures printed in agriutilities'
    rendered vignette docs/articles/repeated_measurements.html (asreml 4, June 2024); the
    data is asreml's grassUV as VSNC/vsnc ships it."""
    ll = {"idv": -209.4418, "corv": -196.8768, "expv": -182.9788, "exph": -171.4992,
          "ante": -160.3694, "ar1v": -181.0630, "ar1h": -169.5536, "us": -158.0356}
    fits = {k: dict(fixed="y ~ Time + Tmt + Tmt:Time", residual=f"~ id(Plant):{k}(Time)")
            for k in ll}
    checks = [Check(f"{k} loglik", v, 2e-4, asr_ll(k)) for k, v in ll.items()]
    return Case("AparicioJohan/agriutilities/vignettes/repeated_measurements.Rmd",
                ("VSNC/vsnc", "data/grassUV.rda", "grassUV"), fits, checks,
                "asreml 4 numbers printed in docs/articles/repeated_measurements.html; exph: "
                "asreml stopped 3.3e-3 below the optimum (dense-V REML confirms ours, "
                "tests/compat/test_compat_printed_outputs.py)",
                prep=lambda d: d.assign(Time=_factor(d["Time"]), Plant=d["Plant"].astype(str)))


def _trainingmm_index() -> Case:
    """docs/pages/10_Index.html (ASReml 4.2, 25/03/2026): the bivariate fit's final ℓ and the
    genetic and residual correlations (cov2cor)."""
    def prep(d: pd.DataFrame) -> pd.DataFrame:
        d = d.dropna().copy()
        for t in ("yield", "average_GC"):
            d[t] = (d[t] - d[t].mean()) / d[t].std()
        return d.assign(gen=d["gen"].astype(str))

    fits = {"mod": dict(fixed="cbind(yield, average_GC) ~ trait", random="~ us(trait):gen",
                        residual="~ id(units):us(trait)")}
    checks = [Check("mod loglik", -163.8166, 1e-3, asr_ll("mod")),
              Check("cov2cor(sigma_g)", 0.6814824, 1e-3, cov_corr("mod", 0, 1, 2)),
              Check("cov2cor(sigma_e)", 0.2659441, 1e-3, cov_corr("mod", 3, 4, 5))]
    return Case("AparicioJohan/trainingMM/docs/pages/10_Index.html",
                ("AparicioJohan/trainingMM", "data/example_2.csv", ""), fits, checks,
                "ASReml 4.2; its last iteration changed ℓ by 3e-4", prep=prep)


def _trainingmm_pblup() -> Case:
    """docs/pages/07_PBLUP.html: the page's own solve of Henderson's equations at asreml's
    variance components (asreml's printed BLUPs are one iteration behind: up to 5e-4 off)."""
    lv = ["g1", "g2", "g3", "g4"]
    A = pd.DataFrame([[1, 0, .5, .75], [0, 1, .5, .25], [.5, .5, 1, .75], [.75, .25, .75, 1.25]],
                     index=lv, columns=lv)
    fits = {"mme": dict(fixed="yield ~ 1", random="~ vm(gen, A) + block", A=A)}
    page = {"vm(gen, A)_g1": -0.4596044, "vm(gen, A)_g2": 0.4596044,
            "vm(gen, A)_g3": -0.3203845, "vm(gen, A)_g4": 1.0027751,
            "block_1": 1.1440635, "block_2": -0.3661003, "block_3": -0.7779632}
    checks = [Check(f"BLUP {k}", v, 1e-4, blup("mme", k)) for k, v in page.items()]
    return Case("AparicioJohan/trainingMM/docs/pages/07_PBLUP.html",
                ("AparicioJohan/trainingMM", "data/example_1.csv", ""), fits, checks,
                "a pedigree BLUP on a 4-genotype RCBD",
                prep=lambda d: d.assign(block=d["block"].astype(str)))


def _norberg_wheat() -> Case:
    """cculma/Norberg_2020 R_scripts/wheat_asreml.R: its comment records the REML LRT of
    ar1(Column) against id(Column), χ²₁ = 12.46 (asreml's wheat data, VSNC/vsnc)."""
    kw = dict(fixed="yield ~ weed", random="~ idv(Variety)")
    fits = {"wheat1": dict(kw, residual="~ ar1v(Row):id(Column)"),
            "wheat2": dict(kw, residual="~ ar1v(Row):ar1(Column)")}
    checks = [Check("REMLRT chi-square (1 df)", 12.46, 0.006,
                    lambda f: 2 * (f["wheat2"].loglik - f["wheat1"].loglik))]
    return Case("cculma/Norberg_2020/R_scripts/wheat_asreml.R:20-36",
                ("VSNC/vsnc", "data/wheat.rda", "wheat"), fits, checks,
                "a number written in a comment",
                prep=lambda d: d.assign(**{c: d[c].astype(str) for c in
                                           ("Column", "Row", "Variety")}))


def _jane_ogtt() -> Case:
    """AaronRendahl/Jane-asreml-modeling asreml_msi_modeling2.Rout: asreml-R 3.0's iteration
    log of two quadratic random regressions (glucose, log insulin over 9 times of 82 horses),
    str(~Number_ID:pol(time,2), ~us(3):id(Number_ID)); LogLik and S2 at convergence."""
    kw = dict(random="~ str(~Number_ID:pol(time,2), ~us(3):id(Number_ID))", maxit=400)
    fits = {"glu": dict(kw, fixed="glucose ~ pol(time,-2)"),
            "ins": dict(kw, fixed="logINS ~ pol(time,-2)")}
    checks = [printed("glu loglik", "-2157.1467", lambda f: asreml_loglik(f["glu"])),
              printed("glu S2", "57.0011", comp("glu", "units!R")),
              printed("ins loglik", "26.3108", lambda f: asreml_loglik(f["ins"])),
              printed("ins S2", "0.1362", comp("ins", "units!R"))]
    return Case("AaronRendahl/Jane-asreml-modeling/asreml_msi_modeling2.Rout",
                ("AaronRendahl/Jane-asreml-modeling", "OST_R_asreml_NS_hr.csv", ""), fits,
                checks, "asreml 3; the us(3) entries are in asreml's pol() basis "
                "(model/asreml_pol.py); with R's poly() columns ℓ was -2290.91 and -6.75",
                prep=lambda d: d.assign(Number_ID=_factor(d["Number_ID"]),
                                        time=d["time"] * 60, logINS=np.log(d["insulin"])))


# ----- agridat's help pages: asreml calls with the results printed in comments ------------

AGRIDAT = "kwstat/agridat"


def printed(label: str, text: str, get: Callable[[Fits], float], tol: float | None = None,
            param: tuple[str, str] | None = None) -> Check:
    """A number as a document prints it: the tolerance is one unit of its last printed digit
    (lucid::vc prints 4 significant digits, so 14810 is ±10), or ``tol``."""
    if tol is None:
        digits = text.lstrip("-")
        if "." in digits:
            tol = 10.0 ** -len(digits.split(".")[1])
        else:
            tol = 10.0 ** max(0, len(digits.strip("0") and digits) - 4)
    return Check(label, float(text), tol, get, param)


def comp(name: str, label: str) -> Callable[[Fits], float]:
    return lambda f: float(f[name].varcomp.loc[label, "component"])


def pred(name: str, classify: str, i: int, col: str = "predicted.value",
         **kw: object) -> Callable[[Fits], float]:
    return lambda f: float(f[name].predict(classify=classify, **kw)[col].iloc[i])


def _agridat(name: str, fits: dict[str, dict], checks: list[Check], note: str,
             factors: tuple[str, ...] = (), sort: tuple[str, ...] = (),
             extra: Callable[[pd.DataFrame], pd.DataFrame] | None = None) -> Case:
    """An agridat dataset's help page (man/<name>.Rd): ``factors`` are R's factor() of
    numeric columns, as ``new = old`` pairs ("xf=col"), ``sort`` the page's order()."""
    def prep(d: pd.DataFrame) -> pd.DataFrame:
        if extra is not None:
            d = extra(d)
        for spec in factors:
            new, old = spec.split("=")
            d[new] = _factor(d[old])
        return d.sort_values(list(sort)).reset_index(drop=True) if sort else d
    return Case(f"{AGRIDAT}/man/{name}.Rd", (AGRIDAT, f"data/{name}.txt", "whitespace"), fits,
                checks, note, prep=prep)


def _ag_stroup_splitplot() -> Case:
    fits = {"m1": dict(fixed="y ~ -1 + a + b + a:b", random="~ rep + a:rep")}
    checks = [printed(f"vc {k}", v, comp("m1", k), param=("m1", k))
              for k, v in (("rep", "62.42"), ("a:rep", "15.39"), ("units!R", "9.364"))]
    for i, v in enumerate(("32.88", "34.12", "25.75")):
        checks.append(printed(f"predict a{i + 1}", v, pred("m1", "a", i)))
    for lab, v, kw in (("narrow", "1.082", dict(average={"rep": None})),
                       ("intermediate", "2.24", dict(ignore=["a:rep"], average={"rep": None})),
                       ("broad", "4.54", {})):
        checks.append(printed(f"predict a std.error ({lab} space)", v,
                              pred("m1", "a", 0, "std.error", **kw)))
    return _agridat("stroup.splitplot", fits, checks, "vc matches Stroup p. 41; three predict()")


def _ag_kempton_slatehall() -> Case:
    fits = {"m2": dict(fixed="yield ~ gen", random="~ rep/(xf+yf)")}
    checks = [printed(f"vc {k}", v, comp("m2", k)) for k, v in
              (("rep", "4262"), ("rep:xf", "14810"), ("rep:yf", "15600"), ("units!R", "8062"))]
    return _agridat("kempton.slatehall", fits, checks, "asreml 3 (lucid::vc)",
                    factors=("xf=col", "yf=row"))


def _ag_snedecor_asparagus() -> Case:
    fits = {"m2": dict(fixed="yield ~ trt + year + trt:year", random="~ block + block:trt")}
    checks = [printed(f"vc {k}", v, comp("m2", k)) for k, v in
              (("block", "354.3"), ("block:trt", "462.8"), ("units!R", "404.7"))]
    return _agridat("snedecor.asparagus", fits, checks, "asreml 4 split plot",
                    factors=("year=year",))


def _ag_stroup_nin() -> Case:
    fits = {"as2": dict(fixed="yield ~ gen", residual="~ ar1(xf):ar1(yf)",
                        na_action={"x": "omit"})}
    checks = [printed(f"vc {k}", v, comp("as2", k)) for k, v in
              (("xf:yf!R", "48.7"), ("xf:yf!xf!cor", "0.6555"), ("xf:yf!yf!cor", "0.4375"))]
    return _agridat("stroup.nin", fits, checks, "asreml 3 (lucid::vc)",
                    factors=("xf=col", "yf=row"), sort=("xf", "yf"))


def _ag_harris_wateruse() -> Case:
    def extra(d: pd.DataFrame) -> pd.DataFrame:
        d = d[d["day"] != 268].copy()
        d["ti"] = d["day"] / 100
        d["ti2"] = d["ti"] ** 2
        return d

    fits = {"m3a": dict(fixed="water ~ 0 + age:species + age:species:ti + age:species:ti2",
                        random="~ age:species:tree + age:species:tree:ti",
                        residual="~ tree:exp(day)")}
    checks = [printed(f"m3a vc {k}", v, comp("m3a", k)) for k, v in
              (("age:species:tree", "0.1549"), ("age:species:tree:ti", "0.02785"),
               ("tree:day!R", "0.16"), ("tree:day!day!cor", "0.8091"))]
    return _agridat("harris.wateruse", fits, checks, "asreml 3; Schabenberger's SAS output 7.27",
                    sort=("tree", "day"), extra=extra)


def _ag_harris_wateruse_d22() -> Case:
    def extra(d: pd.DataFrame) -> pd.DataFrame:
        d = d[(d["day"] != 268) & (d["age"] == "A2") & (d["species"] == "S2")].copy()
        d["ti"] = d["day"] / 100
        d["ti2"] = d["ti"] ** 2
        return d

    fits = {"m2a": dict(fixed="water ~ 1 + ti + ti2", random="~ tree",
                        residual="~ tree:exp(day)")}
    checks = [printed(f"m2a vc {k}", v, comp("m2a", k)) for k, v in
              (("tree", "0.2656"), ("tree:day!R", "0.1541"), ("tree:day!day!cor", "0.7683"))]
    case = _agridat("harris.wateruse", fits, checks, "asreml 3, age A2 species S2 (d22)",
                    sort=("tree", "day"), extra=extra)
    case.script += " (d22)"
    return case


def _avg_sed2(name: str) -> Callable[[Fits], float]:
    """mean of SED² over the pairs of gen predictions (the page's vblup / vblue)."""
    def get(f: Fits) -> float:
        sed = np.asarray(f[name].predict(classify="gen", sed=True).attrs["sed"], dtype=float)
        return float(np.mean(sed[np.tril_indices_from(sed, -1)] ** 2))
    return get


def _ag_john_alpha() -> Case:
    fits = {"m3": dict(fixed="yield ~ 1 + rep", random="~ gen + rep:block"),
            "m4": dict(fixed="yield ~ 1 + gen + rep", random="~ rep:block")}
    checks = [printed("m3 sigma2_g", ".142902", comp("m3", "gen")),
              printed("m3 vblup (mean SED^2 of BLUPs)", ".05455038", _avg_sed2("m3")),
              printed("m4 vblue (mean SED^2 of BLUEs)", ".07010875", _avg_sed2("m4"))]
    return _agridat("john.alpha", fits, checks, "Piepho & Möhring's heritability example")


def _ag_ar1_uniformity(name: str, fx: str, rc: str, f1: str, f2: str,
                       vals: tuple[str, str, str], note: str, random: str | None = None,
                       extra_vc: tuple[tuple[str, str], ...] = ()) -> Case:
    kw = dict(fixed=fx, residual=f"~ ar1({f1}):ar1({f2})")
    if random:
        kw["random"] = random
    fits = {"m": kw}
    labels = (f"{rc}!R", f"{rc}!{f1}!cor", f"{rc}!{f2}!cor")
    checks = [printed(f"vc {k}", v, comp("m", k), param=("m", k))
              for k, v in extra_vc + tuple(zip(labels, vals))]
    fac = {"xf": "col", "yf": "row", "rowf": "row", "colf": "col"}
    return _agridat(name, fits, checks, note, factors=(f"{f1}={fac[f1]}", f"{f2}={fac[f2]}"),
                    sort=(f1, f2))


def _ag_bridges_cucumber() -> Case:
    fx = "yield ~ 1 + gen + loc + loc:gen"
    fits = {"m1": dict(fixed=fx, random="~ rowf:loc + colf:loc"),
            "m2": dict(fixed=fx, random="~ at(loc):rowf + at(loc):colf",
                       residual="~ dsum(~ units|loc)")}
    checks = [printed(f"m1 vc {k}", v, comp("m1", k)) for k, v in
              (("rowf:loc", "31.62"), ("colf:loc", "18.08"), ("units!R", "31.48"))]
    checks.append(printed("m1 loglik", "-67.35585", asr_ll("m1"), tol=2e-4))
    checks += [printed(f"m2 vc {k}", v, comp("m2", k)) for k, v in
               (("at(loc, 'Clemson'):rowf", "32.32"), ("at(loc, 'Tifton'):rowf", "30.92"),
                ("at(loc, 'Clemson'):colf", "22.55"), ("at(loc, 'Tifton'):colf", "13.62"),
                ("loc_Clemson!units!R", "46.85"), ("loc_Tifton!units!R", "16.11"))]
    for i, v in enumerate(("45.6", "31.6", "21.4", "26", "50.5", "38.7", "33", "39.2")):
        checks.append(printed(f"m2 predict loc:gen row {i + 1}", v, pred("m2", "loc:gen", i),
                              tol=0.1 if "." in v or len(v) == 2 else None))
    checks += [printed("m2 predict std.error Clemson", "5.04", pred("m2", "loc:gen", 0,
                                                                    "std.error")),
               printed("m2 predict std.error Tifton", "3.89", pred("m2", "loc:gen", 4,
                                                                   "std.error"))]
    return _agridat("bridges.cucumber", fits, checks, "asreml 4; matches the source's p. 147",
                    factors=("rowf=row", "colf=col"))


def _ag_hildebrand_systems() -> Case:
    fits = {"m1": dict(fixed="yield ~ system", residual="~ us(system):farm"),
            "m2": dict(fixed="yield ~ system", random="~ farm",
                       residual="~ dsum(~ units|system)")}
    checks = [printed(f"m1 vc {k}", v, comp("m1", f"system:farm!system_{k}")) for k, v in
              (("CCA:CCA", "1.11"), ("CCAF:CCAF", "1.966"), ("LM:LM", "0.2996"),
               ("LMF:LMF", "0.9185"))]
    for i, (v, se) in enumerate((("1.164", "0.2816"), ("2.657", "0.3747"), ("1.35", "0.1463"),
                                 ("2.7", "0.2561"))):
        checks += [printed(f"m1 predict system {i + 1}", v, pred("m1", "system", i), tol=1e-3),
                   printed(f"m1 predict std.error system {i + 1}", se,
                           pred("m1", "system", i, "std.error"))]
    checks += [printed(f"m2 vc {k}", v, comp("m2", k),
                       param=("m2", k) if k.startswith("system_LM!") else None)
               for k, v in (("farm", "0.2998"), ("system_CCA!units!R", "0.4133"),
                            ("system_CCAF!units!R", "1.265"), ("system_LM!units!R", "0.0003805"),
                            ("system_LMF!units!R", "0.5294"))]
    return _agridat("hildebrand.systems", fits, checks, "asreml 3/4 (tables 5 and 6 of the "
                    "source); m2's LM variance printed with %ch 1.5 (still moving)",
                    sort=("system", "farm"))


def _ag_burgueno_alpha() -> Case:
    r = "~ ar1(xf):ar1(yf)"
    lin = "yield ~ 1 + gen + lin(yf)+lin(xf)"
    spec = {"m1": (dict(fixed="yield ~ gen"), "-232.13"),
            "m2": (dict(fixed="yield ~ gen", random="~ rep"), "-223.48"),
            "m3": (dict(fixed="yield ~ gen", random="~ rep/block"), "-221.42"),
            "m4": (dict(fixed="yield ~ 1 + gen", residual=r), "-221.47"),
            "m5": (dict(fixed="yield ~ 1 + gen", random="~ yf", residual=r), "-220.07"),
            "m6": (dict(fixed="yield ~ 1 + gen + pol(yf,-2)", residual=r), "-204.64"),
            "m7": (dict(fixed="yield ~ 1 + gen + lin(yf)", random="~ spl(yf)", residual=r),
                   "-212.51"),
            "m8": (dict(fixed="yield ~ 1 + gen + lin(yf)", random="~ spl(yf)"), "-213.91"),
            "m9": (dict(fixed="yield ~ 1 + gen + pol(yf,-2) + pol(xf,-2)", random="~ spl(yf)",
                        residual=r), "-191.44"),
            "m10": (dict(fixed=lin, residual=r), "-211.56"),
            "m11": (dict(fixed=lin, random="~ spl(yf)", residual=r), "-208.90"),
            "m12": (dict(fixed=lin, random="~ spl(yf)+spl(xf)", residual=r), "-206.82"),
            "m13": (dict(fixed=lin, random="~ spl(yf)+spl(xf)"), "-207.52")}
    fits = {k: kw for k, (kw, _) in spec.items()}
    checks = [printed(f"{k} loglik", v, asr_ll(k)) for k, (_, v) in spec.items()]
    return _agridat("burgueno.alpha", fits, checks, "the sequence of models on p. 36 of "
                    "Burgueño et al.; m6, m9 with asreml's pol() columns (model/asreml_pol.py; "
                    "R's poly() columns put ℓ 3.03 and 5.93 higher)",
                    factors=("xf=col", "yf=row"), sort=("xf", "yf"))


def _ag_cullis_earlygen() -> Case:
    fits = {"m4": dict(fixed="yield ~ weed + pol(col,-1)", random="~ gen + units",
                       residual="~ ar1(xf):ar1(yf)")}
    checks = [printed(f"m4 vc {k}", v, comp("m4", k), param=("m4", k)) for k, v in
              (("gen", "73780"), ("units", "30440"), ("xf:yf!R", "54730"),
               ("xf:yf!xf!cor", "0.38"), ("xf:yf!yf!cor", "0.84"))]
    return _agridat("cullis.earlygen", fits, checks, "asreml 4; units printed with %ch 0.1",
                    factors=("xf=col", "yf=row"), sort=("xf", "yf"))


def _ag_gilmour_slatehall() -> Case:
    fits = {"m4": dict(fixed="yield ~ gen + lin(row)", random="~ dev(row) + dev(col)",
                       residual="~ ar1(xf):ar1(yf)")}
    checks = [printed(f"m4 vc {k}", v, comp("m4", k)) for k, v in
              (("dev(col)", "2519"), ("dev(row)", "20290"), ("xf:yf!R", "23950"),
               ("xf:yf!xf!cor", "0.439"), ("xf:yf!yf!cor", "0.125"))]
    checks.append(printed("m4 coef lin(row)", "31.72252", lambda f: float(
        f["m4"].coef_fixed.loc["lin(row)", "solution"])))
    return _agridat("gilmour.slatehall", fits, checks, "asreml 4",
                    factors=("xf=col", "yf=row"), sort=("xf", "yf"))


def _ag_besag_triticale() -> Case:
    fits = {"m3": dict(fixed="yield ~ gen + rate + nitro + regulator + gen:rate + gen:nitro + "
                       "gen:regulator + rate:nitro + rate:regulator + nitro:regulator + yf",
                       residual="~ ar1(xf):ar1(yf)")}
    wald = (("(Intercept)", "103.971"), ("gen", "72.899"), ("rate", "8.456"),
            ("nitro", "0.023"), ("regulator", "18.676"), ("yf", "0.306"),
            ("gen:rate", "0.110"), ("gen:nitro", "2.488"), ("gen:regulator", "3.008"),
            ("rate:nitro", "0.120"), ("rate:regulator", "3.979"),
            ("nitro:regulator", "3.311"))
    checks = [printed(f"wald {k}", v, lambda f, k=k: float(
        f["m3"].wald().loc[k, "Wald statistic"])) for k, v in wald]
    checks.append(printed("wald residual (MS)", "12391", comp("m3", "xf:yf!R"), tol=1,
                          param=("m3", "xf:yf!R")))
    return _agridat("besag.triticale", fits, checks, "wald() of an asreml 4 fit; at σ² 12391 "
                    "and ρ 0.82222, 0.44268 (8.5e-6 below our ℓ) 11 of 12 agree to 3 decimals "
                    "(tests/compat/test_compat_printed_outputs_2.py): asreml stopped short",
                    factors=("rate=rate", "nitro=nitro", "xf=col", "yf=row"),
                    sort=("xf", "yf"))


def _ag_perry_springwheat() -> Case:
    def extra(d: pd.DataFrame) -> pd.DataFrame:
        return d.assign(y=d["yield"] / 100, yorc=d["yor"] - 1800)

    fits = {"m3a": dict(fixed="y ~ 1 + yorc", random="~ env + env:yorc")}
    checks = [printed(f"vc {k}", v, comp("m3a", k)) for k, v in
              (("env", "11.61"), ("env:yorc", "0.00063"), ("units!R", "3.551"))]
    return _agridat("perry.springwheat", fits, checks, "asreml 3; lme4 prints the same",
                    extra=extra)


def _ag_besag_endive() -> Case:
    def extra(d: pd.DataFrame) -> pd.DataFrame:
        return d.assign(pres=(d["disease"] == "Y").astype(float))

    fits = {"m2": dict(fixed="pres ~ 1", residual="~ ar1(xf):ar1(yf)")}
    checks = [printed(f"vc {k}", v, comp("m2", k)) for k, v in
              (("xf:yf!R", "0.1301"), ("xf:yf!xf!cor", "0.1699"), ("xf:yf!yf!cor", "0.09842"))]
    return _agridat("besag.endive", fits, checks, "asreml 4",
                    factors=("xf=col", "yf=row"), extra=extra)


def _ag_durban_splitplot() -> Case:
    fits = {"m2a2": dict(fixed="yield ~ gen*fung", random="~ block/fung+units",
                         residual="~ ar1v(rowf):ar1(bedf)")}
    checks = [printed(f"vc {k}", v, comp("m2a2", k)) for k, v in
              (("block", "0"), ("block:fung", "0.01206"), ("units", "0.02463"),
               ("rowf:bedf!rowf!cor", "0.8836"), ("rowf:bedf!rowf!var", "0.1261"),
               ("rowf:bedf!bedf!cor", "0.9202"))]
    checks[0].tol = 1e-6
    return _agridat("durban.splitplot", fits, checks, "asreml 4; block on its bound",
                    factors=("rowf=row", "bedf=bed"), sort=("rowf", "bedf"))


def _ag_ilri_sheep() -> Case:
    def extra(d: pd.DataFrame) -> pd.DataFrame:
        dl = d["damage"].clip(2, 8).where(d["damage"] >= 3, 2)
        d = d.assign(dl=dl, dq=dl**2, ewe=d["ewe"].astype(str), ram=d["ram"].astype(str))
        return d[d["weanage"].notna()]

    fits = {"m2": dict(fixed="weanwt ~ year + sex + weanage + dl + dq + ramgen + ewegen",
                       random="~ ram + ewe")}
    checks = []
    for i, (v, se) in enumerate((("12.638564", "0.2363652"), ("11.067659", "0.2285252"),
                                 ("11.561932", "0.1809891"), ("9.636058", "0.2505478"),
                                 ("9.350247", "0.2346849"), ("10.188482", "0.2755387"))):
        checks += [printed(f"predict year {91 + i}", v, pred("m2", "year", i), tol=1e-5),
                   printed(f"predict std.error year {91 + i}", se,
                           pred("m2", "year", i, "std.error"), tol=1e-6)]
    return _agridat("ilri.sheep", fits, checks, "asreml 3 year means of the case study p. "
                    "4.37: weanage, dl, dq at their mean over every data row (7 have no "
                    "weanwt)", factors=("year=year",), extra=extra)


def _ag_hanks_sprinkler() -> Case:
    fits = {"m1": dict(fixed="yield ~ gen + dir + irrf + gen:dir + gen:irrf + dir:irrf",
                       random="~ block + block:dir + block:irrf",
                       residual="~ block:gen:corb(subf, 3)")}
    checks = [printed(f"vc {k}", v, comp("m1", k), param=("m1", k)) for k, v in
              (("block", "0.2195"), ("block:dir", "0.01769"), ("block:irrf", "0.03539"),
               ("block:gen:subf!R", "0.2851"), ("block:gen:subf!subf!cor1", "0.02829"),
               ("block:gen:subf!subf!cor2", "0.004997"),
               ("block:gen:subf!subf!cor3", "-0.3245"))]
    return _agridat("hanks.sprinkler", fits, checks, "asreml 4; its %ch column shows cor2 "
                    "still moving 9.5 % and cor1 0.9 %", factors=("subf=subplot", "irrf=irr"),
                    sort=("block", "gen", "subplot"))


def _ag_box_cork() -> Case:
    fits = {"m1": dict(fixed="y ~ dir", residual="~ tree:us(dir)")}
    vals = {"E:E": "219.93", "N:E": "223.75", "S:E": "229.06", "W:E": "171.37",
            "N:N": "290.41", "S:N": "288.44", "W:N": "226.27", "S:S": "350.00",
            "W:S": "259.54", "W:W": "226.00"}
    checks = [printed(f"us(dir) {k}", v, comp("m1", f"tree:dir!dir_{k}")) for k, v in
              vals.items()]
    return _agridat("box.cork", fits, checks, "asreml 4 rcor()", sort=("tree", "dir"),
                    extra=lambda d: d.assign(tree=d["tree"].astype(str)))


def _ag_damesa_maize() -> Case:
    fits = {"m0": dict(fixed="yield ~ gen", random="~ site + gen:site + at(site):rep/block",
                       residual="~ dsum(~ units|site)")}
    vals = (("at(site, 'S1'):rep", "0.08819"), ("at(site, 'S2'):rep", "1.383"),
            ("at(site, 'S4'):rep", "0.01442"), ("site", "10.45"), ("gen:site", "0.1054"),
            ("at(site, 'S1'):rep:block", "0.3312"), ("at(site, 'S2'):rep:block", "0.4747"),
            ("at(site, 'S4'):rep:block", "0.06954"), ("site_S1!units!R", "1.346"),
            ("site_S2!units!R", "0.1936"), ("site_S3!units!R", "1.153"),
            ("site_S4!units!R", "0.1112"))
    checks = [printed(f"vc {k}", v, comp("m0", k), param=("m0", k)) for k, v in vals]
    checks += [Check(f"vc {k} (bound, printed 0)", 0.0, 1e-6, comp("m0", k)) for k in
               ("at(site, 'S3'):rep", "at(site, 'S3'):rep:block")]
    return _agridat("damesa.maize", fits, checks, "asreml 4; Damesa et al. table 1 column 3")


def _ag_fisher_barley() -> Case:
    def extra(d: pd.DataFrame) -> pd.DataFrame:
        return d.groupby(["gen", "env"], as_index=False)["yield"].sum()

    fits = {"m1r": dict(fixed="yield ~ gen", random="~ env",
                        residual="~ dsum(~ units|gen)")}
    vals = (("Manchuria", "34.00058"), ("Peatland", "70.65501"), ("Svansota", "25.42022"),
            ("Trebi", "231.85846"), ("Velvet", "14.08405"))
    checks = [printed(f"gen_{k}!R", v, lambda f, k=k: float(
        f["m1r"].varcomp.loc[f"gen_{k}!units!R", "component"]) / 6, tol=1e-3,
        param=("m1r", f"gen_{k}!units!R")) for k, v in vals]
    checks = [Check(c.label, c.asreml * 6, c.tol * 6, lambda f, g=c.ours: 6 * g(f), c.param)
              for c in checks]  # profiled on the component's own scale
    return _agridat("fisher.barley", fits, checks, "asreml 4, stability variances (printed "
                    "÷ 6; compared × 6): its G-side twin m1g differs from them by 0.16-0.21, "
                    "not the 1/6 it should",
                    sort=("gen",), extra=extra)


def _lupin_g(name: str, i: int, j: int) -> Callable[[Fits], float]:
    """Entry (i, j) of the site x site genetic matrix of us(site):test or of the
    fa(site, 1) fit (Λ Λ' + Ψ), from the components as the page rebuilds them."""
    def get(f: Fits) -> float:
        vc = f[name].varcomp["component"]
        if name == "m5":
            lam = vc[vc.index.str.endswith("!fa1")].to_numpy()
            psi = vc[vc.index.str.startswith("site:test!") & vc.index.str.endswith("!var")]
            return float(lam[i] * lam[j] + (psi.to_numpy()[i] if i == j else 0.0))
        a, b = max(i, j) + 1, min(i, j) + 1
        return float(vc[f"site:test!site_S{a}:S{b}"])
    return get


def _ag_vsn_lupin3() -> Case:
    def extra(d: pd.DataFrame) -> pd.DataFrame:
        check = d["gen"].where(d["gen"] <= 336, 0)
        check = check.where(check < 7, 7)
        test = d["gen"].where((d["gen"] > 6) & (d["gen"] < 337), 0)
        return d.assign(check=check.astype(str), test=test.astype(str), gen=d["gen"].astype(str))

    fx = "yield ~ site + check:site"
    rc = "~ at(site):colf + at(site,3):rowf"
    res = "~ dsum(~ ar1(colf):ar1(rowf) + id(colf):ar1(rowf) | site, levels=list(1:2, 3))"
    fits = {k: dict(fixed=fx, random=rc + r, residual=res) for k, r in (
        ("m1", " + test"), ("m2", " + test + site:test"), ("m3", " + corh(site):test"),
        ("m4", " + us(site):test"), ("m5", " + fa(site,1, init=c(.7,.1,.1,.5,.3,.2)):test"))}
    checks = [printed(f"{k} loglik", v, asr_ll(k), tol=2e-4) for k, v in (
        ("m1", "-314.2616"), ("m2", "-310.8794"), ("m3", "-288.4837"), ("m4", "-286.8239"),
        ("m5", "-286.8484"))]
    checks += [printed(f"m1 vc {k}", v, comp("m1", k), param=("m1", k)) for k, v in (
        ("at(site, 'S1'):colf", "0.6228"), ("at(site, 'S2'):colf", "0.159"),
        ("at(site, 'S3'):colf", "0.04832"), ("at(site, 'S3'):rowf", "0.0235"),
        ("test", "0.1031"), ("site_S1!colf:rowf!R", "2.771"),
        ("site_S1!colf:rowf!colf!cor", "0.1959"), ("site_S1!colf:rowf!rowf!cor", "0.6503"),
        ("site_S2!colf:rowf!R", "0.9926"), ("site_S2!colf:rowf!colf!cor", "0.2868"),
        ("site_S2!colf:rowf!rowf!cor", "0.5744"), ("site_S3!colf:rowf!R", "0.1205"),
        ("site_S3!colf:rowf!rowf!cor", "0.6394"))]
    for name, mat in (("m4", ((0.992, 0.158, 0.132), (0.073, 0.078), (0.122,))),
                      ("m5", ((0.991, 0.156, 0.133), (0.092, 0.078), (0.122,)))):
        for i, row in enumerate(mat):
            for k, v in enumerate(row):
                checks.append(Check(f"{name} G[{i + 1},{i + k + 1}]", v, 1e-3,
                                    _lupin_g(name, i + k, i)))
    return _agridat("vsn.lupin3", fits, checks, "asreml 4; three sites, dsum residuals with "
                    "levels", factors=("colf=col", "rowf=row"), sort=("site", "colf", "rowf"),
                    extra=extra)


def butron_pedigree(d: pd.DataFrame) -> pd.DataFrame:
    """The page's pedigree: genetic groups Dent and Flint on top, the ten inbred parents
    (5 Dent, 5 Flint; each group both parents of its lines), then every hybrid."""
    ped = d[["gen", "male", "female"]].drop_duplicates()
    inbred = ["A509", "A637", "A661", "CM105", "EP28", "EP31", "EP42", "F7", "PB60", "Z77016"]
    group = ["Dent"] * 5 + ["Flint"] * 5
    ped = pd.concat([pd.DataFrame({"gen": ["Dent", "Flint"], "male": "0", "female": "0"}),
                     pd.DataFrame({"gen": inbred, "male": group, "female": group}), ped],
                    ignore_index=True)
    return ped.fillna("0").astype(str)


def _ag_butron_maize() -> Case:
    from asr_py.genetics import ainverse

    ped = butron_pedigree(load(AGRIDAT, "data/butron.maize.txt", "whitespace"))
    Ai = ainverse(ped, id="gen", sire="male", dam="female", check_roles=False)
    aic = {"m0": ("~ gen", "229.4037"), "m1": ("~ vm(gen, Ai)", "213.2487"),
           "m2": ("~ idv(env):vm(gen, Ai)", "290.6156"),
           "m3": ("~ diag(env):vm(gen, Ai)", "296.8061"),
           "m4": ("~ fa(env,1):vm(gen, Ai)", "218.1568")}
    fits = {k: dict(fixed="yield ~ 1+env", random=r, **({"Ai": Ai} if "Ai" in r else {}))
            for k, (r, _) in aic.items()}
    checks = [printed(f"{k} summary()$aic ({r})", v, asr_aic(k), tol=1e-3)
              for k, (r, v) in aic.items()]
    return _agridat("butron.maize", fits, checks, "asreml 4; pedigree A-inverse with genetic "
                    "groups (ainverse)")


def _ag_besag_met() -> Case:
    def extra(d: pd.DataFrame) -> pd.DataFrame:
        return d.groupby(["county", "gen"], as_index=False)["yield"].mean()

    fits = {"m1": dict(fixed="yield ~ gen", random="~ county",
                       residual="~ dsum(~ units|gen)")}
    vals = (("county", "1324"), ("gen_G01!units!R", "91.98"), ("gen_G02!units!R", "210.6"),
            ("gen_G03!units!R", "63.06"), ("gen_G04!units!R", "112.1"),
            ("gen_G05!units!R", "28.35"), ("gen_G06!units!R", "237.4"))
    checks = [printed(f"vc {k}", v, comp("m1", k), param=("m1", k)) for k, v in vals]
    return _agridat("besag.met", fits, checks, "asreml 4 with %ch 0.1-0.2 (still moving); "
                    "the page's nlme fit prints 91.90 210.75 63.03 112.05 28.39 237.36, ours "
                    "91.92 210.74 63.03 112.05 28.39 237.36", sort=("gen",), extra=extra)


def _ag_burgueno_rowcol() -> Case:
    fits = {"m2": dict(fixed="yield ~ gen + lin(yf) + lin(xf)", random="~ spl(yf) + spl(xf)",
                       residual="~ ar1(xf):ar1(yf)")}
    vals = (("spl(yf)", "0.09077"), ("spl(xf)", "0.08107"), ("xf:yf!R", "0.1482"),
            ("xf:yf!xf!cor", "0.1152"), ("xf:yf!yf!cor", "0.009467"))
    checks = [printed(f"vc {k}", v, comp("m2", k), param=("m2", k)) for k, v in vals]
    return _agridat("burgueno.rowcol", fits, checks, "asreml 4 (Burgueño p. 42); yf cor "
                    "printed with %ch 0.9", factors=("xf=col", "yf=row"), sort=("xf", "yf"))


def _ag_kenward_cattle() -> Case:
    fits = {"m1": dict(fixed="weight ~ 1 + lin(day) + trt + trt:lin(day)",
                       random="~ spl(day) + trt:spl(day) + dev(day) + trt:dev(day)")}
    checks = [printed(f"vc {k}", v, comp("m1", k)) for k, v in
              (("spl(day)", "25.29"), ("dev(day)", "1.902"), ("units!R", "267"))]
    checks += [Check(f"vc {k} (asreml 3 'bnd' 0.00003)", 0.0, 3e-5, comp("m1", k))
               for k in ("trt:spl(day)", "trt:dev(day)")]
    for term, ss in (("(Intercept)", "37128459"), ("lin(day)", "570798"), ("trt", "455"),
                     ("trt:lin(day)", "283")):
        checks.append(printed(f"wald Sum of Sq {term}", ss, lambda f, t=term: float(
            f["m1"].wald().loc[t, "Sum of Sq"]), tol=1))
    return _agridat("kenward.cattle", fits, checks, "asreml 3; (Intercept) and lin(day) sums "
                    "of squares 0.077 % apart: both are (Σ…)²/c with c = σ² + 60σ²_d, and "
                    "asreml's table implies σ²_d 1.9065 where it prints 1.902 (table and "
                    "components at different points, ℓ 4.5e-7 apart; held there, all four "
                    "printed sums of squares agree: tests/compat/test_kenward_cattle_wald_ss.py)")


def _ag_lonnquist_maize() -> Case:
    def extra(d: pd.DataFrame) -> pd.DataFrame:
        keep = ["M", "H", "G", "B", "K", "K2"]
        return d[d["p1"].isin(keep) & d["p2"].isin(keep)]

    fits = {"m2": dict(fixed="yield ~ 1", random="~ p1 + and(p2)")}
    checks = [printed(f"vc {k}", v, comp("m2", k)) for k, v in
              (("p1", "3.865"), ("units!R", "15.93"))]
    return _agridat("lonnquist.maize", fits, checks, "asreml 3; and(): a diallel's GCA",
                    extra=extra)


def _ag_weiss(name: str, fx: str, vals: tuple[str, ...], se: str,
              factors: tuple[str, ...] = ()) -> Case:
    fits = {"m": dict(fixed=fx)}
    checks = [printed(f"predict gen G0{i + 1}", v, pred("m", "gen", i)) for i, v in
              enumerate(vals)]
    checks.append(printed("predict std.error", se, pred("m", "gen", 0, "std.error")))
    return _agridat(name, fits, checks, "asreml 3, Weiss's adjusted means", factors=factors)


AGRIDAT_CASES: list[Callable[[], Case]] = [
    _ag_stroup_splitplot, _ag_kempton_slatehall, _ag_snedecor_asparagus, _ag_stroup_nin,
    _ag_harris_wateruse_d22, _ag_harris_wateruse, _ag_john_alpha,
    lambda: _ag_ar1_uniformity("kempton.barley.uniformity", "yield ~ 1", "xf:yf", "xf", "yf",
                               ("0.1044", "0.2458", "0.8186"), "asreml 4"),
    lambda: _ag_ar1_uniformity("burgueno.unreplicated", "yield ~ 1", "xf:yf", "xf", "yf",
                               ("0.4993", "-0.2431", "0.1255"), "asreml 4", random="~ gen",
                               extra_vc=(("gen", "0.9122"),)),
    lambda: _ag_ar1_uniformity("kalamkar.wheat.uniformity", "yield ~ 1", "rowf:colf", "rowf",
                               "colf", ("81.53", "-0.09464", "0.2976"), "asreml 4"),
    _ag_bridges_cucumber, _ag_hildebrand_systems, _ag_burgueno_alpha, _ag_cullis_earlygen,
    _ag_gilmour_slatehall, _ag_besag_triticale, _ag_perry_springwheat, _ag_besag_endive,
    _ag_durban_splitplot, _ag_ilri_sheep, _ag_hanks_sprinkler, _ag_box_cork,
    _ag_damesa_maize, _ag_fisher_barley, _ag_vsn_lupin3,
    _ag_butron_maize, _ag_besag_met, _ag_burgueno_rowcol, _ag_kenward_cattle,
    _ag_lonnquist_maize,
    lambda: _ag_weiss("weiss.lattice", "yield ~ rep + rep:xf + rep:yf + gen",
                      ("27.74", "24.95", "24.38", "28.05", "19.6", "23.79"), "1.461",
                      factors=("xf=col", "yf=row")),
    lambda: _ag_weiss("weiss.incblock", "yield ~ gen + block",
                      ("24.59", "26.92", "32.62", "26.97", "26.02"), "0.8312"),
]


# ----- hold-out web pages: tutorials, a vendor's cookbook and manual, a package help page ----
# (tests/translate/holdout/pages/: the pages' calls restated as R scripts, read 2026-12-06;
# the numbers are the ones the pages print)

COOKBOOK = "https://cookbook.asreml.vsni.co.uk/asr"


def wald_col(name: str, term: str, col: str) -> Callable[[Fits], float]:
    """asreml's ``wald(m, denDF = "numeric")$Wald[term, col]`` (Pr is ours 'Pr(F)')."""
    col = {"Pr": "Pr(F)"}.get(col, col)
    return lambda f: float(f[name].wald(denDF="numeric").loc[term, col])


def vpred(name: str, formula: str, col: str) -> Callable[[Fits], float]:
    return lambda f: float(f[name].vpredict(formula)[col].iloc[0])


def coef(name: str, which: str, label: str, col: str = "solution") -> Callable[[Fits], float]:
    return lambda f: float(getattr(f[name], f"coef_{which}").loc[label, col])


def _elbatan(d: pd.DataFrame) -> pd.DataFrame:
    return d.assign(colf=_factor(d["col"]))


def _page_asr001() -> Case:
    fits = {"asr001": dict(fixed="yield ~ colf", random="~ gen", residual="~ units")}
    checks = [printed("wald (Intercept) F.inc", "967.9", wald_col("asr001", "(Intercept)",
                                                                   "F.inc")),
              printed("wald col denDF", "98", wald_col("asr001", "colf", "denDF"), tol=0.1),
              printed("wald col F.inc", "1.135", wald_col("asr001", "colf", "F.inc")),
              printed("wald col Pr", "0.3257146", wald_col("asr001", "colf", "Pr")),
              printed("vc gen", "0.1388994", comp("asr001", "gen"), param=("asr001", "gen")),
              printed("vc units!R", "0.5153082", comp("asr001", "units!R")),
              printed("h2", "0.2123171", vpred("asr001", "h2 ~ V1/(V1+V2)", "Estimate")),
              printed("h2 SE", "0.09254986", vpred("asr001", "h2 ~ V1/(V1+V2)", "SE"))]
    checks += [printed(f"BLUP {g}", v, coef("asr001", "random", f"gen_{g}")) for g, v in
               (("G01", "0.42473388"), ("G02", "0.28676626"), ("G03", "0.26607112"))]
    return Case(f"{COOKBOOK}/asr001.html", (AGRIDAT, "data/besag.elbatan.txt", "whitespace"),
                fits, checks, "VSNi ASReml-R cookbook, asreml 4; D001 = agridat besag.elbatan",
                prep=_elbatan)


def _page_asr002() -> Case:
    fits = {"asr002": dict(fixed="yield ~ col + row", random="~ gen", residual="~ units")}
    checks = [printed(f"wald {t} denDF", v, wald_col("asr002", t, "denDF"))
              for t, v in (("(Intercept)", "48.8"), ("col", "98.1"), ("row", "127.4"))]
    checks += [printed(f"wald {t} F.inc", v, wald_col("asr002", t, "F.inc"), tol=tol)
               for t, v, tol in (("(Intercept)", "1318", 1.0), ("col", "4.855", None),
                                 ("row", "129.6", None))]
    checks.append(printed("wald col Pr", "0.02990027", wald_col("asr002", "col", "Pr")))
    checks += [printed(f"coef.fixed {t} {c}", v, coef("asr002", "fixed", t, c))
               for t, c, v in (("(Intercept)", "solution", "3.57713516"),
                               ("col", "solution", "-0.10808700"),
                               ("row", "solution", "-0.03563415"),
                               ("(Intercept)", "std.error", "0.143371942"),
                               ("col", "std.error", "0.049053064"),
                               ("row", "std.error", "0.003129811"))]
    return Case(f"{COOKBOOK}/asr002.html", (AGRIDAT, "data/besag.elbatan.txt", "whitespace"),
                fits, checks, "VSNi ASReml-R cookbook, asreml 4; col and row covariates",
                prep=lambda d: d)


def _page_asr015() -> Case:
    fits = {"asr015": dict(fixed="yield ~ rep", random="~ gen + rep:rowf + rep:bedf",
                           residual="~ units")}
    checks = [printed(f"wald {t} {c}", v, wald_col("asr015", t, c), tol=tol)
              for t, c, v, tol in (("(Intercept)", "denDF", "28.1", None),
                                   ("(Intercept)", "F.inc", "9816", 1.0),
                                   ("rep", "denDF", "23.7", None), ("rep", "F.inc", "1.504", None),
                                   ("rep", "Pr", "0.2321964", None))]
    for k, v in (("rep:rowf", "0.03115915"), ("rep:bedf", "0.05255079"), ("gen", "0.06962016"),
                 ("units!R", "0.06622248")):
        checks.append(printed(f"vc {k}", v, comp("asr015", k), param=("asr015", k)))
    return Case(f"{COOKBOOK}/asr015.html", (AGRIDAT, "data/durban.rowcol.txt", "whitespace"),
                fits, checks, "VSNi ASReml-R cookbook, asreml 4; D010 = agridat durban.rowcol",
                prep=lambda d: d.assign(rowf=_factor(d["row"]), bedf=_factor(d["bed"])))


def _page_asremls_oats() -> Case:
    fits = {"oats": dict(fixed="Yield ~ Variety*Nitrogen", random="~ Blocks/Wplots")}
    checks = [printed(f"vc {k}", v, comp("oats", k), param=("oats", k)) for k, v in
              (("Blocks", "214.4808"), ("Blocks:Wplots", "106.0637"), ("units!R", "177.0864"))]
    return Case("https://www.yumpu.com/en/document/view/50857650/asreml-s-reference-manual-"
                "vsn-international/93", ("briencj/asremlPlus", "data/Oats.dat.rda", "Oats.dat"),
                fits, checks, "ASReml-S reference manual 8.2, split plot (balanced: REML is "
                "the ANOVA solution)")


def _page_lucid_rail() -> Case:
    fits = {"ma": dict(fixed="travel ~ 1", random="~ Rail")}
    checks = [printed("vc Rail", "615.3", comp("ma", "Rail")),
              printed("vc R!variance", "16.17", comp("ma", "units!R"))]
    return Case("https://search.r-project.org/CRAN/refmans/lucid/html/vc.html",
                ("fetched", "nlme_rail.csv", ""), fits, checks,
                "lucid's vc() help page, asreml 3 on nlme's Rail",
                prep=lambda d: d.assign(Rail=_factor(d["Rail"])))


def _page_biosci_harvey() -> Case:
    ainv = asr.ainverse(load("fetched", "harvey.ped.csv", ""))
    fits = {"adg0": dict(fixed="y3 ~ Line", random="~ vm(Calf, ainv)", residual="~ idv(units)",
                         ainv=ainv)}
    checks = [printed("vc vm(Calf)", "499.5204", comp("adg0", "vm(Calf, ainv)"),
                      param=("adg0", "vm(Calf, ainv)")),
              printed("vc units!units", "273.1669", comp("adg0", "units!units!var")),
              printed("hA", "0.6464716", vpred("adg0", "hA ~ V1/(V1+V2)", "Estimate")),
              printed("hA SE", "0.5658723", vpred("adg0", "hA ~ V1/(V1+V2)", "SE"))]
    return Case("http://www.biosci.global/customer-stories-en/supplementary-note-for-new-"
                "function-vpredict-in-asreml-r-version-4/",
                ("fetched", "harvey.csv", ""), fits, checks,
                "Biosci vpredict note, asreml 4; asreml's harvey = agridat harvey.lsmeans")


PAGE_CASES: list[Callable[[], Case]] = [_page_asr001, _page_asr002, _page_asr015,
                                        _page_asremls_oats, _page_lucid_rail,
                                        _page_biosci_harvey]


def _available() -> set[str]:
    from asr_py.vcov import registered_names
    return set(registered_names())


CASES: list[Callable[[], Case]] = [_cane, _wheat, _covardat, _grassuv, _trainingmm_index,
                                    _trainingmm_pblup, _norberg_wheat, _jane_ogtt,
                                    *AGRIDAT_CASES, *PAGE_CASES]


# ----- running ----------------------------------------------------------------------------

def load(repo: str, path: str, obj: str) -> pd.DataFrame:
    """``obj`` of an .rda/.RData file (pyreadr), or a .csv / tab-separated .txt file, read
    from the repository's mirror at its fetched commit."""
    import io
    import tempfile

    if repo == "fetched":   # the local copy scripts/fetched_data.py builds (not committed)
        local = Path(os.environ.get("ASR_FETCHED_DATA") or "/work/.fetched_data") / path
        if not local.is_file():
            raise FileNotFoundError(f"{local}: build the local copy of fetched data with "
                                    "scripts/fetched_data.py")
        return pd.read_csv(local)
    gd = _git_dir(repo)
    if gd is None:
        raise FileNotFoundError(f"{repo} is not fetched (use the search tool's fetch)")
    blob = subprocess.run(["git", f"--git-dir={gd}", "show", f"HEAD:{path}"],
                          capture_output=True, check=True).stdout
    if obj == "whitespace":  # agridat's data/*.txt: blank-separated, some names quoted
        d = pd.read_csv(io.BytesIO(blob), sep=r"\s+", engine="python", quotechar='"')
        d.columns = [c.strip('"') for c in d.columns]
        for c in d.columns[[pd.api.types.is_string_dtype(d[c]) for c in d.columns]]:
            d[c] = d[c].str.strip('"')
        return d
    if path.endswith((".csv", ".txt")):
        return pd.read_csv(io.BytesIO(blob), sep=None if path.endswith(".txt") else ",",
                           engine="python")
    import pyreadr  # asr_py[rdata]

    with tempfile.NamedTemporaryFile(suffix=".rda") as fh:
        fh.write(blob)
        fh.flush()
        return pyreadr.read_r(fh.name)[obj]


def _profile(m: asr.AsremlFit, component: str, value: float, kw: dict,
             data: pd.DataFrame) -> float:
    """ℓ of the model refitted with ``component`` fixed at ``value`` (others from ours)."""
    p = m.params.copy()
    row = p.index[-1] if component == "last" else p.index[p.Component == component][0]
    p.loc[row, "Value"] = value
    p.loc[row, "Constraint"] = "F"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asr.asreml(**kw, data=data, params=p, maxit=60).loglik


def run_case(case: Case, verbose: bool) -> list[tuple[str, str, str]]:
    """[(verdict, label, detail)] for every check of ``case``."""
    data = load(*case.data)
    if case.prep is not None:
        data = case.prep(data)
    fits: Fits = {}
    notes: dict[str, str] = {}
    for name, kw in case.fits.items():
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            fits[name] = asr.asreml(**kw, data=data)
        if not fits[name].converged:
            notes[name] = "our fit did not converge"
        if name in case.full:
            fits[f"{name}:full"] = full_loglik(fits[name], kw, data)  # type: ignore[assignment]
        if w and verbose:
            print(f"    {name}: {'; '.join(str(x.message)[:90] for x in w)}")
    out = []
    for c in case.checks:
        ours = c.ours(fits)
        d = abs(ours - c.asreml)
        verdict = "agree" if d <= c.tol else "differ"
        detail = f"asreml {c.asreml:.7g}, ours {ours:.7g}, |diff| {d:.2g} (tol {c.tol:g})"
        if verdict == "differ" and c.label.endswith("loglik") and ours > c.asreml:
            detail += "; ours is the higher log-likelihood (asreml stopped short)"
        if verdict == "differ" and c.param is not None:
            name, comp = c.param
            ll = _profile(fits[name], comp, c.asreml, case.fits[name], data)
            detail += f"; ℓ at asreml's value {fits[name].loglik - ll:.2g} below ours"
        fit_name = c.param[0] if c.param else None
        if fit_name in notes:
            detail += f" [{notes[fit_name]}]"
        out.append((verdict, c.label, detail))
    out += [("unchecked", lab, why) for lab, why in case.unchecked.items()]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--match", default="", help="only cases whose script matches REGEX")
    a = ap.parse_args(argv)
    counts = {"agree": 0, "differ": 0, "unchecked": 0}
    for make in CASES:
        try:
            case = make()
        except FileNotFoundError as exc:  # a case that reads its data to build a matrix
            print(f"  unchecked: {exc}")
            continue
        if a.match and not re.search(a.match, case.script):
            continue
        print(f"{case.script}  ({case.note})")
        try:
            rows = run_case(case, a.verbose)
        except FileNotFoundError as exc:
            print(f"  unchecked: {exc}")
            counts["unchecked"] += len(case.checks) + len(case.unchecked)
            continue
        for verdict, label, detail in rows:
            counts[verdict] += 1
            print(f"  {verdict:<9} {label}: {detail}")
    print(f"recorded asreml numbers: {counts['agree']} agree within the script's tolerance, "
          f"{counts['differ']} differ, {counts['unchecked']} unchecked")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
