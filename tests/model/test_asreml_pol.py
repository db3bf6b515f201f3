"""asreml's pol(x, t) basis (asr_py/model/asreml_pol.py) against asreml's own numbers.

Sources: asreml-R 3.0's fit of AaronRendahl/Jane-asreml-modeling (commit f56afc4,
asreml_msi_modeling2.R; fetched jane_ogtt_hr.csv is its data's Number_ID, time, glucose,
insulin): the log-likelihoods and σ² its .Rout prints, the 25 predictions over time its
results-fit.csv holds (fetched jane_asreml3_predict_time.csv), and the pol(time, 2)
columns solved from its saved fit (tests/data/jane_pol_reference.py); closed forms of Gram
polynomials on equally spaced points.
asreml 4's burgueno.alpha log-likelihoods (m6, m9): tests/compat/test_compat_printed_outputs_2.py.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _fetched import fetched

import asr_py as asr
from asr_py.errors import DataError
from asr_py.model.asreml_pol import PolBasis, pol_points
from asr_py.model.spec import compile_model

TIMES = np.array([0, 15, 30, 60, 75, 90, 120, 150, 180.0])
#: asreml 3's P1, P2 at TIMES (jane_pol_reference.py; its P0 is 1 at every time)
ASREML3_P = np.array([
    [-1.000000000000, 1.000000000000], [-0.836387434555, 0.532698452385],
    [-0.672774869110, 0.148856754546], [-0.345549738221, -0.368447091803],
    [-0.181937172776, -0.501909240314], [-0.018324607331, -0.551911539048],
    [0.308900523559, -0.401536587187], [0.636125654448, 0.082677763779],
    [0.963350785338, 0.900731513849]])
#: the times asreml's predict(classify = "time") printed (results-fit.csv, rounded)
ASREML3_PREDICT_TIMES = [0, 9, 15, 24, 30, 39, 48, 57, 60, 69, 75, 84, 90, 99, 108, 117, 120,
                         129, 138, 147, 150, 159, 168, 177, 180]
RANDOM = "~ str(~Number_ID:pol(time,2), ~us(3):id(Number_ID))"


@pytest.fixture(scope="module")
def jane() -> pd.DataFrame:
    d = pd.read_csv(fetched("jane_ogtt_hr.csv"))
    ids = sorted(d["Number_ID"].unique())
    return d.assign(Number_ID=pd.Categorical(d["Number_ID"].astype(str),
                                             categories=[str(i) for i in ids]),
                    time=d["time"] * 60, logINS=np.log(d["insulin"]))


def test_points_are_asremls_prediction_times(jane: pd.DataFrame) -> None:
    np.testing.assert_allclose(pol_points(jane["time"].to_numpy()), ASREML3_PREDICT_TIMES,
                               atol=1e-9)


def test_columns_are_asreml3s(jane: pd.DataFrame) -> None:
    """The design matrices asr_py builds (fixed pol(time, -2), random pol(time, 2) of each
    horse) hold asreml 3's columns at every record."""
    m = compile_model("glucose ~ pol(time,-2)", random=RANDOM, data=jane)
    t = jane["time"].to_numpy()
    ref = ASREML3_P[np.searchsorted(TIMES, t)]
    X = m.fixed.X
    np.testing.assert_allclose(X[:, 1:], ref, atol=1e-10)
    Z = m.random[0].Z.tocsr()
    Z.sort_indices()
    assert np.all(np.diff(Z.indptr) == 3)  # its own horse's 3 columns, in column order
    np.testing.assert_allclose(Z.data.reshape(-1, 3), np.column_stack([np.ones(t.size), ref]),
                               atol=1e-10)


@pytest.mark.parametrize(("resp", "loglik", "sigma2"), [("glucose", -2157.1467, 57.0011),
                                                         ("logINS", 26.3108, 0.1362)])
