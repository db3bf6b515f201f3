"""asr.asreml picks the GRM eigendecomposition path for one vm(id, K) term with one record
per id (and trait); the fit equals the general dense path (same model, solver='dense')."""

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import ModelError


def _gblup(n: int = 120, m: int = 300, seed: int = 5) -> tuple[pd.DataFrame, object]:
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.1, 0.9, m)
    M = rng.binomial(2, p, size=(n, m)).astype(float)
    ids = [f"L{i:03d}" for i in range(n)]
    G = asr.gmatrix(pd.DataFrame(M, index=ids), ridge=0.01)
    W = M - M.mean(0)
    b = rng.normal(0, 1, (m, 2)) @ np.array([[1.0, 0.6], [0.0, 0.8]])
    g = W @ b / np.sqrt(m)
    e = rng.normal(0, 1, (n, 2)) * np.sqrt(g.var(0))
    env = rng.choice(["E1", "E2", "E3"], n)
    shift = {"E1": 0.0, "E2": 1.0, "E3": -1.0}
    df = pd.DataFrame({"id": ids, "env": env,
                       "y1": 10 + g[:, 0] + e[:, 0] + [shift[v] for v in env],
                       "y2": 5 + g[:, 1] + e[:, 1]})
    return df.sample(frac=1.0, random_state=1).reset_index(drop=True), G


@pytest.mark.parametrize("kind", ["univariate", "bivariate"])
def test_auto_uses_eigen_and_matches_dense(kind):
    df, G = _gblup()
    if kind == "univariate":
        kw = dict(fixed="y1 ~ env", random="~ vm(id, G)", data=df, G=G)
    else:
        kw = dict(fixed="cbind(y1, y2) ~ trait + trait:env", random="~ us(trait):vm(id, G)",
                  residual="~ units:us(trait)", data=df, G=G)
    fast = asr.asreml(**kw)
    slow = asr.asreml(**kw, solver="dense")
    assert fast.result.solver == "eigen" and slow.result.solver == "dense"
    assert fast.converged and slow.converged
    assert fast.loglik == pytest.approx(slow.loglik, abs=1e-6)
    np.testing.assert_allclose(fast.varcomp["component"], slow.varcomp["component"],
                               rtol=1e-5)
    np.testing.assert_allclose(fast.coef_random["solution"], slow.coef_random["solution"],
                               rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(fast.coef_random["std.error"], slow.coef_random["std.error"],
                               rtol=1e-4)
    np.testing.assert_allclose(fast.coef_fixed["std.error"], slow.coef_fixed["std.error"],
                               rtol=1e-4)
    cls = "env" if kind == "univariate" else "trait"
    pf, ps = fast.predict(classify=cls), slow.predict(classify=cls)
    np.testing.assert_allclose(pf["predicted.value"], ps["predicted.value"], rtol=1e-6)
    np.testing.assert_allclose(pf["std.error"], ps["std.error"], rtol=1e-4)


def test_eigen_refused_with_reason_when_not_applicable():
    df, G = _gblup()
    rep = pd.concat([df, df.assign(y1=df["y1"] + 0.1)], ignore_index=True)
    with pytest.raises(ModelError, match="eigen"):
        asr.asreml("y1 ~ env", random="~ vm(id, G)", data=rep, G=G, solver="eigen")
    m = asr.asreml("y1 ~ env", random="~ vm(id, G)", data=rep, G=G)
    assert m.converged and m.result.solver != "eigen"
