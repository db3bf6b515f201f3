"""variogram(): against a brute-force O(n²) loop over pairs, closed-form patterns, the
matching of residuals to plot coordinates, errors, and the plots."""

from __future__ import annotations

import itertools
import sys

import matplotlib
import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import DataError, ModelError
from asr_py.results.variogram import plot_variogram, semivariogram, variogram

matplotlib.use("Agg")


def brute(e: np.ndarray, r: np.ndarray, c: np.ndarray) -> dict[tuple[int, int], tuple[int, float]]:
    """{(|Δr|, |Δc|): (pairs, mean ½(e_i − e_j)²)} by looping over every pair i < j."""
    acc: dict[tuple[int, int], list] = {}
    for i, j in itertools.combinations(range(e.size), 2):
        k = (abs(int(r[i]) - int(r[j])), abs(int(c[i]) - int(c[j])))
        a = acc.setdefault(k, [0, 0.0])
        a[0] += 1
        a[1] += 0.5 * (e[i] - e[j]) ** 2
    return {k: (n, s / n) for k, (n, s) in acc.items()}


def field(nr: int, nc: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    d = pd.DataFrame([(r, c) for r in range(1, nr + 1) for c in range(1, nc + 1)],
                     columns=["Row", "Col"])
    d["Variety"] = [f"v{i % 7}" for i in range(len(d))]
    d["y"] = rng.normal(size=len(d)) + 0.4 * d["Row"] - 0.2 * d["Col"]
    return d


def check_against_brute(vg: pd.DataFrame, e, r, c, row="Row", col="Col") -> None:
    ref = brute(np.asarray(e, float), np.asarray(r), np.asarray(c))
    got = vg.set_index([row, col])
    for k, (n, g) in ref.items():
        assert got.loc[k, "npairs"] == n, k
        assert got.loc[k, "gamma"] == pytest.approx(g, rel=1e-10, abs=1e-12), k
    # every other lag has no pair: N = 0 and γ NaN, except γ(0, 0) = 0 by definition
    rest = got.drop(index=list(ref))
    assert (rest["npairs"] == 0).all()
    others = rest.drop(index=[(0, 0)], errors="ignore")
    assert others["gamma"].isna().all()
    if (0, 0) not in ref:
        assert got.loc[(0, 0), "gamma"] == 0.0


def test_matches_brute_force_on_a_fitted_trial() -> None:
    """A real fit, with shuffled rows, a non-default index, text coordinates, two missing
    responses (records dropped) and one plot missing from the field."""
    d = field(6, 5, seed=1)
    d = d.drop(index=7)
    d.loc[[3, 20], "y"] = np.nan
    d = d.sample(frac=1.0, random_state=3)
    d.index = [f"plot{i}" for i in range(len(d))]
    d["Row"] = d["Row"].astype(str)
    d["Col"] = d["Col"].astype(str)
    before = d.copy()
    fit = asr.asreml("y ~ 1", random="~ Variety", data=d)
    vg = variogram(fit)
    pd.testing.assert_frame_equal(d, before)  # the user's data is untouched
    assert len(fit.residuals) == len(d)          # asreml's na.method(y = 'include')
    e = fit.residuals.dropna()
    used = d.loc[e.index]
    assert len(used) == len(d) - 2
    check_against_brute(vg, e.to_numpy(), used["Row"].astype(int).to_numpy(),
                        used["Col"].astype(int).to_numpy())
    assert list(vg.columns) == ["Row", "Col", "gamma", "npairs"]
    assert len(vg) == 6 * 5  # every lag of the field, (0, 0) included


def test_row_index_pattern_is_half_the_squared_row_lag() -> None:
    """Residuals = row number (+ const): γ(h_r, h_c) = h_r²/2 exactly; on a full R × C field
    the pairs at (a, b) are (R − a)(C − b), twice that when both lags are non-zero."""
    nr, nc = 7, 5
    d = field(nr, nc)
    d["y"] = d["Row"].astype(float)
    fit = asr.asreml("y ~ 1", data=d)
    np.testing.assert_allclose(fit.residuals, d["Row"] - d["Row"].mean(), atol=1e-8)
    vg = variogram(fit, "Row", "Col")
    a, b = vg["Row"].to_numpy(), vg["Col"].to_numpy()
    expect_n = (nr - a) * (nc - b) * np.where((a > 0) & (b > 0), 2, 1)
    expect_n[(a == 0) & (b == 0)] = 0
    np.testing.assert_array_equal(vg["npairs"], expect_n)
    np.testing.assert_allclose(vg["gamma"], a ** 2 / 2.0, atol=1e-8)


def test_column_and_checkerboard_patterns() -> None:
    r, c = np.indices((5, 8))
    r, c = r.ravel() + 3, c.ravel() + 10  # offsets do not matter
    g, n = semivariogram((c - 2.0) * 1.5, r, c)
    hr, hc = np.indices(g.shape)
    np.testing.assert_allclose(g, 1.5 ** 2 * hc ** 2 / 2.0, atol=1e-10)
    # checkerboard ±1: differences 0 at even total lag, ±2 at odd: γ = 0 or 2
    g, _ = semivariogram((-1.0) ** (r + c), r, c)
    np.testing.assert_allclose(g, np.where((hr + hc) % 2 == 1, 2.0, 0.0), atol=1e-10)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_semivariogram_random_layouts_with_shared_plots(seed: int) -> None:
    """Irregular layouts, gaps and several records on one plot (pairs at lag (0, 0))."""
    rng = np.random.default_rng(seed)
    n = 40
    r = rng.integers(0, 6, n)
    c = rng.integers(0, 9, n)
    e = rng.normal(size=n) * 3 + 50  # a large mean: centring keeps the sums accurate
    g, npairs = semivariogram(e, r, c)
    vg = pd.DataFrame({"Row": np.indices(g.shape)[0].ravel(),
                       "Col": np.indices(g.shape)[1].ravel(),
                       "gamma": g.ravel(), "npairs": npairs.ravel()})
    check_against_brute(vg, e, r - r.min(), c - c.min())
    assert npairs.sum() == n * (n - 1) // 2


def test_multivariate_needs_a_trait() -> None:
    d = field(5, 4, seed=2)
    d["z"] = np.random.default_rng(5).normal(size=len(d)) + d["Col"]
    fit = asr.asreml("cbind(y, z) ~ trait", residual="~ units:us(trait)", data=d)
    with pytest.raises(ModelError, match="several traits"):
        variogram(fit)
    with pytest.raises(ModelError, match="no trait"):
        variogram(fit, trait="w")
    vz = variogram(fit, trait="z")
    res = fit.residuals.xs("z", level="trait")
    check_against_brute(vz, res.to_numpy(), d.loc[res.index, "Row"].to_numpy(),
                        d.loc[res.index, "Col"].to_numpy())


@pytest.mark.parametrize("change, msg", [
    (lambda d: d.drop(columns="Col"), "no column 'Col'"),
    (lambda d: d.assign(Row=["r" + str(v) for v in d["Row"]]), "not numbers"),
    (lambda d: d.assign(Col=d["Col"] * 0.5), "non-integer"),
])
def test_bad_coordinates(change, msg: str) -> None:
    d = change(field(4, 4))
    fit = asr.asreml("y ~ 1", data=d)
    with pytest.raises(DataError, match=msg):
        variogram(fit, "Row", "Col")


def test_categorical_numeric_like_coordinates() -> None:
    d = field(4, 3, seed=4)
    d["Row"] = pd.Categorical(d["Row"].astype(str))
    d["Col"] = pd.Categorical(d["Col"].astype(str))
    fit = asr.asreml("y ~ 1", data=d)
    vg = variogram(fit)
    check_against_brute(vg, fit.residuals.to_numpy(), d["Row"].astype(int).to_numpy(),
                        d["Col"].astype(int).to_numpy())
    with pytest.raises(DataError, match="different"):
        variogram(fit, "Row", "Row")


def test_plots() -> None:
    import matplotlib.pyplot as plt

    d = field(5, 4, seed=6)
    fit = asr.asreml("y ~ 1", data=d)
    vg = variogram(fit)
    grid = vg.pivot(index="Row", columns="Col", values="gamma").to_numpy()
    ax = plot_variogram(vg, kind="heatmap")
    np.testing.assert_allclose(ax.images[0].get_array(), grid)
    assert ax.get_xlabel() == "Col displacement"
    ax3 = plot_variogram(fit)  # a fit: computed, then drawn as a wireframe
    assert ax3.name == "3d" and ax3.get_zlabel() == "semivariance"
    segs = ax3.collections[0]._segments3d
    zs = np.concatenate([np.asarray(s)[:, 2] for s in segs])
    assert np.nanmax(zs) == pytest.approx(np.nanmax(grid))
    with pytest.raises(ValueError, match="kind"):
        plot_variogram(vg, kind="surface")
    _, flat = plt.subplots()
    with pytest.raises(ValueError, match="3-D"):
        plot_variogram(vg, ax=flat)
    with pytest.raises(DataError, match="no column"):
        plot_variogram(vg.drop(columns="gamma"))
    plt.close("all")


def test_plot_without_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    vg = pd.DataFrame({"Row": [0], "Col": [0], "gamma": [0.0], "npairs": [0]})
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match="needs matplotlib"):
        plot_variogram(vg)


