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


def _available() -> set[str]:
    from asr_py.vcov import registered_names
    return set(registered_names())


CASES: list[Callable[[], Case]] = [_cane, _wheat, _covardat, _grassuv, _trainingmm_index,
                                    _trainingmm_pblup, _norberg_wheat]


# ----- running ----------------------------------------------------------------------------

def load(repo: str, path: str, obj: str) -> pd.DataFrame:
    """``obj`` of an .rda/.RData file (pyreadr), or a .csv / tab-separated .txt file, read
    from the repository's mirror at its fetched commit."""
    import io
    import tempfile

    gd = _git_dir(repo)
    if gd is None:
        raise FileNotFoundError(f"{repo} is not fetched (use the search tool's fetch)")
    blob = subprocess.run(["git", f"--git-dir={gd}", "show", f"HEAD:{path}"],
                          capture_output=True, check=True).stdout
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
        case = make()
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