def test_random_regression_fit_is_asreml3s(jane: pd.DataFrame, resp: str, loglik: float,
                                           sigma2: float) -> None:
    """The two fits asreml_msi_modeling2.Rout prints: LogLik and S2 at convergence to their 4
    decimals (asreml omits −½(n − p) log 2π, DF 735). Was −2290.91 / 145.66 and −6.75 /
    0.2041 with R's poly() columns."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", asr.AsrWarning)  # str()'s order (its own test)
        m = asr.asreml(f"{resp} ~ pol(time,-2)", random=RANDOM, data=jane, maxit=400)
    assert m.converged
    assert m.loglik + 0.5 * 735 * np.log(2 * np.pi) == pytest.approx(loglik, abs=1e-4)
    assert m.varcomp.loc["units!R", "component"] == pytest.approx(sigma2, abs=1e-4)
    if resp == "glucose":  # the saved fit's gammas × σ² (results_glucose.RDS), asreml's stop
        gam = [2.6280081844, 0.5118580396, 2.3984960074, 0.4151305837, 0.6236418192,
               2.0791637647]
        np.testing.assert_allclose(m.varcomp["component"].to_numpy()[:6],
                                   np.array(gam) * 57.00109174705561, rtol=1e-3)


@pytest.mark.parametrize(("resp", "name"), [("glucose", "glucose"), ("logINS", "insulin")])
def test_predict_over_time_is_asreml3s(jane: pd.DataFrame, resp: str, name: str) -> None:
    """predict(classify = "time") at pol()'s points, as asreml 3's getfit() wrote them
    (results-fit.csv, "time_only": 25 times, values and standard errors); they differ only
    by asreml's stopping point (relative 2e-6)."""
    ref = pd.read_csv(fetched("jane_asreml3_predict_time.csv")).query("response == @name")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", asr.AsrWarning)
        m = asr.asreml(f"{resp} ~ pol(time,-2)", random=RANDOM, data=jane, maxit=400)
    p = m.predict(classify="time")
    np.testing.assert_allclose(p["time"], ref["time"], atol=1e-9)
    np.testing.assert_allclose(p["predicted.value"], ref["predicted.value"], rtol=1e-5)
    np.testing.assert_allclose(p["std.error"], ref["standard.error"], rtol=1e-5)


def _gram(i: np.ndarray, n: int) -> np.ndarray:
    """Gram polynomials of degree 1..3 on the points 0..n−1 (closed forms), c = i − (n−1)/2."""
    c = i - (n - 1) / 2
    return np.column_stack([c, c**2 - (n**2 - 1) / 12, c**3 - (3 * n**2 - 7) / 20 * c])


def test_equally_spaced_closed_form() -> None:
    """x = 1..6: the points are 1, 1.25, ..., 6 (21 equally spaced), so P_j is the Gram
    polynomial of index i = 4(x − 1) scaled to (−1)^j at x = 1 — at the data, between and
    beyond them (predict's new x)."""
    x = np.repeat(np.arange(1.0, 7.0), 8)
    np.testing.assert_allclose(pol_points(x), np.linspace(1, 6, 21), atol=1e-12)
    basis = PolBasis.fit(x, 3)
    x_new = np.array([1.0, 1.1, 2.5, 3.75, 6.0, 7.3, -0.5])
    g = _gram(4 * (x_new - 1), 21)
    ref = g / np.abs(_gram(np.zeros(1), 21))
    np.testing.assert_allclose(basis(x_new), ref, atol=1e-12)
    np.testing.assert_allclose(basis(x)[0], [-1.0, 1.0, -1.0], atol=1e-12)


def test_unequal_gaps_are_filled_from_their_lower_end() -> None:
    """Step (max − min)/20 = 0.3 up from each value, below the next one."""
    got = pol_points(np.array([4.0, 0, 1, 6, 1, 0]))
    ref = [0, 0.3, 0.6, 0.9, 1, 1.3, 1.6, 1.9, 2.2, 2.5, 2.8, 3.1, 3.4, 3.7, 4, 4.3, 4.6, 4.9,
           5.2, 5.5, 5.8, 6]
    np.testing.assert_allclose(got, ref, atol=1e-12)


