"""predict(classify='(Intercept)') (asreml's overall mean): the equally weighted average of
the Env predictions, its SE from their covariance matrix."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import asr_py as asr

DATA = Path(__file__).resolve().parents[1] / "data"


def test_intercept_classify_is_the_average_over_fixed_factors() -> None:
    df = pd.read_csv(DATA / "DT_example.csv")
    m = asr.asreml("Yield ~ Env", random="~ Name", data=df)
    overall = m.predict(classify="(Intercept)")
    assert len(overall) == 1
    env = m.predict(classify="Env", vcov=True)
    v = np.asarray(env.attrs["vcov"], dtype=float)
    assert overall["predicted.value"].iloc[0] == pytest.approx(
        env["predicted.value"].mean(), rel=1e-12)
    se = np.sqrt(v.sum()) / len(env)
    assert overall["std.error"].iloc[0] == pytest.approx(se, rel=1e-8)


def test_classify_as_a_list_is_a_clear_error() -> None:
    """asreml 3 scripts pass ``classify = list("a", "b", "a:b")``: one string per call is
    what predict() takes, said plainly (was an AttributeError from str.split)."""
    df = pd.read_csv(DATA / "DT_example.csv")
    m = asr.asreml("Yield ~ Env", random="~ Name", data=df)
    with pytest.raises(asr.AsrError, match="one string") as err:
        m.predict(classify=["Env", "Name"])
    assert "once for each" in (err.value.hint or "")


def test_intercept_without_parentheses_as_asreml42_takes_it() -> None:
    """asreml 4.2 takes classify = "Intercept" too: asremlPlus's
    test42PredictionsPresentation.r records 103.9722 for Yield ~ Nitrogen*Variety,
    random = ~ Blocks/Wplots on Yates' oats (a balanced design: the grand mean)."""
    oats = pd.read_csv(DATA / "DT_yatesoats.csv", dtype={c: str for c in
                                                          ("row", "col", "N", "V", "B", "MP")})
    oats["Wplots"] = oats["B"] + "." + oats["V"]
    m = asr.asreml("Y ~ N*V", random="~ B/Wplots", data=oats)
    plain = m.predict(classify="Intercept")
    paren = m.predict(classify="(Intercept)")
    assert len(plain) == 1
    assert plain["predicted.value"].iloc[0] == pytest.approx(103.9722, abs=1e-4)
    assert plain["predicted.value"].iloc[0] == pytest.approx(oats["Y"].mean(), rel=1e-10)
    assert plain["std.error"].iloc[0] == pytest.approx(paren["std.error"].iloc[0], rel=1e-12)


def test_a_variable_named_intercept_is_classified_by() -> None:
    df = pd.read_csv(DATA / "DT_example.csv")
    df["Intercept"] = df["Env"]
    m = asr.asreml("Yield ~ Intercept", random="~ Name", data=df)
    assert len(m.predict(classify="Intercept")) == df["Env"].nunique()
