"""asreml 4's row names of fa(f, k):g parameters in ``summary(fit)$varcomp`` and
``fit$vparameters``: the term is labelled by its structure call and each row by the bare
level, ``fa(site, 2):female!101!var``, ``fa(site, 2):female!101!fa1``, ``...!101!fa2``.

Evidence: asreml-R 4 output printed in lfelipe-ferrao/lfelipe-ferrao.github.io,
class/quantGenetic/week11_2022b.html (``summary(fit)$varcomp`` of
``random = ~ fa(site, 1):female`` and ``~ fa(site, 2):female``). asr_py's own m.varcomp keeps
its names (``site:female!site_101!var``); the values are checked to be the same parameters.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.translate.runtime import r_sigma2, r_varcomp, r_vparameters


@pytest.fixture(scope="module")
def met() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    lam = np.array([[1.0, 0.0], [0.8, 0.5], [1.1, -0.4], [0.6, 0.7]])
    f = rng.normal(size=(30, 2))
    rows = []
    for s in range(4):
        for g in range(30):
            for _r in range(2):
                rows.append((str(101 + s), f"F{g}", 5 + s + lam[s] @ f[g] + rng.normal(0, 0.5)))
    return pd.DataFrame(rows, columns=["site", "female", "y"]).astype(
        {"site": "category", "female": "category"})


@pytest.mark.parametrize("k", [1, 2])
def test_fa_rows_named_as_asreml4(met: pd.DataFrame, k: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = asr.asreml("y ~ site", random=f"~ fa(site, {k}):female", data=met, maxit=30)
    vp = r_vparameters(m)
    vc = r_varcomp(m)
    head = f"fa(site, {k}):female!"
    levels = ["101", "102", "103", "104"]
    want = {f"{head}{lv}!var" for lv in levels} | {
        f"{head}{lv}!fa{j}" for lv in levels for j in range(1, k + 1)}
    assert want <= set(vp.index)
    assert want <= set(vc.index)
    assert not any("site_" in n for n in vp.index)
    # the same parameters as asr_py's own names (values unchanged, ratio scale in vp)
    own = m.varcomp["component"]
    s2 = r_sigma2(m)
    for lv in levels:
        assert vc.loc[f"{head}{lv}!var", "component"] == own[f"site:female!site_{lv}!var"]
        np.testing.assert_allclose(vp[f"{head}{lv}!var"] * s2,
                                   own[f"site:female!site_{lv}!var"], rtol=1e-12)
        for j in range(1, k + 1):
            np.testing.assert_allclose(vp[f"{head}{lv}!fa{j}"] * np.sqrt(s2),
                                       own[f"site:female!site_{lv}!fa{j}"], rtol=1e-12)


def test_translated_script_greps_fa_rows(met: pd.DataFrame) -> None:
    """A script reading the loadings by asreml's names (snippet 35_fa_names_grep.R)."""
    r = ('m <- asreml(y ~ site, random = ~ fa(site, 2):female, data = d, maxit = 30)\n'
         'vc <- summary(m)$varcomp\n'
         'fa1 <- vc[grepl("^fa\\\\(site, 2\\\\):female!.*!fa1$", rownames(vc)), "component"]\n'
         'psi <- vc[grepl("!var$", rownames(vc)), "component"]\n'
         'v101 <- vc["fa(site, 2):female!101!var", "component"]\n')
    py = asr.translate(r)
    ns: dict = {"d": met}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(py, "t.py", "exec"), ns)  # noqa: S102
    own = ns["m"].varcomp["component"]
    lev = ["101", "102", "103", "104"]
    np.testing.assert_allclose(np.asarray(ns["fa1"], dtype=float),
                               [own[f"site:female!site_{lv}!fa1"] for lv in lev])
    np.testing.assert_allclose(np.asarray(ns["psi"], dtype=float),
                               [own[f"site:female!site_{lv}!var"] for lv in lev])
    assert float(np.asarray(ns["v101"]).ravel()[0]) == own["site:female!site_101!var"]
