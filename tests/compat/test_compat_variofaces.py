"""asremlPlus's variofaces / plotVariofaces (asr.plus): the variogram faces of a residual
grid against a brute-force loop over plot pairs (asreml's definition, γ(h_r, h_c) = mean of
½(e_i − e_j)² over the pairs at |Δrow| = h_r, |Δcol| = h_c), the envelopes against R's
type-7 quantile written out, and the grid read from the residual formula."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.compat.variofaces import grid_factors
from asr_py.errors import AsrError


def _gamma_by_hand(e: np.ndarray, r: np.ndarray, c: np.ndarray, hr: int, hc: int) -> float:
    tot, n = 0.0, 0
    for i in range(e.size):
        for j in range(i + 1, e.size):
            if abs(r[i] - r[j]) == hr and abs(c[i] - c[j]) == hc:
                tot += 0.5 * (e[i] - e[j]) ** 2
                n += 1
    return tot / n if n else 0.0


def _q7(x: np.ndarray, p: float) -> float:
    """R's quantile type 7: x_(⌊h⌋+1) + (h − ⌊h⌋)(x_(⌊h⌋+2) − x_(⌊h⌋+1)), h = (n − 1)p."""
    x = np.sort(x)
    h = (x.size - 1) * p
    lo = int(np.floor(h))
    hi = min(lo + 1, x.size - 1)
    return float(x[lo] + (h - lo) * (x[hi] - x[lo]))


