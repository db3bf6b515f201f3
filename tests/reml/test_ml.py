"""Maximum-likelihood fits (``method='ML'``, asr_py.reml.ml) against lme4 with REML = FALSE
(recorded by tests/data/lme4_ml_reference.R into lme4_ml_reference.json) and against a dense
ML maximised independently with scipy over log-variances (V formed explicitly)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

import asr_py as asr
from asr_py.errors import AsrError

DATA = Path(__file__).resolve().parents[1] / "data"
REF = json.loads((DATA / "lme4_ml_reference.json").read_text())


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / name, dtype=str).pipe(
        lambda d: d.assign(**{c: pd.to_numeric(d[c]) for c in
                              ("Reaction", "Days", "diameter", "Yield") if c in d}))


FITS = {
    "sleep_days": ("sleepstudy.csv", "Reaction ~ Days", "~ Subject",
                   {"Subject": "Subject"}),
    "sleep_null": ("sleepstudy.csv", "Reaction ~ 1", "~ Subject", {"Subject": "Subject"}),
    # intercepts and slopes (lme4: (1|Subject) + (0 + Days|Subject)): with one AI-REML
    # theta-step run to convergence per beta round this took 32 AI iterations (over maxit)
    "sleep_slope": ("sleepstudy.csv", "Reaction ~ Days", "~ Subject + Subject:Days",
                    {"Subject": "Subject", "Subject:Days": "Subject.1"}),
    "penicillin": ("Penicillin.csv", "diameter ~ 1", "~ plate + sample",
                   {"plate": "plate", "sample": "sample"}),
    "dtex_env": ("DT_example.csv", "Yield ~ Env", "~ Name + Env:Name",
                 {"Name": "Name", "Env:Name": "Env:Name"}),
    "dtex_null": ("DT_example.csv", "Yield ~ 1", "~ Name + Env:Name",
                  {"Name": "Name", "Env:Name": "Env:Name"}),
}


@pytest.fixture(scope="module")
def fits() -> dict[str, asr.AsremlFit]:
    return {k: asr.asreml(f, random=r, data=_read(d), method="ML")
            for k, (d, f, r, _) in FITS.items()}


@pytest.mark.parametrize("key", list(FITS))
def test_ml_matches_lme4(fits: dict, key: str) -> None:
    m, ref = fits[key], REF["fits"][key]
    assert m.converged and m.method == "ML"
    assert m.loglik == pytest.approx(ref["loglik"], abs=1e-6)
    vc = m.varcomp["component"]
    grp = dict(zip(ref["grp"], ref["vcov"]))
    for ours, theirs in FITS[key][3].items():
        assert vc[ours] == pytest.approx(grp[theirs], rel=1e-5)
    assert vc["units!R"] == pytest.approx(grp["Residual"], rel=1e-5)
    np.testing.assert_allclose(m.coef_fixed["solution"], np.atleast_1d(ref["fixef"]),
                               rtol=1e-6)
    np.testing.assert_allclose(m.coef_fixed["std.error"], np.atleast_1d(ref["se_fixef"]),
                               rtol=1e-4)
    assert m.df == ref["df"]
    assert m.aic == pytest.approx(ref["AIC"], abs=1e-5)
    assert m.bic == pytest.approx(ref["BIC"], abs=1e-5)


@pytest.mark.parametrize("pair", [("sleep_null", "sleep_days", "sleep"),
                                  ("dtex_null", "dtex_env", "dtex")])
def test_lrt_between_fixed_parts_matches_anova(fits: dict, pair: tuple) -> None:
    small, big, key = pair
    tab = asr.lrt(fits[big], fits[small])
    ref = REF["anova"][key]
    assert tab["df"].iloc[0] == ref["df"]
    assert tab["LR-statistic"].iloc[0] == pytest.approx(ref["chisq"], rel=1e-6)
    assert tab["Pr(Chisq)"].iloc[0] == pytest.approx(ref["p"], rel=1e-4)
    assert tab["note"].iloc[0] == ""  # fixed effects tested: no boundary halving


def _dense_ml(y: np.ndarray, x: np.ndarray, zs: list[np.ndarray]) -> tuple[float, np.ndarray]:
    """Independent ML: −ℓ(σ²) with β profiled by GLS, V = Σ σ_j² Z_jZ_j' + σ_e² I formed
    densely, minimised over log σ² by scipy (Nelder-Mead, then BFGS)."""
    n = y.size

    def negll(lv: np.ndarray) -> float:
        v = np.exp(lv)
        vm = v[-1] * np.eye(n) + sum(s * z @ z.T for s, z in zip(v, zs))
        c = np.linalg.cholesky(vm)
        xi = np.linalg.solve(c, x)
        yi = np.linalg.solve(c, y)
        beta = np.linalg.lstsq(xi, yi, rcond=None)[0]
        r = yi - xi @ beta
        return 0.5 * (n * np.log(2 * np.pi) + 2 * np.log(np.diag(c)).sum() + r @ r)

    start = np.full(len(zs) + 1, np.log(np.var(y) / (len(zs) + 1)))
    nm = optimize.minimize(negll, start, method="Nelder-Mead",
                           options={"xatol": 1e-8, "fatol": 1e-12, "maxiter": 20000})
    bf = optimize.minimize(negll, nm.x, method="BFGS", options={"gtol": 1e-9})
    best = bf if bf.fun <= nm.fun else nm
    return -float(best.fun), np.exp(best.x)


def _dummies(s: pd.Series) -> np.ndarray:
    return pd.get_dummies(s).to_numpy(dtype=float)


def test_ml_matches_dense_scipy_ml() -> None:
    """Two crossed random factors and a fixed factor on simulated data (Pastes-like)."""
    rng = np.random.default_rng(17)
    n = 90
    d = pd.DataFrame({"a": rng.integers(0, 6, n).astype(str),
                      "b": rng.integers(0, 9, n).astype(str),
                      "t": rng.integers(0, 3, n).astype(str)})
    ua, ub = rng.normal(0, 1.5, 6), rng.normal(0, 0.8, 9)
    d["y"] = (10 + d["t"].astype(int) + ua[d["a"].astype(int)] + ub[d["b"].astype(int)]
              + rng.normal(0, 1.0, n))
    m = asr.asreml("y ~ t", random="~ a + b", data=d, method="ML")
    x = np.column_stack([np.ones(n), _dummies(d["t"])[:, 1:]])
    ll, v = _dense_ml(d["y"].to_numpy(), x, [_dummies(d["a"]), _dummies(d["b"])])
    assert m.loglik == pytest.approx(ll, abs=1e-7)
    np.testing.assert_allclose(m.varcomp["component"].to_numpy(), v, rtol=2e-5)
    # the same model by REML is a different fit (its estimates are not the ML ones)
    r = asr.asreml("y ~ t", random="~ a + b", data=d)
    assert r.method == "REML"
    assert np.max(np.abs(r.varcomp["component"].to_numpy() / v - 1)) > 1e-2


def test_ml_invariances() -> None:
    """Row order does not matter; y x c scales the variances by c² and ℓ by −n log c."""
    d = _read("Penicillin.csv")
    m = asr.asreml("diameter ~ 1", random="~ plate + sample", data=d, method="ML")
    perm = d.sample(frac=1.0, random_state=3).reset_index(drop=True)
    mp = asr.asreml("diameter ~ 1", random="~ plate + sample", data=perm, method="ML")
    assert mp.loglik == pytest.approx(m.loglik, abs=1e-8)
    np.testing.assert_allclose(mp.varcomp["component"], m.varcomp["component"], rtol=1e-6)
    c = 1e3
    ms = asr.asreml("diameter ~ 1", random="~ plate + sample",
                    data=d.assign(diameter=d["diameter"] * c), method="ML")
    assert ms.loglik == pytest.approx(m.loglik - d.shape[0] * np.log(c), abs=1e-6)
    np.testing.assert_allclose(ms.varcomp["component"], m.varcomp["component"] * c**2,
                               rtol=1e-6)


def test_ml_input_not_mutated_and_method_case() -> None:
    d = pd.read_csv(DATA / "Dyestuff.csv", dtype={"Batch": str})
    before = d.copy()
    m = asr.asreml("Yield ~ 1", random="~ Batch", data=d, method="ml")
    pd.testing.assert_frame_equal(d, before)
    assert m.method == "ML" and "ML log-likelihood" in m.summary()


def test_bad_method_and_refused_lrts(fits: dict) -> None:
    with pytest.raises(AsrError, match="method='ML'"):
        asr.asreml("Reaction ~ Days", random="~ Subject", data=_read("sleepstudy.csv"),
                   method="MLE")
    d = _read("sleepstudy.csv")
    r1 = asr.asreml("Reaction ~ Days", random="~ Subject", data=d)
    r0 = asr.asreml("Reaction ~ 1", random="~ Subject", data=d)
    with pytest.raises(AsrError, match="different fixed effects") as e:
        asr.lrt(r0, r1)
    assert "method='ML'" in str(e.value.hint)
    with pytest.raises(AsrError, match="one fit is REML and the other ML"):
        asr.lrt(r1, fits["sleep_days"])


def test_ml_non_convergence_is_reported() -> None:
    d = _read("DT_example.csv")
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        m = asr.asreml("Yield ~ Env", random="~ Name + Env:Name", data=d, method="ML",
                       maxit=1)
    assert not m.converged
    assert any("ML fit" in str(x.message) for x in w)


def test_ml_without_random_terms_is_the_linear_model_mle() -> None:
    """Closed form: σ̂² = RSS/n, ℓ = −n/2 (log(2π σ̂²) + 1), β̂ = OLS, Var(β̂) = σ̂²(X'X)⁻¹."""
    d = _read("sleepstudy.csv")
    m = asr.asreml("Reaction ~ Days", data=d, method="ML")
    X = np.column_stack([np.ones(len(d)), d["Days"]])
    y = d["Reaction"].to_numpy()
    b = np.linalg.lstsq(X, y, rcond=None)[0]
    n = y.size
    s2 = float(((y - X @ b) ** 2).sum()) / n
    assert m.varcomp["component"].iloc[0] == pytest.approx(s2, rel=1e-9)
    assert m.loglik == pytest.approx(-n / 2 * (np.log(2 * np.pi * s2) + 1), abs=1e-8)
    np.testing.assert_allclose(m.coef_fixed["solution"], b, rtol=1e-10)
    np.testing.assert_allclose(m.coef_fixed["std.error"],
                               np.sqrt(np.diag(s2 * np.linalg.inv(X.T @ X))), rtol=1e-8)


def test_ml_confint_matches_lme4_profile() -> None:
    """An ML fit's profile intervals profile the ML log-likelihood, as lme4's confint() of a
    REML = FALSE fit (recorded; lme4 interpolates its profile by splines: agreement ~1e-3)."""
    d = pd.read_csv(DATA / "Dyestuff.csv", dtype={"Batch": str})
    m = asr.asreml("Yield ~ 1", random="~ Batch", data=d, method="ML")
    ci = m.confint()
    ref = REF["confint_dyestuff"]
    for row, k in (("Batch", 0), ("units!R", 1)):
        assert ci.loc[row, "lower"] == pytest.approx(ref["lower_sd"][k] ** 2, rel=1e-3)
        assert ci.loc[row, "upper"] == pytest.approx(ref["upper_sd"][k] ** 2, rel=1e-3)
    # and they are not the REML profile's
    assert asr.asreml("Yield ~ 1", random="~ Batch", data=d).confint().loc[
        "Batch", "upper"] > 1.2 * ci.loc["Batch", "upper"]


@pytest.mark.parametrize("key", ["sleep_slope", "dtex_env", "penicillin"])
def test_ml_converges_as_fast_as_reml(fits: dict, key: str) -> None:
    # β̂(θ) is re-estimated after every AI step (the θ-score at β̂(θ) is the profile
    # likelihood's score), so ML needs about as many AI iterations as REML; one θ-step run
    # to convergence per β round took 16 against REML's 6 on DT_example
    d, f, r, _ = FITS[key]
    reml = asr.asreml(f, random=r, data=_read(d))
    assert fits[key].result.n_iter <= reml.result.n_iter + 2
