"""The numbers printed in docs/getting-started.md are what the code gives."""

from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import asr_py as asr

DOC = (Path(__file__).resolve().parents[2] / "docs" / "getting-started.md").read_text(
    encoding="utf-8")


@pytest.fixture(scope="module")
def df():
    with resources.as_file(resources.files("asr_py.data").joinpath("DT_example.csv")) as p:
        return pd.read_csv(p, dtype={c: str for c in ("Name", "Env", "Loc", "Year", "Block")})


def _in_doc(x: float, digits: int = 6) -> bool:
    return f"{x:.{digits}f}" in DOC


def test_first_fit_numbers(df):
    m = asr.asreml("Yield ~ Env", random="~ Name", data=df)
    assert f"loglik={m.loglik:.4f}" in DOC
    vc = m.varcomp
    assert all(_in_doc(v) for v in vc["component"]) and all(_in_doc(v) for v in vc["std.error"])
    assert all(_in_doc(v) for v in m.coef_fixed["solution"])
    assert all(_in_doc(v) for v in m.coef_random["solution"].iloc[:3])
    assert all(_in_doc(v) for v in m.predict(classify="Env")["predicted.value"])
    h2 = m.vpredict("H2 ~ V1 / (V1 + V2)")
    assert _in_doc(h2.iloc[0, 0]) and _in_doc(h2.iloc[0, 1])
    # H2 by hand from the components
    assert h2.iloc[0, 0] == pytest.approx(vc["component"].iloc[0] / vc["component"].sum())
    assert f"{m.loglik:.4f} {m.aic:.4f} {m.bic:.4f}" in DOC
    # AIC/BIC with k = 2 estimated parameters and n - p = 185 - 3
    assert m.aic == pytest.approx(-2 * m.loglik + 4)
    assert m.bic == pytest.approx(-2 * m.loglik + 2 * np.log(182))
    big = asr.asreml("Yield ~ Env", random="~ us(Env):Name", data=df)
    assert f"{asr.lrt(m, big)['LR-statistic'].iloc[0]:.4g}" in DOC


def test_start_values_and_params(df):
    sv = asr.asreml("Yield ~ Env", random="~ Name", data=df, start_values=True)
    assert all(_in_doc(v) for v in sv["Value"])
    sv.loc[sv["Component"] == "Name", ["Value", "Constraint"]] = [20.0, "F"]
    fixed = asr.asreml("Yield ~ Env", random="~ Name", data=df, params=sv)
    assert _in_doc(fixed.varcomp["component"].iloc[1])
    assert fixed.varcomp["component"].iloc[0] == 20.0
    # a dict sets start values only: same optimum as the default start
    a = asr.asreml("Yield ~ Env", random="~ Name", data=df, params={"Name": 5.0, "units!R": 10.0})
    b = asr.asreml("Yield ~ Env", random="~ Name", data=df)
    np.testing.assert_allclose(a.varcomp["component"], b.varcomp["component"], rtol=1e-6)
    with pytest.raises(asr.DataError, match="unknown component 'units'"):
        asr.asreml("Yield ~ Env", random="~ Name", data=df, params={"units": 1.0})


def test_trace_lines(df, capsys):
    m = asr.asreml("Yield ~ Env", random="~ Name", data=df, trace=True)
    lines = capsys.readouterr().err.splitlines()
    err = [ln for ln in lines if ln.startswith("iteration")]
    assert len(err) == len(m.iterations)
    for line in err:
        ll = line.split("loglik")[1].split()[0]
        assert f"loglik {ll}" in DOC
    # the path line ('auto' says which and why) and the closing line, as the doc shows them
    for line in (lines[0], lines[-1]):
        assert line.split("] ", 1)[1].split(",")[0] in DOC
