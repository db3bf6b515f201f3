"""predict(only=...) and a classify naming a vm() term (asreml-R's ``predict(m, classify =
"vm(gen, A)", only = "vm(gen, A)")``, AparicioJohan/trainingMM 08_gblup_LMM.R).

``only=`` keeps the terms it names and ignores every other one (the intercept too), so
``only = "vm(gen, A)"`` gives the BLUPs ĝ with standard errors sqrt(PEV) = sqrt(diag of the
genotype block of C⁻¹). Reference: the mixed-model equations built here in numpy with
A⁻¹ = inv(A) at the fitted variances (Henderson), independently of asr_py's solver.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import AsrError


@pytest.fixture(scope="module")
def rcbd():
    rng = np.random.default_rng(5)
    ids = [f"g{i}" for i in range(6)]
    B = rng.normal(size=(6, 6))
    A = B @ B.T / 6 + np.eye(6)
    d = pd.DataFrame([(g, b) for g in ids[:5] for b in ("1", "2", "3")], columns=["gen", "block"])
    u = np.linalg.cholesky(A) @ rng.normal(size=6)
    d["y"] = 5 + (d["block"] == "2") * 0.4 + u[[ids.index(g) for g in d["gen"]]] \
        + rng.normal(scale=0.7, size=len(d))
    A = pd.DataFrame(A, index=ids, columns=ids)
    fit = asr.asreml("y ~ 1 + block", random="~ vm(gen, A)", data=d, A=A)
    return d, A, ids, fit


def _mme(d: pd.DataFrame, A: pd.DataFrame, ids: list[str], s2g: float, s2e: float):
    X = np.column_stack([np.ones(len(d)), (d["block"] == "2").to_numpy(float),
                         (d["block"] == "3").to_numpy(float)])
    Z = np.column_stack([(d["gen"] == i).to_numpy(float) for i in ids])
    W = np.hstack([X, Z])
    C = W.T @ W / s2e
    C[3:, 3:] += np.linalg.inv(A.to_numpy()) / s2g
    Ci = np.linalg.inv(C)
    return Ci @ (W.T @ d["y"].to_numpy() / s2e), Ci


def test_only_the_vm_term_gives_blups_and_sqrt_pev(rcbd):
    d, A, ids, fit = rcbd
    s2g, s2e = fit.varcomp["component"].to_numpy()
    b, Ci = _mme(d, A, ids, s2g, s2e)
    p = fit.predict(classify="vm(gen, A)", only="vm(gen, A)")
    # the column is named by the term, as asreml's pvals (AparicioJohan/trainingMM's rendered
    # docs/pages/07_PBLUP.html prints it, through as.data.frame, as vm.gen..A.)
    assert list(p["vm(gen, A)"]) == ids          # g5 has no record: its BLUP from A alone
    np.testing.assert_allclose(p["predicted.value"], b[3:], atol=1e-6)
    np.testing.assert_allclose(p["std.error"], np.sqrt(np.diag(Ci)[3:]), atol=1e-6)


def test_classify_by_the_vm_term_is_classify_by_its_variable(rcbd):
    d, A, ids, fit = rcbd
    s2g, s2e = fit.varcomp["component"].to_numpy()
    b, Ci = _mme(d, A, ids, s2g, s2e)
    p = fit.predict(classify="vm(gen, A)")
    pg = fit.predict(classify="gen")
    pd.testing.assert_frame_equal(p.rename(columns={"vm(gen, A)": "gen"}), pg)
    L = np.hstack([np.tile([1, 1 / 3, 1 / 3], (6, 1)), np.eye(6)])   # blocks averaged
    np.testing.assert_allclose(p["predicted.value"], L @ b, atol=1e-6)
    np.testing.assert_allclose(p["std.error"], np.sqrt(np.einsum("ij,jk,ik->i", L, Ci, L)),
                               atol=1e-6)


def test_only_a_fixed_factor_leaves_the_intercept_out(rcbd):
    d, A, ids, fit = rcbd
    s2g, s2e = fit.varcomp["component"].to_numpy()
    b, Ci = _mme(d, A, ids, s2g, s2e)
    p = fit.predict(classify="block", only="block")
    # R's treatment contrasts: block 1 is the reference (0), then the two effects
    np.testing.assert_allclose(p["predicted.value"], [0, b[1], b[2]], atol=1e-6)


def test_only_names_an_unknown_term(rcbd):
    fit = rcbd[3]
    with pytest.raises(AsrError, match="only names .vm.gen, K.., which is not a term"):
        fit.predict(classify="gen", only="vm(gen, K)")
