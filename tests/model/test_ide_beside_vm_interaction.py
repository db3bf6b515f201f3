"""asreml 4's ``~ vm(geno, K):corh(env) + ide(geno)`` (a genomic G x E term beside the
non-genomic genotype effect on the ids of K): ide takes the ids of the vm term although the
expansion orders the one-part term first. Checked against a dense-V REML:
V_ij = K[g_i, g_j] Σ[e_i, e_j] + σ²_ide [g_i = g_j] + σ² [i = j], Σ = D((1 - ρ)I + ρJ)D."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_reml import reml_loglik

import asr_py as asr


def test_ide_after_vm_in_an_interaction_matches_dense_reml() -> None:
    rng = np.random.default_rng(11)
    genos = [f"g{i}" for i in range(12)]
    envs = ["E1", "E2", "E3"]
    M = rng.normal(size=(12, 40))
    K = pd.DataFrame(M @ M.T / 40 + 0.05 * np.eye(12), index=genos, columns=genos)
    d = pd.DataFrame([(g, e) for g in genos for e in envs], columns=["geno", "env"])
    u = rng.multivariate_normal(np.zeros(36), np.kron(K.to_numpy(), 0.6 + 0.4 * np.eye(3)))
    d["y"] = u + rng.normal(0, 0.3, 12).repeat(3) + rng.normal(0, 0.5, 36)
    d = d.astype({"geno": "category", "env": "category"})
    # ide() before the interaction in the written order too: the same model
    fit = asr.asreml("y ~ env", random="~ vm(geno, K):corh(env) + ide(geno)", data=d, K=K)
    fit2 = asr.asreml("y ~ env", random="~ ide(geno) + vm(geno, K):corh(env)", data=d, K=K)
    assert fit2.loglik == pytest.approx(fit.loglik, abs=1e-6)
    vc = fit.varcomp["component"]
    rho = vc[[k for k in vc.index if k.endswith("!cor")][0]]
    sd = np.sqrt([vc[[k for k in vc.index if k.endswith(f"_{e}")][0]] for e in envs])
    S = np.outer(sd, sd) * ((1 - rho) * np.eye(3) + rho)
    g = d.geno.cat.codes.to_numpy()
    e = d.env.cat.codes.to_numpy()
    Kd = K.loc[list(d.geno.cat.categories), list(d.geno.cat.categories)].to_numpy()
    V = Kd[np.ix_(g, g)] * S[np.ix_(e, e)] + vc["ide(geno)"] * (g[:, None] == g[None, :]) \
        + vc["units!R"] * np.eye(len(d))
    X = np.column_stack([np.ones(len(d)), e == 1, e == 2]).astype(float)
    assert reml_loglik(d.y.to_numpy(), X, V) == pytest.approx(fit.loglik, abs=1e-6)


def test_vm_reads_asreml_sparse_form_as_the_full_matrix() -> None:
    # ASRgenomics::full2sparse(K): Row, Col, Value of the lower triangle, ids in
    # attr(, "rowNames"); attr(, "INVERSE") <- FALSE says it is K itself. The fit equals
    # the one with the full K.
    from asr_py.errors import MatrixError
    from asr_py.translate.rasrgenomics import r_full2sparse, r_sparse2full

    rng = np.random.default_rng(5)
    genos = [f"g{i}" for i in range(10)]
    M = rng.normal(size=(10, 30))
    K = pd.DataFrame(M @ M.T / 30 + 0.05 * np.eye(10), index=genos, columns=genos)
    d = pd.DataFrame({"geno": np.repeat(genos, 3)})
    d["y"] = rng.normal(size=30) + np.repeat(rng.normal(size=10), 3)
    S = r_full2sparse(K)
    assert list(S.columns) == ["Row", "Col", "Value"] and len(S) == 55
    assert S.iloc[:3, :2].to_numpy().tolist() == [[1, 1], [2, 1], [2, 2]]
    pd.testing.assert_frame_equal(r_sparse2full(S), K)
    with pytest.raises(MatrixError, match="INVERSE"):
        asr.asreml("y ~ 1", random="~ vm(geno, S)", data=d, S=S)
    S.attrs["inverse"] = False
    full = asr.asreml("y ~ 1", random="~ vm(geno, K)", data=d, K=K)
    sparse = asr.asreml("y ~ 1", random="~ vm(geno, S)", data=d, S=S)
    assert sparse.loglik == pytest.approx(full.loglik, abs=1e-8)
