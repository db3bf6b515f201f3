"""The dense MME score of a Kronecker residual R = σ² Σ_c ⊗ Σ_r (reml/dense_mme.py:
kron_sections): tr(C⁻¹W'M_kW) as Σ_ij (M_k)_ij (WC⁻¹W')_ij contracted part by part and
ê'M_kê by Kronecker products, never an n x n M_k. At one θ away from the optimum the score
equals the one from W'M_kW formed in full (the path before, 1e-10) and central differences
of the independent dense-V REML ℓ (tests/_dense_reml.py); also with the records in another
order than the product's (Col outer, data Row-major: a permuting Subset)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _dense_reml import reml_loglik

import asr_py as asr
import asr_py.reml.mme as mme_mod
from asr_py.reml import dense_mme


def _field(seed: int = 5, nr: int = 9, nc: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({"Row": pd.Categorical(np.repeat(np.arange(1, nr + 1), nc).astype(str),
                                            categories=[str(i) for i in range(1, nr + 1)]),
                      "Col": pd.Categorical(np.tile(np.arange(1, nc + 1), nr).astype(str),
                                            categories=[str(i) for i in range(1, nc + 1)])})
    d["geno"] = [f"G{g:02d}" for g in rng.permutation(np.arange(nr * nc) % 30)]
    d["y"] = (3 + rng.standard_normal(30)[d["geno"].str[1:].astype(int)]
              + rng.standard_normal(nr * nc) + np.sin(np.repeat(np.arange(nr), nc) / 2.0))
    return d


@pytest.mark.parametrize("resid", ["~ ar2(Row):ar2(Col)", "~ ar1(Row):ar3(Col)",
                                   "~ sar2(Col):ar2(Row)"])  # the last: records permuted
def test_kron_residual_score(monkeypatch, resid: str) -> None:
    d = _field()
    probs = []
    orig = mme_mod.MME.__init__
    monkeypatch.setattr(mme_mod.MME, "__init__",
                        lambda self, p, *a, **k: probs.append(p) or orig(self, p, *a, **k))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = asr.asreml(fixed="y ~ 1", random="~ geno", residual=resid, data=d, maxit=2)
    prob = probs[0]
    th = np.asarray(fit.result.theta, dtype=float)
    used = []
    orig_k = dense_mme.kron_sections
    monkeypatch.setattr(dense_mme, "kron_sections",
                        lambda *a: (lambda r: used.append(r is not None) or r)(orig_k(*a)))
    monkeypatch.setattr(dense_mme, "DENSE_MME_MIN_EQUATIONS_DENSE_R", 0)
    monkeypatch.setattr(dense_mme, "DENSE_MME_MIN_EQUATIONS", 0)
    m = mme_mod.MME(prob)
    st = m.evaluate(th)
    assert st.pattern is None
    s_new, ai_new = m.score_ai(st)
    assert used and all(used)
    permuted = dense_mme.permutation_of(prob.residual) is not None
    assert permuted == resid.startswith("~ sar2(Col)")
    monkeypatch.setattr(dense_mme, "kron_sections", lambda *a: None)  # W'M_kW in full
    m2 = mme_mod.MME(prob)
    st2 = m2.evaluate(th)
    s_old, ai_old = m2.score_ai(st2)
    np.testing.assert_allclose(s_new, s_old, rtol=1e-10, atol=1e-12 * np.abs(s_old).max())
    np.testing.assert_array_equal(ai_new, ai_old)
    # independent: central differences of the dense-V ℓ (V = σ²_g ZZ' + R from the template
    # matrices, REML on V by numpy)
    y = np.asarray(prob.y, dtype=float)
    X = np.asarray(prob.X.toarray() if hasattr(prob.X, "toarray") else prob.X, dtype=float)
    z = prob.random[0].Z.toarray()

    def ll(t: np.ndarray) -> float:
        g = prob.random[0].template.matrix(t[:prob.residual_offset])
        g = g.toarray() if hasattr(g, "toarray") else np.asarray(g)
        r = prob.residual.matrix(t[prob.residual_offset:])
        r = r.toarray() if hasattr(r, "toarray") else np.asarray(r)
        return reml_loglik(y, X, z @ g @ z.T + r)

    assert st.loglik == pytest.approx(ll(th), rel=1e-10)
    h = 1e-5 * np.maximum(np.abs(th), 1e-2)
    fd = np.array([(ll(th + hk * e) - ll(th - hk * e)) / (2 * hk)
                   for hk, e in zip(h, np.eye(th.size))])
    np.testing.assert_allclose(s_new, fd, rtol=1e-5, atol=1e-6 * np.abs(fd).max())
