"""bench_goal2_floor.py's arithmetic: the projected fit and the exponents, on made-up records
(closed forms), and one small size measured for real (nnz(L) against a dense count)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import bench_goal2_floor as floor  # noqa: E402


def _rec(n: int, num: float, **kw: float) -> dict:
    return {"n_animals": n, "numeric_s": num, "symbolic_s": 1.0, **kw}


def test_projection_uses_measured_then_ratio() -> None:
    recs = [_rec(100_000, 2.0, selinv_run_s=6.0, selinv_plan_s=4.0), _rec(1_000_000, 50.0)]
    lines = floor.project(recs, evaluations=7)
    # floors: 7 x 3 x numeric + ordering
    assert lines[0].startswith("100k floor") and "= 43 s" in lines[0]
    assert lines[1].startswith("1000k floor") and "= 1051 s" in lines[1]
    # measured at 100k: 7 x (2 + 6) + 4 + 1 = 61; at 1M the ratios 3 and 2: 7 x 200 + 100 + 1
    assert lines[2].startswith("100k: 7 x (2.0 + 6.0) + plan 4.0") and "= 61 s" in lines[2]
    assert "= 1501 s" in lines[3] and "at 3.00 and plan at 2.00 factorizations" in lines[3]
    assert floor.project([_rec(1000, 1.0)], 7) == ["no selected inverse measured: no projection"]


def test_exponents_of_a_power_law() -> None:
    recs = [{"n_animals": n, "flops": 3.0 * n**3} for n in (100_000, 200_000, 1_000_000)]
    assert floor.exponents(recs, "flops") == "100k->200k 3.00, 200k->1000k 3.00"


def test_factor_stats_against_a_dense_cholesky() -> None:
    """A 2-D Laplacian (30 x 30 grid): CHOLMOD's simplicial nnz(L) and Σ c_j² equal the
    structural counts of numpy's dense Cholesky of C permuted by the same ordering; the
    supernodal factor stores at least those entries (its amalgamation adds zeros)."""
    import numpy as np
    import scipy.sparse as sp

    k = 30
    t = sp.diags([-1.0, 4.0, -1.0], [-1, 0, 1], shape=(k, k))
    c = (sp.kron(sp.eye(k), t) + sp.kron(sp.diags([-1.0, -1.0], [-1, 1], shape=(k, k)),
                                            sp.eye(k))).tocsc()
    ex = floor.factor_stats(c, supernodal=False)
    p = ex["perm"]
    lden = np.linalg.cholesky(c[p][:, p].toarray())
    cnt = (np.abs(lden) > 1e-300).sum(axis=0)
    assert ex["nnz_l"] == int(cnt.sum())
    assert ex["flops"] == pytest.approx(float((cnt.astype(float) ** 2).sum()), rel=1e-12)
    sup = floor.factor_stats(c)
    assert sup["nnz_l"] >= ex["nnz_l"] and sup["flops"] >= ex["flops"]
    assert sup["largest_supernode"] <= k * k and sup["n_supernodes"] < ex["n_supernodes"]
