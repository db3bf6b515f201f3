"""and() in the fixed formula (asreml's overlay): ``y ~ yr + h1 + and(h2)`` fits one term whose
design is indicator(h1) + c·indicator(h2) over the union of levels.

Checked against an independent construction: the same model written with hand-made count
columns n_l = [h1 = l] + c·[h2 = l] as covariates (same column space, so the same REML ℓ, the
same fitted values, and the term's Wald statistic equals the sum of the counts' incremental
ones); predictions against the hand computation from the coefficients; errors at the caret.
This is how asreml 3 fits a marker's two haplotypes (SushanRu/MASS_validation_source_code
S1a_model_selection.R, `TA10 ~ 1 + YearPl + MaH1 + and(MaH2)`: one Wald row MaH1 with the
union's levels less one as df).
"""

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import FormulaError

LEVELS = list("pqrst")


def _haplotypes(seed: int = 1, n: int = 90) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"h1": rng.choice(LEVELS[:4], n), "h2": rng.choice(LEVELS, n),
                       "yr": rng.choice(["y1", "y2", "y3"], n)})
    eff = dict(zip(LEVELS, [0.0, 1.0, -1.0, 2.0, 0.5]))
    df["y"] = df.h1.map(eff) + df.h2.map(eff) + rng.normal(size=n)
    return df


def _counts(df: pd.DataFrame, times: float) -> tuple[pd.DataFrame, list[str]]:
    out = df.copy()
    names = []
    for lv in LEVELS:
        out[f"n_{lv}"] = (df.h1 == lv).astype(float) + times * (df.h2 == lv).astype(float)
        names.append(f"n_{lv}")
    return out, names


@pytest.mark.parametrize("times", [1.0, 0.5, -1.0])
def test_fixed_and_equals_hand_made_count_columns(times: float) -> None:
    df = _haplotypes()
    arg = "" if times == 1.0 else f", times = {times}"
    m = asr.asreml(f"y ~ 1 + yr + h1 + and(h2{arg})", data=df)
    dc, names = _counts(df, times)
    # with the intercept one count column is redundant when times = 1 (rows sum to 2);
    # the first is dropped as the overlay's first level is
    m2 = asr.asreml("y ~ 1 + yr + " + " + ".join(names[1:]), data=dc)
    assert m.loglik == pytest.approx(m2.loglik, abs=1e-9)
    assert np.allclose(m.fitted, m2.fitted, atol=1e-9)
    w, w2 = m.wald(), m2.wald()
    assert int(w.loc["h1", "Df"]) == len(LEVELS) - 1
    assert w.loc["h1", "Wald statistic"] == pytest.approx(
        sum(w2.loc[nm, "Wald statistic"] for nm in names[1:]), rel=1e-9)
    # the term's columns: the union's levels, h1's first (dropped by the contrast), then h2's
    assert [c for c in m.coef_fixed.index if c.startswith("h1_")] == [
        f"h1_{lv}" for lv in LEVELS[1:]]


def test_fixed_and_predictions_are_the_overlaid_rows() -> None:
    df = _haplotypes(seed=2)
    m = asr.asreml("y ~ 1 + yr + h1 + and(h2)", data=df)
    b = m.coef_fixed["solution"]
    eff = {lv: b.get(f"h1_{lv}", 0.0) for lv in LEVELS}
    base = b["(Intercept)"] + (b["yr_y2"] + b["yr_y3"]) / 3  # yr averaged over its levels
    p = m.predict(classify="h1:h2")
    want = [base + eff[a] + eff[c] for a, c in zip(p["h1"], p["h2"])]
    assert np.allclose(p["predicted.value"], want, atol=1e-9)
    p1 = m.predict(classify="h1")  # h2 averaged over its 5 levels
    want1 = [base + eff[a] + np.mean([eff[c] for c in LEVELS]) for a in p1["h1"]]
    assert np.allclose(p1["predicted.value"], want1, atol=1e-9)


def test_fixed_and_fit_does_not_depend_on_row_order_or_level_labels() -> None:
    df = _haplotypes(seed=3)
    m = asr.asreml("y ~ 1 + yr + h1 + and(h2)", data=df)
    relabel = {lv: f"L{9 - i}" for i, lv in enumerate(LEVELS)}
    d2 = df.sample(frac=1.0, random_state=5).assign(
        h1=lambda d: d.h1.map(relabel), h2=lambda d: d.h2.map(relabel))
    m2 = asr.asreml("y ~ 1 + yr + h1 + and(h2)", data=d2)
    assert m.loglik == pytest.approx(m2.loglik, abs=1e-9)
    assert m.wald().loc["h1", "Wald statistic"] == pytest.approx(
        m2.wald().loc["h1", "Wald statistic"], rel=1e-9)


@pytest.mark.parametrize("fixed, words", [
    ("y ~ and(h2) + h1", "no previous term"),
    ("y ~ yr:h1 + and(h2)", "must be one factor"),
    ("y ~ x + and(h2)", "is a covariate"),
    ("y ~ h1 + yr:and(h2)", "term on its own"),
])
def test_fixed_and_misuse_is_a_caret_error(fixed: str, words: str) -> None:
    df = _haplotypes().assign(x=lambda d: np.arange(len(d), dtype=float))
    with pytest.raises(FormulaError) as e:
        asr.asreml(fixed, data=df)
    assert words in str(e.value) and "^" in str(e.value)
