"""asr.blup_pcg: BLUP by PCG iterating on the data, against the direct solution of the
explicitly built mixed model equations (tests/large/_mme_direct_large.py: scipy.sparse
matrices, CHOLMOD through cvxopt), in process, from Parquet and on a Dask LocalCluster."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.large.runner import write_parquet

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from _mme_direct_large import direct_mme  # noqa: E402
from problems import simulate_animal_data, simulate_pedigree  # noqa: E402

G0 = np.array([[1.0, 0.5], [0.5, 2.0]])
R0 = np.array([[2.0, 0.6], [0.6, 3.0]])


def _problem(n: int, gens: int = 5, seed: int = 1) -> tuple[pd.DataFrame, asr.RelMatrix]:
    ped = simulate_pedigree(n, gens, seed=seed)
    df = simulate_animal_data(ped, seed=seed + 1)
    df["grp"] = np.random.default_rng(seed).integers(0, 9, len(df)).astype(str)
    return df, asr.ainverse(ped[["id", "sire", "dam"]])


def _check(res: asr.large.PcgBlup, df: pd.DataFrame, ainv: asr.RelMatrix, traits: list[str],
           fixed: list[str], g0: np.ndarray, r0: np.ndarray, atol: float = 1e-8) -> None:
    b, u, _ = direct_mme(df, traits, "id", fixed, ainv.matrix, list(ainv.ids), g0, r0)
    got_b = res.fixed["effect"].to_numpy().reshape(-1, len(traits))
    assert np.array_equal(np.isnan(got_b), np.isnan(b))
    np.testing.assert_allclose(got_b[~np.isnan(b)], b[~np.isnan(b)], rtol=0, atol=atol)
    np.testing.assert_allclose(res.blup.to_numpy(), u, rtol=0, atol=atol)
    assert list(res.blup.index) == list(ainv.ids)


def test_univariate_100k_animals_matches_the_direct_solution() -> None:
    df, ainv = _problem(100_000)
    res = asr.blup_pcg(df, traits="y1", animal="id", fixed=["sex"], ainv=ainv,
                       G=G0[:1, :1], R=R0[:1, :1], tol=1e-12)
    assert res.converged and res.info.relative_residual <= 1e-12
    assert res.n_records == 100_000 and res.n_equations == 100_002
    _check(res, df, ainv, ["y1"], ["sex"], G0[:1, :1], R0[:1, :1])


def test_bivariate_missing_traits_matches_the_direct_solution() -> None:
    df, ainv = _problem(3_000)
    df.loc[df.index[::11], "y1"] = np.nan            # some records lack y1, some y2, some both
    res = asr.blup_pcg(df, traits=["y1", "y2"], animal="id", fixed=["sex", "grp"], ainv=ainv,
                       G=G0, R=R0, tol=1e-12, chunk_rows=700)
    assert res.n_records == int(df[["y1", "y2"]].notna().any(axis=1).sum())
    _check(res, df, ainv, ["y1", "y2"], ["sex", "grp"], G0, R0)


def test_a_level_without_records_of_a_trait_is_not_estimable() -> None:
    df, ainv = _problem(2_000)
    df.loc[df["grp"] == "3", "y2"] = np.nan
    res = asr.blup_pcg(df, traits=["y1", "y2"], animal="id", fixed=["grp"], ainv=ainv,
                       G=G0, R=R0, tol=1e-12)
    row = res.fixed[(res.fixed.level == "3")].set_index("trait")["effect"]
    assert np.isfinite(row["y1"]) and np.isnan(row["y2"])
    _check(res, df, ainv, ["y1", "y2"], ["grp"], G0, R0)


def test_dask_localcluster_from_parquet_matches_the_direct_solution(tmp_path: Path) -> None:
    from dask.distributed import Client, LocalCluster

    df, ainv = _problem(2_000)
    write_parquet(df, tmp_path / "records", files=3, row_group_size=300)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        res = asr.blup_pcg(str(tmp_path / "records"), traits=["y1", "y2"], animal="id",
                           fixed=["sex", "grp"], ainv=ainv, G=G0, R=R0, tol=1e-12,
                           client=client)
    _check(res, df, ainv, ["y1", "y2"], ["sex", "grp"], G0, R0)
    local = asr.blup_pcg(df, traits=["y1", "y2"], animal="id", fixed=["sex", "grp"],
                         ainv=ainv, G=G0, R=R0, tol=1e-12)
    np.testing.assert_allclose(res.blup.to_numpy(), local.blup.to_numpy(), atol=1e-9)


def test_row_order_units_and_labels_do_not_change_the_solutions() -> None:
    df, ainv = _problem(2_000)
    kw = dict(traits=["y1", "y2"], animal="id", fixed=["sex", "grp"], ainv=ainv, tol=1e-12)
    base = asr.blup_pcg(df, G=G0, R=R0, **kw)
    shuffled = df.sample(frac=1.0, random_state=4)
    np.testing.assert_allclose(asr.blup_pcg(shuffled, G=G0, R=R0, **kw).blup.to_numpy(),
                               base.blup.to_numpy(), atol=1e-9)
    # y1 in other units: y1 * 10, G and R scaled by D = diag(10, 1) -> BLUPs of y1 * 10
    d = np.diag([10.0, 1.0])
    scaled = df.assign(y1=df["y1"] * 10)
    res = asr.blup_pcg(scaled, G=d @ G0 @ d, R=d @ R0 @ d, **kw)
    np.testing.assert_allclose(res.blup.to_numpy(), base.blup.to_numpy() @ d, atol=1e-8)
    # other labels for the sex levels (same order): same solutions
    relab = df.assign(sex=df["sex"].map({"F": "female", "M": "male"}))
    res = asr.blup_pcg(relab, G=G0, R=R0, **kw)
    np.testing.assert_allclose(res.blup.to_numpy(), base.blup.to_numpy(), atol=1e-9)
    assert set(res.fixed["level"]) >= {"male"}


def test_non_convergence_is_reported() -> None:
    df, ainv = _problem(1_000)
    with pytest.warns(asr.ConvergenceWarning, match="did not converge in 3 iterations"):
        res = asr.blup_pcg(df, traits="y1", animal="id", ainv=ainv, G=[[1.0]], R=[[2.0]],
                           maxit=3)
    assert not res.converged and res.info.iterations == 3
    assert "NOT converged" in res.summary()


def test_bad_input_gets_clear_errors_and_data_is_not_mutated() -> None:
    df, ainv = _problem(500)
    before = df.copy()
    kw = dict(traits=["y1", "y2"], animal="id", ainv=ainv)
    with pytest.raises(asr.ModelError, match="G is not positive definite"):
        asr.blup_pcg(df, G=[[1.0, 2.0], [2.0, 1.0]], R=R0, **kw)
    with pytest.raises(asr.ModelError, match="R must be 2 x 2"):
        asr.blup_pcg(df, G=G0, R=[[1.0]], **kw)
    with pytest.raises(asr.DataError, match=r"no column\(s\) \['herd'\]"):
        asr.blup_pcg(df, G=G0, R=R0, fixed=["herd"], **kw)
    stranger = pd.concat([df, df.iloc[:1].assign(id="x99")])
    with pytest.raises(asr.DataError, match=r"not in the pedigree.*'x99'"):
        asr.blup_pcg(stranger, G=G0, R=R0, **kw)
    with pytest.raises(asr.MatrixError, match="not an inverse"):
        asr.blup_pcg(df, G=[[1.0]], R=[[2.0]], traits="y1", animal="id",
                     ainv=asr.RelMatrix(ainv.matrix, ainv.ids, inverse=False, kind="A"))
    with pytest.raises(asr.DataError, match="DataFrame or Parquet"):
        asr.blup_pcg(df.to_numpy(), G=G0, R=R0, **kw)
    pd.testing.assert_frame_equal(df, before)


def test_variances_from_a_subset_fit_are_taken_by_trait_label() -> None:
    df, ainv = _problem(2_000)
    g = pd.DataFrame(G0[::-1, ::-1], index=["y2", "y1"], columns=["y2", "y1"])
    res = asr.blup_pcg(df, traits=["y1", "y2"], animal="id", ainv=ainv, G=g, R=R0, tol=1e-12)
    np.testing.assert_array_equal(res.G, G0)
    _check(res, df, ainv, ["y1", "y2"], [], G0, R0)


def test_covariances_of_an_asreml_fit_reproduce_its_blups() -> None:
    # the same model fitted by asr.asreml (AI-REML, direct MME): at its final G0, R0 the PCG
    # solutions are its BLUPs and fixed effects (both solve the MME at those components)
    df, ainv = _problem(1_500)
    fit = asr.asreml(fixed="cbind(y1, y2) ~ trait + trait:sex",
                     random="~ us(trait):vm(id, Ainv)", residual="~ units:us(trait)",
                     data=df, Ainv=ainv)
    res = asr.blup_pcg(df, traits=["y1", "y2"], animal="id", fixed=["sex"], ainv=ainv,
                       G=fit.covariance("trait:vm(id, Ainv)"), R=fit.covariance("units:trait"),
                       tol=1e-12)
    sol = fit.coef_random["solution"]
    for tr in ("y1", "y2"):
        want = sol[[f"trait:vm(id, Ainv)_{tr}:{i}" for i in ainv.ids]].to_numpy()
        np.testing.assert_allclose(res.blup[tr].to_numpy(), want, atol=1e-6)
    fx = fit.coef_fixed["solution"]
    got = res.fixed.set_index(["term", "trait"])["effect"]
    np.testing.assert_allclose([got[("(Intercept)", "y1")], got[("sex", "y2")]],
                               [fx["trait_y1"], fx["trait_y2:sex_M"]], atol=1e-6)
