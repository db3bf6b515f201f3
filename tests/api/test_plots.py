"""fit.plot(): asreml's residual diagnostics (residuals vs fitted, normal QQ, histogram,
residuals vs units; coloured by a factor).

The drawn data are read back from the Agg figure and compared with the fit's residuals and
fitted values, with normal quantiles at R's ppoints computed here from the formula
(n > 10: (i − 1/2)/n) and R's qqline through the quartiles.
"""

from __future__ import annotations

import sys

import matplotlib
import numpy as np
import pandas as pd
import pytest
from scipy import stats

import asr_py as asr
from asr_py.errors import AsrError

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(scope="module")
def uni(dt_example: pd.DataFrame) -> asr.AsremlFit:
    return asr.asreml("Yield ~ Env", "~ Name", data=dt_example)


@pytest.fixture(scope="module")
def biv(dt_example: pd.DataFrame) -> asr.AsremlFit:
    return asr.asreml("cbind(Yield, Weight) ~ trait + trait:Env", "~ us(trait):Name",
                      "~ units:us(trait)", data=dt_example)


@pytest.fixture(autouse=True)
def _close() -> object:
    yield
    plt.close("all")


def scatter_points(ax: plt.Axes) -> np.ndarray:
    return np.vstack([c.get_offsets() for c in ax.collections])


def test_all_has_four_panels_with_every_record(uni: asr.AsremlFit) -> None:
    fig = uni.plot()
    assert isinstance(fig, matplotlib.figure.Figure) and len(fig.axes) == 4
    n = uni.residuals.size
    res_ax, qq_ax, hist_ax, units_ax = fig.axes
    units = scatter_points(units_ax)
    np.testing.assert_allclose(units[:, 0], np.arange(1, n + 1))
    np.testing.assert_allclose(units[:, 1], uni.residuals.to_numpy())
    pts = scatter_points(res_ax)
    assert pts.shape == (n, 2)
    np.testing.assert_allclose(pts[:, 0], uni.fitted.to_numpy())
    np.testing.assert_allclose(pts[:, 1], uni.residuals.to_numpy())
    assert scatter_points(qq_ax).shape == (n, 2)
    assert sum(p.get_height() for p in hist_ax.patches) == n


def test_qq_points_and_line(uni: asr.AsremlFit) -> None:
    fig = uni.plot("qq")
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    pts = scatter_points(ax)
    e = np.sort(uni.residuals.to_numpy())
    n = e.size
    x = stats.norm.ppf((np.arange(1, n + 1) - 0.5) / n)
    np.testing.assert_allclose(pts[:, 0], x)
    np.testing.assert_allclose(pts[:, 1], e)
    # R's qqline: through (Φ⁻¹(1/4), Q1) and (Φ⁻¹(3/4), Q3)
    (line,) = ax.get_lines()
    q1, q3 = np.percentile(e, [25, 75])
    z1, z3 = stats.norm.ppf([0.25, 0.75])
    slope = (q3 - q1) / (z3 - z1)
    x0, y0 = line.get_xy1()
    assert line.get_slope() == pytest.approx(slope)
    assert y0 + slope * (z1 - x0) == pytest.approx(q1)


def test_small_sample_ppoints() -> None:
    from asr_py.results.plots import ppoints

    np.testing.assert_allclose(ppoints(4), (np.arange(1, 5) - 3 / 8) / (4 + 1 / 4))
    np.testing.assert_allclose(ppoints(20), (np.arange(1, 21) - 0.5) / 20)


def test_hist_counts(uni: asr.AsremlFit) -> None:
    fig = uni.plot("hist")
    ax = fig.axes[0]
    heights = np.array([p.get_height() for p in ax.patches])
    edges = np.histogram_bin_edges(uni.residuals.to_numpy(), bins="auto")
    np.testing.assert_array_equal(heights, np.histogram(uni.residuals.to_numpy(), edges)[0])


def test_multivariate_one_series_per_trait(biv: asr.AsremlFit) -> None:
    fig = biv.plot("residuals")
    ax = fig.axes[0]
    assert len(ax.collections) == 2
    counts = [len(c.get_offsets()) for c in ax.collections]
    traits = biv.residuals.index.get_level_values("trait")
    assert counts == [int((traits == "Yield").sum()), int((traits == "Weight").sum())]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Yield", "Weight"]


def test_draws_on_given_axes(uni: asr.AsremlFit) -> None:
    fig, ax = plt.subplots()
    assert uni.plot("residuals", ax=ax) is fig
    assert len(ax.collections) == 1
    fig4, axes = plt.subplots(2, 2)
    assert uni.plot("all", ax=axes) is fig4
    assert all(len(a.collections) + len(a.patches) > 0 for a in axes.ravel())
    with pytest.raises(AsrError, match="4 panel"):
        uni.plot("all", ax=ax)


def test_colour_by_a_factor_and_residual_type(uni: asr.AsremlFit,
                                               dt_example: pd.DataFrame) -> None:
    fig = uni.plot("residuals", by="Env", type="stdCond")
    ax = fig.axes[0]
    env = dt_example.loc[uni.residuals.index, "Env"].astype(str)
    levels = list(dict.fromkeys(env))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == levels
    std = uni.resid("stdCond")
    for coll, lv in zip(ax.collections, levels):
        np.testing.assert_allclose(coll.get_offsets()[:, 1], std[(env == lv).to_numpy()])
    assert "stdCond" in ax.get_ylabel()
    with pytest.raises(asr.DataError, match="no column 'Site'"):
        uni.plot(by="Site")


def test_bad_kind(uni: asr.AsremlFit) -> None:
    with pytest.raises(AsrError, match="unknown kind 'qqplot'"):
        uni.plot("qqplot")


def test_missing_matplotlib_is_a_clear_error(uni: asr.AsremlFit,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match="needs matplotlib") as info:
        uni.plot()
    assert isinstance(info.value, AsrError) and "pip install matplotlib" in str(info.value)


def test_missing_responses_are_left_out_of_the_panels(dt_example: pd.DataFrame) -> None:
    """With missing responses ``m.residuals`` has one entry per data row (NaN there); the
    panels show the records fitted, paired with their own fitted values."""
    d = dt_example.copy()
    d.loc[d.index[[2, 9, 30]], "Yield"] = np.nan
    m = asr.asreml("Yield ~ Env", "~ Name", data=d)
    e = m.residuals.dropna()
    for kind in ("response", "stdCond"):
        pts = scatter_points(m.plot("residuals", type=kind).axes[0])
        assert pts.shape == (len(d) - 3, 2)
    pts = scatter_points(m.plot("residuals").axes[0])
    np.testing.assert_allclose(pts[:, 1], e.to_numpy())
    np.testing.assert_allclose(pts[:, 0], m.fitted[e.index].to_numpy())