def _grid(nr: int, nc: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({"Row": np.repeat(np.arange(1, nr + 1), nc),
                      "Col": np.tile(np.arange(1, nc + 1), nr)})
    d["e"] = rng.normal(size=len(d)) + 0.3 * d["Row"]
    return d.astype({"Row": "category", "Col": "category"})


def test_faces_of_a_known_grid_and_their_envelopes() -> None:
    d = _grid(4, 5, 1)
    rng = np.random.default_rng(2)
    sims = rng.normal(size=(len(d), 7))
    res = pd.concat([d[["Row", "Col"]], pd.DataFrame(sims, columns=[f"s{k}" for k in range(7)])],
                    axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = asr.plus.plotVariofaces(d, res)
    r, c = d["Row"].astype(int).to_numpy(), d["Col"].astype(int).to_numpy()
    f1, f2 = out["face1"], out["face2"]
    assert list(f1.columns) == ["Row", "observed", "X2.5.", "X50.", "X97.5."]
    assert list(f2.columns) == ["Col", "observed", "X2.5.", "X50.", "X97.5."]
    assert f1["Row"].tolist() == [0, 1, 2, 3] and f2["Col"].tolist() == [0, 1, 2, 3, 4]
    e = d["e"].to_numpy()
    for h in range(4):
        assert f1["observed"][h] == pytest.approx(_gamma_by_hand(e, r, c, h, 0), abs=1e-12)
        g = np.array([_gamma_by_hand(sims[:, k], r, c, h, 0) for k in range(7)])
        for name, p in (("X2.5.", 0.025), ("X50.", 0.5), ("X97.5.", 0.975)):
            assert f1[name][h] == pytest.approx(_q7(g, p), abs=1e-12)
    for h in range(5):
        assert f2["observed"][h] == pytest.approx(_gamma_by_hand(e, r, c, 0, h), abs=1e-12)


def test_sections_give_a_face_per_section() -> None:
    a, b = _grid(3, 4, 3), _grid(3, 4, 4)
    d = pd.concat([a.assign(S="north"), b.assign(S="south")], ignore_index=True)
    d = d[["S", "Row", "Col", "e"]].astype({"S": "category"})
    res = pd.concat([d[["S", "Row", "Col"]], pd.DataFrame({"s1": d["e"] * 2.0})], axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = asr.plus.plotVariofaces(d, res)
    f1 = out["face1"]
    assert list(f1.columns) == ["Row", "observed", "X2.5.", "X50.", "X97.5.", "S"]
    assert f1["S"].astype(str).tolist() == ["north"] * 3 + ["south"] * 3
    for k, part in enumerate((a, b)):
        e = part["e"].to_numpy()
        r, c = part["Row"].astype(int).to_numpy(), part["Col"].astype(int).to_numpy()
        for h in range(3):
            want = _gamma_by_hand(e, r, c, h, 0)
            assert f1["observed"][3 * k + h] == pytest.approx(want, abs=1e-12)
            # one simulation of 2e: every quantile is its γ, 4 times the observed
            assert f1["X50."][3 * k + h] == pytest.approx(4 * want, abs=1e-12)


def test_grid_factors_from_the_residual_formula() -> None:
    assert grid_factors("~ ar1(Row):ar1(Column)") == ("Row", "Column", None)
    assert grid_factors("~Row:Column") == ("Row", "Column", None)
    assert grid_factors("~ dsum(~ar1(Lane):ar1(Position) | Smarthouse)") == (
        "Lane", "Position", "Smarthouse")
    assert grid_factors("~ dsum(~ id(Lane):ar1(Position) | Smarthouse, levels = 'SW')") == (
        "Lane", "Position", "Smarthouse")
    assert grid_factors("~ at(Smarthouse):ar1(Lane):ar1(Position)") == (
        "Lane", "Position", "Smarthouse")
    with pytest.raises(AsrError, match="single term"):
        grid_factors("~ ar1(Row):ar1(Col) + units")
    with pytest.raises(AsrError, match="two dimensions"):
        grid_factors("~ ar1(Row)")


@pytest.fixture(scope="module")
def spatial() -> tuple[pd.DataFrame, object]:
    d = _grid(8, 6, 5).rename(columns={"e": "y"})
    d["Rep"] = np.where(d["Col"].astype(int) <= 3, "A", "B")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = asr.asreml("y ~ Rep", random="~ Row", residual="~ ar1(Row):ar1(Col)", data=d)
    return d, fit


def test_variofaces_of_a_fit(spatial) -> None:
    d, fit = spatial
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = asr.plus.variofaces(fit, nsim=12, seed=9)
    f1, f2 = out["face1"], out["face2"]
    assert f1.shape == (8, 5) and f2.shape == (6, 5)
    e = fit.residuals.to_numpy()
    r, c = d["Row"].astype(int).to_numpy(), d["Col"].astype(int).to_numpy()
    for h in range(1, 8):
        assert f1["observed"][h] == pytest.approx(_gamma_by_hand(e, r, c, h, 0), abs=1e-10)
    q = f1[["X2.5.", "X50.", "X97.5."]].to_numpy()[1:]
    assert np.all(q[:, 0] <= q[:, 1]) and np.all(q[:, 1] <= q[:, 2]) and np.all(q[:, 0] > 0)


def test_variofaces_bad_input(spatial) -> None:
    d, fit = spatial
    with pytest.raises(AsrError, match="not supported"):
        asr.plus.variofaces(fit, nsim=2, bogus=1)
    with pytest.raises(AsrError, match="both row_factor and col_factor"):
        asr.plus.variofaces(fit, nsim=2, row_factor="Row")
    with pytest.raises(AsrError, match="no column 'Plot'"):
        asr.plus.variofaces(fit, nsim=2, row_factor="Plot", col_factor="Col")
    with pytest.raises(AsrError, match="rows in data and residuals"):
        asr.plus.plotVariofaces(d[["Row", "Col", "y"]], d[["Row", "Col", "y"]].iloc[:5])


def test_asr_variogram_of_a_data_frame_by_hand() -> None:
    d = _grid(4, 3, 6)
    d.loc[5, "e"] = np.nan                      # a missing value is left out
    out = asr.plus.asr_varioGram(d[["Row", "Col", "e"]])
    assert list(out.columns) == ["x", "y", "gamma", "np"] and len(out) == 12
    ok = d["e"].notna().to_numpy()
    e = d["e"].to_numpy()[ok]
    r, c = d["Row"].astype(int).to_numpy()[ok], d["Col"].astype(int).to_numpy()[ok]
    for _, row in out.iterrows():
        hx, hy = int(row["x"]), int(row["y"])
        n = sum(abs(r[i] - r[j]) == hx and abs(c[i] - c[j]) == hy
                for i in range(e.size) for j in range(i + 1, e.size))
        assert row["np"] == n
        assert row["gamma"] == pytest.approx(_gamma_by_hand(e, r, c, hx, hy), abs=1e-12)
    by_vectors = asr.plus.asr_varioGram(d["Row"], d["Col"], d["e"])   # asreml 3's form
    pd.testing.assert_frame_equal(by_vectors, out)
    with pytest.raises(AsrError, match="data frame"):
        asr.plus.asr_varioGram(d[["Row", "Col"]])


def test_variofaces_aom_uses_standardised_conditional_residuals(spatial) -> None:
    # asremlPlus's get.residuals with aom = TRUE: asreml's aom$R[, 2], the standardised
    # conditional residuals e_i / sqrt((R P R)_ii), P = V^-1 - V^-1 X (X'V^-1 X)^-1 X'V^-1;
    # written out here in dense numpy at the fit's own parameters
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from _dense_reml import ar1, indicator

    d, fit = spatial
    p = fit.params.set_index("Component")["Value"]
    r = d["Row"].astype(int).to_numpy()
    c = d["Col"].astype(int).to_numpy()
    R = fit.sigma2 * ar1(8, p["Row:Col!Row!cor"])[np.ix_(r - 1, r - 1)] * \
        ar1(6, p["Row:Col!Col!cor"])[np.ix_(c - 1, c - 1)]
    Z = indicator(d["Row"].astype(str).to_numpy())
    V = R + p["Row"] * Z @ Z.T
    X = np.column_stack([np.ones(len(d)), (d["Rep"] == "B").to_numpy(dtype=float)])
    Vi = np.linalg.inv(V)
    P = Vi - Vi @ X @ np.linalg.solve(X.T @ Vi @ X, X.T @ Vi)
    y = d["y"].to_numpy(dtype=float)
    e = R @ P @ y
    std = e / np.sqrt(np.diag(R @ P @ R))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = asr.plus.variofaces(fit, nsim=4, seed=3, aom=True)
        raw = asr.plus.variofaces(fit, nsim=4, seed=3)
    for h in range(1, 8):
        assert out["face1"]["observed"][h] == pytest.approx(
            _gamma_by_hand(std, r, c, h, 0), rel=1e-6)
    assert not np.allclose(out["face1"]["observed"], raw["face1"]["observed"])
    # the simulated faces are of standardised residuals too: near 1 at long lags
    assert 0.3 < float(out["face2"]["X50."].iloc[-1]) < 3
    with pytest.raises(AsrError, match="aom must be TRUE or FALSE"):
        asr.plus.variofaces(fit, nsim=2, aom="yes")