def _small(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    time = np.tile([0.0, 1.0, 2.0, 4.0, 7.0], 12)
    ids = np.repeat([f"i{j:02d}" for j in range(12)], 5)
    b = rng.normal(size=(12, 2)) * [2.0, 0.5]
    idn = np.repeat(np.arange(12), 5)
    y = 3 + b[idn, 0] + (0.8 + b[idn, 1]) * time - 0.06 * time**2 + rng.normal(size=60)
    return pd.DataFrame({"id": ids, "time": time, "y": y})


def _fit(d: pd.DataFrame) -> asr.AsremlFit:
    return asr.asreml("y ~ pol(time, -2)", random="~ str(~ pol(time, 1):id, ~ us(2):id(id))",
                      data=d)


def test_units_and_row_order_do_not_change_the_fit() -> None:
    """pol() is scale-free: time in hours, minutes or minutes + 30 and shuffled rows give the
    same columns per record and the same fit."""
    d = _small()
    ref = _fit(d)
    assert ref.converged
    for e in (d.assign(time=d["time"] * 60), d.assign(time=d["time"] * 60 + 30),
              d.sample(frac=1.0, random_state=4)):
        m = _fit(e)
        assert m.loglik == pytest.approx(ref.loglik, abs=1e-8)
        np.testing.assert_allclose(m.varcomp["component"], ref.varcomp["component"],
                                   rtol=1e-6)
        order = e.index.to_numpy()
        np.testing.assert_allclose(m.model.fixed.X, ref.model.fixed.X[order], atol=1e-12)
        np.testing.assert_allclose(m.coef_fixed["solution"], ref.coef_fixed["solution"],
                                   rtol=1e-6)


def test_too_few_distinct_values_is_an_error() -> None:
    d = _small().assign(time=2.0)
    with pytest.raises(DataError, match="distinct"):
        asr.asreml("y ~ pol(time)", data=d)


def test_leg_is_the_normalised_legendre_of_the_literature() -> None:
    """leg(x, 3): √((2j+1)/2) P_j(z) on z = x's range mapped to [−1, 1] — Mrode (2005, Linear
    Models for the Prediction of Animal Breeding Values, random regression chapter): days in
    milk 4, 38, ..., 310 standardise to −1, −7/9, ..., 1; f_0 = 0.7071, f_1 = 1.2247 z,
    f_2 = 2.3717 z² − 0.7906 (his printed 4 decimals); f_3 = √(7/2) (5z³ − 3z)/2."""
    dim = np.arange(4.0, 311.0, 34.0)
    d = pd.DataFrame({"dim": dim, "y": np.sin(dim / 50), "id": ["a", "b"] * 5})
    m = compile_model("y ~ 1", random="~ leg(dim, 3):id", data=d)
    Z = m.random[0].Z.tocsr()
    Z.sort_indices()
    got = Z.data.reshape(-1, 4)  # each record's own id: 4 columns in order
    z = np.linspace(-1, 1, 10)
    np.testing.assert_allclose(z, -1 + 2 * (dim - 4) / 306, atol=1e-12)
    mrode = np.column_stack([np.full(10, 0.7071), 1.2247 * z, 2.3717 * z**2 - 0.7906])
    np.testing.assert_allclose(got[:, :3], mrode, atol=1e-4)
    f3 = np.sqrt(3.5) * (5 * z**3 - 3 * z) / 2
    np.testing.assert_allclose(got[:, 3], f3, atol=1e-12)


#: asreml 3's coefficient names in its saved fits (results_glucose.RDS of commit f56afc4:
#: ``time_only`` and ``SEX``, the latter from ``update(glu, ~ . + SEX * pol(time, 2))``)
ASREML3_FIXED_TIME_ONLY = {"pol(time, -2)_order1", "pol(time, -2)_order2", "(Intercept)"}
ASREML3_FIXED_SEX = [
    "SEX_g:pol(time, 2)_order0", "SEX_g:pol(time, 2)_order1", "SEX_g:pol(time, 2)_order2",
    "SEX_m:pol(time, 2)_order0", "SEX_m:pol(time, 2)_order1", "SEX_m:pol(time, 2)_order2",
    "pol(time, 2)_order0", "pol(time, 2)_order1", "pol(time, 2)_order2", "SEX_g", "SEX_m",
    "pol(time, -2)_order1", "pol(time, -2)_order2", "(Intercept)"]


def test_coefficient_names_are_asremls(jane: pd.DataFrame) -> None:
    """The names asreml 3 gives pol() coefficients: the call as written, ``_order<j>``;
    every name of an asr_py fit is one of asreml's, and asreml's whole layout (aliased
    columns too, asreml 3's order: last term first) is asreml's list."""
    from asr_py.results.coef_layout import full_fixed_names

    d = jane.assign(SEX=np.where(jane["Number_ID"].cat.codes % 2 == 0, "g", "m"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = asr.asreml("glucose ~ pol(time,-2)", random="~ Number_ID", data=d)
        b = asr.asreml("glucose ~ pol(time,-2) + SEX * pol(time, 2)", random="~ Number_ID",
                       data=d)
    assert set(a.coef_fixed.index) == ASREML3_FIXED_TIME_ONLY
    got = set(b.coef_fixed.index)
    assert got <= set(ASREML3_FIXED_SEX)
    assert full_fixed_names(b.model, "reverse") == ASREML3_FIXED_SEX
    assert {"SEX_m:pol(time, 2)_order1", "SEX_m:pol(time, 2)_order2"} <= got
