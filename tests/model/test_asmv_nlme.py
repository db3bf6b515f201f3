"""The asmv model against a peer: nlme::lme's REML fit of the same model, recorded by
scripts/record_asmv_nlme.R into asmv_nlme.json (R 4.2.2, nlme 3.1-162): sommer's DT_example
in long format, each plot's Yield and Weight consecutive, ``y ~ trait + trait:Env``,
us(trait) per Name (nlme: pdSymm) and us(trait) within a plot (nlme: corSymm within
Name/unit with varIdent by trait)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import asr_py as asr

HERE = Path(__file__).parent
DATA = HERE.parent / "data" / "DT_example.csv"


def _long() -> pd.DataFrame:
    d = pd.read_csv(DATA)
    n = len(d)
    return pd.DataFrame({"Name": np.repeat(d["Name"].to_numpy(), 2),
                         "Env": np.repeat(d["Env"].to_numpy(), 2),
                         "trait": np.tile(["Yield", "Weight"], n),
                         "y": np.column_stack([d["Yield"], d["Weight"]]).ravel()})


def test_asmv_matches_nlme() -> None:
    ref = json.loads((HERE / "asmv_nlme.json").read_text())
    fit = asr.asreml("y ~ trait + trait:Env", random="~ us(trait):Name",
                     residual="~ units:us(trait)", data=_long(), asmv="trait")
    assert fit.converged
    vc = fit.varcomp["component"].to_numpy()
    G = np.array([[vc[0], vc[1]], [vc[1], vc[2]]])       # trait levels Weight, Yield
    R = np.array([[vc[3], vc[4]], [vc[4], vc[5]]])
    assert fit.loglik == pytest.approx(ref["loglik"], abs=1e-6)   # the same REML ℓ
    np.testing.assert_allclose(G, np.array(ref["G"]), rtol=1e-4)
    np.testing.assert_allclose(R, np.array(ref["Rmat"]), rtol=1e-4)
    # the trait means of Env CA.2011 (the reference level): nlme's intercept (+ Yield)
    p = fit.predict(classify="trait:Env").set_index(["trait", "Env"])["predicted.value"]
    b = ref["fixef"]
    assert p[("Weight", "CA.2011")] == pytest.approx(b["(Intercept)"], rel=1e-4)
    assert p[("Yield", "CA.2011")] == pytest.approx(b["(Intercept)"] + b["traitYield"],
                                                    rel=1e-4)
