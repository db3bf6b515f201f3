"""``m$aom$R[, 2]`` of a fit the translator lost track of (``m <- keepGoing(m)``, a function
of the script's own that returns its argument): was ``m['aom']`` ("'AsremlFit' object is not
subscriptable"; smallgrains-uiuc Big6 single trial analysis 2023.R), now read when the
script runs (r_dollar -> rsubname.fit_dollar). The values are checked against the fit's own
aom() statistics, computed directly (asr_py.results.residual_diagnostics)."""

import numpy as np
import pandas as pd

from asr_py.translate import translate


def _data() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    g = np.repeat([f"g{i}" for i in range(8)], 3)
    y = 10 + np.repeat(rng.normal(0, 1, 8), 3) + rng.normal(0, 0.5, 24)
    return pd.DataFrame({"gen": g, "y": y})


def test_aom_of_a_fit_returned_by_a_function_of_the_script() -> None:
    code = ("keepGoing <- function(m) { m }\n"
            "asreml.options(aom = TRUE)\n"
            "m <- asreml(y ~ 1, random = ~ gen, data = d)\n"
            "m <- keepGoing(m)\n"
            "r2 <- m$aom$R[, 2]\n")
    py = translate(code)
    assert "m['aom']" not in py
    ns: dict = {"d": _data()}
    exec(compile(py, "t", "exec"), ns)  # noqa: S102 - the translation under test
    from asr_py.translate.rasremlaom import r_aom
    want = r_aom(ns["m"])["R"].iloc[:, 1].to_numpy()
    np.testing.assert_allclose(np.asarray(ns["r2"], dtype=float), want)
    assert len(want) == 24 and np.isfinite(want).all()
