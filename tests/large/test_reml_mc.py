"""asr.reml_mc: Monte Carlo AI-REML by PCG, against exact REML.

Independent references: asr.asreml's exact REML (direct sparse factorization) of the same
model; the exact REML score, expected information, tr(A^{-1} C^{uu}) and tr(P) from dense
numpy algebra on V = sigma_a^2 Z A Z' + sigma_e^2 I (A = the dense inverse of A-inverse); and
A itself for the pedigree sampler."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.large.reml_mc import mc_traces
from asr_py.large.simulate import PedigreeSampler

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from problems import simulate_animal_data, simulate_pedigree  # noqa: E402


def _problem(n: int, gens: int = 6, seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame,
                                                             asr.RelMatrix]:
    ped = simulate_pedigree(n, gens, seed=seed)
    df = simulate_animal_data(ped, seed=seed + 1)        # y1: sigma2_a 1, sigma2_e 2
    df["grp"] = np.random.default_rng(seed).integers(0, 7, len(df)).astype(str)
    pp = ped[["id", "sire", "dam"]]
    return df, pp, asr.ainverse(pp)


def _dense(df: pd.DataFrame, ainv: asr.RelMatrix, fixed: list[str]
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    y = df["y1"].to_numpy(dtype=float)
    cols = [np.ones(len(df))]
    for f in fixed:
        d = pd.get_dummies(df[f].astype(str)).to_numpy(dtype=float)
        cols += list(d[:, 1:].T)
    x = np.column_stack(cols)
    z = np.zeros((len(df), len(ainv.ids)))
    z[np.arange(len(df)), pd.Index(ainv.ids).get_indexer(df["id"].astype(str))] = 1.0
    a = np.linalg.inv(ainv.matrix.toarray())
    return y, x, z, a


def _exact_score(y: np.ndarray, x: np.ndarray, z: np.ndarray, a: np.ndarray,
                 theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """REML score s_i = -1/2 (tr(P V_i) - y'P V_i P y), expected information
    I_ij = 1/2 tr(P V_i P V_j), and P (dense)."""
    vs = [z @ a @ z.T, np.eye(len(y))]
    vi = np.linalg.inv(theta[0] * vs[0] + theta[1] * vs[1])
    vx = vi @ x
    p = vi - vx @ np.linalg.solve(x.T @ vx, vx.T)
    py = p @ y
    s = np.array([-0.5 * (np.trace(p @ v) - py @ v @ py) for v in vs])
    pv = [p @ v for v in vs]
    info = 0.5 * np.array([[np.sum(pv[i] * pv[j].T) for j in range(2)] for i in range(2)])
    return s, info, p


def test_estimates_agree_with_exact_reml_within_mc_error() -> None:
    df, pp, ainv = _problem(5_000, gens=10, seed=11)
    # a fifth of the animals without a record, some with two
    rng = np.random.default_rng(5)
    keep = df[rng.random(len(df)) > 0.2]
    extra = keep.sample(frac=0.15, random_state=2)
    extra = extra.assign(y1=extra["y1"] + rng.normal(0.0, np.sqrt(2.0), len(extra)))
    df = pd.concat([keep, extra], ignore_index=True)
    fit = asr.asreml(fixed="y1 ~ sex + grp", random="~ vm(id, Ainv)", data=df, Ainv=ainv)
    exact = fit.varcomp["component"].to_numpy()
    res = asr.reml_mc(df, traits="y1", animal="id", fixed=["sex", "grp"], ainv=ainv,
                      pedigree=pp, n_samples=20, seed=1, G=2.0, R=1.5)
    assert res.converged and res.n_records == len(df) and res.n_equations == 5_000 + 8
    mc, mc_se = res.estimates.to_numpy(), res.mc_se.to_numpy()
    assert (np.abs(mc - exact) <= 4 * mc_se).all(), (mc, exact, mc_se)
    # MC error ~ sampling s.e. / sqrt(K); the AI s.e. matches asreml's
    se = fit.varcomp["std.error"].to_numpy()
    np.testing.assert_allclose(res.se.to_numpy(), se, rtol=0.1)
    assert ((mc_se > 0.5 * se / np.sqrt(20)) & (mc_se < 2 * se / np.sqrt(20))).all()


def test_exact_score_at_the_mc_estimate_is_small() -> None:
    df, pp, ainv = _problem(800, gens=6, seed=5)
    k = 20
    res = asr.reml_mc(df, traits="y1", animal="id", fixed=["grp"], ainv=ainv, pedigree=pp,
                      n_samples=k, seed=2)
    assert res.converged
    y, x, z, a = _dense(df, ainv, ["grp"])
    s, info, _ = _exact_score(y, x, z, a, res.estimates.to_numpy())
    # s(theta_mc) ~ -I (theta_mc - theta_hat) ~ N(0, I / K): |s_i| / sqrt(I_ii) ~ 1/sqrt(K)
    z_mc = np.abs(s) / np.sqrt(np.diag(info))
    assert (z_mc < 4 / np.sqrt(k)).all(), z_mc
    # ... while at the start values (half the variance each) the score is not small
    v = float(np.var(y))
    s0, info0, _ = _exact_score(y, x, z, a, np.array([v / 2, v / 2]))
    assert (np.abs(s0) / np.sqrt(np.diag(info0))).max() > 4 / np.sqrt(k)


def test_trace_estimators_are_unbiased() -> None:
    df, pp, ainv = _problem(200, gens=5, seed=7)
    theta = np.array([1.3, 1.9])
    y, x, z, a = _dense(df, ainv, ["sex"])
    _, _, p = _exact_score(y, x, z, a, theta)
    ainv_d = ainv.matrix.toarray()
    c = np.block([[x.T @ x, x.T @ z], [z.T @ x, z.T @ z + ainv_d * theta[1] / theta[0]]])
    cuu = np.linalg.inv(c)[x.shape[1]:, x.shape[1]:] * theta[1]    # C^{uu} of C / sigma_e^2
    exact = {"trace_ainv_cuu": float(np.sum(ainv_d * cuu)), "trace_p": float(np.trace(p))}
    runs = [mc_traces(df, traits="y1", animal="id", fixed=["sex"], ainv=ainv, pedigree=pp,
                      G=theta[0], R=theta[1], n_samples=20, seed=s) for s in range(30)]
    for key in exact:
        est = np.array([r[key] for r in runs])
        se_mean = est.std(ddof=1) / np.sqrt(est.size)
        assert abs(est.mean() - exact[key]) < 4 * se_mean, (key, est.mean(), exact[key])
        # the per-run s.e. describes the run-to-run spread
        ratio = np.mean([r[key + "_se"] for r in runs]) / est.std(ddof=1)
        assert 0.7 < ratio < 1.4, (key, ratio)
        assert se_mean < 0.02 * abs(exact[key])       # the test has power


def test_pedigree_sampler_reproduces_a_with_inbreeding() -> None:
    ped = simulate_pedigree(400, 6, seed=9, n_sires=3)     # few sires: inbreeding
    pp = ped[["id", "sire", "dam"]]
    ainv = asr.ainverse(pp)
    assert ainv.inbreeding.max() > 0.05
    s = PedigreeSampler.build(pp, ainv)
    ell = s.sample(np.eye(s.n))                             # L D^{1/2}: A = ell ell'
    np.testing.assert_allclose(ell @ ell.T, np.linalg.inv(ainv.matrix.toarray()), atol=1e-10)


def _small() -> tuple[pd.DataFrame, pd.DataFrame, asr.RelMatrix, dict]:
    df, pp, ainv = _problem(1_000, gens=6, seed=13)
    return df, pp, ainv, dict(traits="y1", animal="id", fixed=["sex"], ainv=ainv, pedigree=pp,
                              n_samples=10)


def test_seed_reproducibility_and_input_untouched() -> None:
    df, pp, ainv, kw = _small()
    before, ped_before = df.copy(), pp.copy()
    r1 = asr.reml_mc(df, seed=4, **kw)
    r2 = asr.reml_mc(df, seed=4, **kw)
    r3 = asr.reml_mc(df, seed=5, **kw)
    pd.testing.assert_frame_equal(df, before)
    pd.testing.assert_frame_equal(pp, ped_before)
    np.testing.assert_array_equal(r1.estimates.to_numpy(), r2.estimates.to_numpy())
    assert not np.array_equal(r1.estimates.to_numpy(), r3.estimates.to_numpy())
    both = np.sqrt(r1.mc_se.to_numpy() ** 2 + r3.mc_se.to_numpy() ** 2)
    assert (np.abs(r1.estimates.to_numpy() - r3.estimates.to_numpy()) < 4 * both).all()


def test_invariances_units_labels_and_row_order() -> None:
    df, pp, ainv, kw = _small()
    r = asr.reml_mc(df, seed=4, **kw)
    scaled = df.assign(y1=df["y1"] * 10.0)                        # trait units
    rs = asr.reml_mc(scaled, seed=4, **kw)
    np.testing.assert_allclose(rs.estimates.to_numpy(), 100 * r.estimates.to_numpy(),
                               rtol=1e-6)
    np.testing.assert_allclose(rs.mc_se.to_numpy(), 100 * r.mc_se.to_numpy(), rtol=1e-4)
    relab = df.assign(sex=df["sex"].map({"M": "b", "F": "a"}))   # labels (baseline swaps)
    rl = asr.reml_mc(relab, seed=4, **kw)
    np.testing.assert_allclose(rl.estimates.to_numpy(), r.estimates.to_numpy(), rtol=1e-6)
    # row order changes which record gets which residual draw: equal within MC error
    shuf = df.sample(frac=1.0, random_state=1)
    ro = asr.reml_mc(shuf, seed=4, **kw)
    both = np.sqrt(2) * r.mc_se.to_numpy()
    assert (np.abs(ro.estimates.to_numpy() - r.estimates.to_numpy()) < 4 * both).all()


def test_non_convergence_is_reported() -> None:
    df, _, _, kw = _small()
    with pytest.warns(asr.ConvergenceWarning, match="did not converge in 1 iterations"):
        r = asr.reml_mc(df, maxit=1, **kw)
    assert not r.converged and "NOT converged" in r.summary()


def test_bad_input_errors() -> None:
    df, pp, ainv, kw = _small()
    with pytest.raises(asr.ModelError, match="one trait"):
        asr.reml_mc(df, **{**kw, "traits": ["y1", "y2"]})
    with pytest.raises(asr.ModelError, match="n_samples"):
        asr.reml_mc(df, **{**kw, "n_samples": 1})
    with pytest.raises(asr.ModelError, match="start value"):
        asr.reml_mc(df, G=-1.0, **kw)
    with pytest.raises(asr.DataError, match="no column"):
        asr.reml_mc(df.drop(columns="sex"), **kw)
    with pytest.raises(asr.DataError, match="no variation"):
        asr.reml_mc(df.assign(y1=3.0), **kw)
    with pytest.raises(asr.PedigreeError, match="not the one A-inverse was built from"):
        asr.reml_mc(df, **{**kw, "pedigree": pp.iloc[:-10]})
    with pytest.raises(asr.DataError, match="not in the pedigree"):
        asr.reml_mc(df.assign(id=df["id"].replace({"5": "nobody"})), **kw)
    g = asr.RelMatrix(np.eye(len(ainv.ids)), ids=ainv.ids, inverse=True, kind="Ginv")
    with pytest.raises(asr.MatrixError, match="inbreeding"):
        asr.reml_mc(df, **{**kw, "ainv": g})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(asr.ModelError, match="pcg_tol"):
            asr.reml_mc(df, pcg_tol=0.5, **kw)


def test_parquet_input_gives_the_frame_result(tmp_path: Path) -> None:
    from asr_py.large.runner import write_parquet

    df, pp, ainv, kw = _small()
    write_parquet(df, tmp_path / "rec", files=1, row_group_size=400)
    r_frame = asr.reml_mc(df, chunk_rows=400, seed=8, **kw)       # the same chunks and draws
    r_pq = asr.reml_mc(str(tmp_path / "rec"), seed=8, **kw)
    np.testing.assert_allclose(r_pq.estimates.to_numpy(), r_frame.estimates.to_numpy(),
                               rtol=1e-10)


def test_no_genetic_variance_ends_on_the_boundary() -> None:
    df, pp, ainv, kw = _small()
    noise = np.random.default_rng(22).normal(5.0, 1.5, len(df))       # sigma2_a = 0
    d = df.assign(y1=noise)
    fit = asr.asreml(fixed="y1 ~ sex", random="~ vm(id, Ainv)", data=d, Ainv=ainv)
    assert fit.varcomp["bound"].iloc[0] == "B"                   # exact REML: on the boundary
    with pytest.warns(asr.AsrWarning, match="sigma2_a is at its lower bound"):
        r = asr.reml_mc(d, seed=3, **kw)
    assert r.converged and r.boundary == ["sigma2_a"]
    assert "sigma2_a is at the boundary" in r.summary()
    assert r.estimates["sigma2_a"] <= 1e-6 * noise.var() * (1 + 1e-6)
    exact_e = fit.varcomp["component"].iloc[1]
    assert abs(r.estimates["sigma2_e"] - exact_e) < 4 * r.mc_se["sigma2_e"]