def test_fit_method_equals_the_function():
    """AsremlFit.variogram is asr.variogram."""
    rng = np.random.default_rng(8)
    df = pd.DataFrame([(r, c, rng.normal()) for r in range(1, 7) for c in range(1, 5)],
                      columns=["Row", "Col", "y"])
    m = asr.asreml("y ~ 1", data=df)
    pd.testing.assert_frame_equal(m.variogram("Row", "Col"), asr.variogram(m, "Row", "Col"))


def test_max_lag_limits_the_lags() -> None:
    """Lag limits keep exactly the brute-force lags within them; the pair counts on a full
    R × C field are (R − a)(C − b), twice that when both lags are non-zero."""
    d = field(7, 6, seed=4)
    fit = asr.asreml("y ~ 1", random="~ Variety", data=d)
    vg = fit.variogram("Row", "Col", max_lag=(3, 2))
    assert sorted(zip(vg["Row"], vg["Col"])) == [(a, b) for a in range(4) for b in range(3)]
    ref = brute(fit.residuals.to_numpy(), d["Row"].to_numpy(), d["Col"].to_numpy())
    for a, b, g, n in zip(vg["Row"], vg["Col"], vg["gamma"], vg["npairs"]):
        if (a, b) == (0, 0):
            assert n == 0 and g == 0.0
            continue
        assert n == ref[(a, b)][0] == (7 - a) * (6 - b) * (2 if a and b else 1)
        assert g == pytest.approx(ref[(a, b)][1], rel=1e-10)
    square = variogram(fit, max_lag=2)
    assert square["Row"].max() == 2 and square["Col"].max() == 2 and len(square) == 9
    full = variogram(fit)
    assert len(full) == 42
    ax = plot_variogram(full, kind="heatmap", max_lag=(3, 2))
    assert ax.images[0].get_array().shape == (4, 3)
    for bad in (-1, 1.5, (1, 2, 3), "3", True):
        with pytest.raises(DataError, match="max_lag"):
            variogram(fit, max_lag=bad)
