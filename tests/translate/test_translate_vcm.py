"""translate(): asreml(vcm = vcm.lm(~ f, data = sv$vparameters.table)) becomes
vcm=asr.vcm_lm('~ f', sv); the translated script is EXECUTED and compared with a direct
constrained fit; another vcm object is passed through with a TODO."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.translate import translate

SCRIPT = """library(asreml)
sv <- asreml(Yield ~ Env, random = ~ Name + Env:Name, data = d, start.values = TRUE)
tab <- sv$vparameters.table
tab$f <- c(1, 1, NA)
m <- asreml(Yield ~ Env, random = ~ Name + Env:Name, data = d, vcm = vcm.lm(~ f, data = tab))
"""


def test_vcm_lm_script_runs_and_fits_the_constrained_model() -> None:
    py = translate(SCRIPT)
    assert "vcm=asr.vcm_lm('~ f', tab)" in py
    assert "TODO" not in py.split("vcm_lm")[0].split("\n")[-1]
    with resources.as_file(resources.files("asr_py.data").joinpath("DT_example.csv")) as p:
        d = pd.read_csv(p, dtype={c: str for c in ("Name", "Env", "Loc", "Year", "Block")})
    ns: dict = {"d": d}
    exec(compile(py, "<translated>", "exec"), ns)  # noqa: S102
    direct = asr.asreml("Yield ~ Env", random="~ Name + Env:Name", data=d,
                        vcm={"g": ["Name", "Env:Name"]})
    assert ns["m"].loglik == pytest.approx(direct.loglik, abs=1e-9)
    np.testing.assert_allclose(ns["m"].varcomp["component"], direct.varcomp["component"],
                               rtol=1e-8)


def test_other_vcm_objects_pass_through_with_a_note() -> None:
    py = translate("m <- asreml(y ~ 1, random = ~ a + b, data = d, vcm = vc)\n")
    assert "vcm=vc, na_action={'x': 'fail'})" in py
    assert "TODO(asr_py): asreml(vcm = vc): passed as vcm=" in py
