"""bench_goals.py's arithmetic: scaling exponents, the 10^6 extrapolation and the goal
verdicts, on records made to follow known power laws (closed forms)."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import bench_goals  # noqa: E402


def _rec(n: int, t: float, mib: float, fact: float) -> dict:
    return {"status": "ok", "n_animals": n, "fit_s": t, "mib": mib, "factor_s": fact}


def _series() -> list[dict]:
    # fit ∝ n^2.3, memory ∝ n^1.2, one factorization ∝ n^2 (plus a timed-out record)
    recs = [_rec(n, 3e-11 * n**2.3, 0.5 * n**1.2, 1e-10 * n**2)
            for n in (10_000, 100_000, 200_000)]
    return [*recs, {"status": "timeout", "n_animals": 500_000}]


def test_exponents_recover_the_power_laws() -> None:
    rs = _series()
    assert bench_goals.fitted_exponent(rs, "fit_s", 100_000) == pytest.approx(2.3, abs=1e-9)
    assert bench_goals.fitted_exponent(rs, "mib", 10_000) == pytest.approx(1.2, abs=1e-9)
    assert bench_goals.fitted_exponent(rs, "factor_s", 200_000) is None  # one point
    txt = bench_goals.exponent(rs, "factor_s")
    assert txt == "10k->100k 2.00, 100k->200k 2.00"


def test_extrapolation_to_a_million_animals() -> None:
    txt = bench_goals.extrapolate(_series())
    t = 3e-11 * 1e6**2.3
    gb = 0.5 * 1e6**1.2 * 2**20 / 1e9
    assert f"fit {t:.0f} s (exponent 2.30)" in txt
    assert f"peak {gb:.1f} GB (exponent 1.20)" in txt
    assert bench_goals.extrapolate([_rec(1_000_000, 1.0, 1.0, 1.0),
                                    _rec(500_000, 1.0, 1.0, 1.0)]) == ""


def test_judge_states_met_and_not_met() -> None:
    ok = {"status": "ok", "converged": True, "n_eq": 200_004, "factor_s": 2.0}
    recs = {
        "goal_animal2_100k": dict(ok, fit_s=50.0, mib=2000.0),  # 1.05 GB per 100k eq
        "goal_animal1_1000k": dict(ok, fit_s=700.0, mib=10_000.0),
        "goal_us_env20": dict(ok, n_iter=31),
    }
    out = bench_goals.judge(recs)
    per = 2000 * 2**20 / 1e9 / 2.00004
    assert out[0].startswith("1 bivariate 100k: MET") and f"{per:.2f} GB" in out[0]
    assert out[1].startswith("2 univariate 1e6: NOT MET: 700 s")
    assert out[2].startswith("3 fit <= 15 factorizations: NOT MET")  # 700 / 2 = 350
    assert out[3].startswith("5 us(env) 20 environments: NOT MET: 31 iterations")
    assert math.isclose(per, 1.0485, rel_tol=1e-3)


def test_judge_crossed_two_and_three_factors() -> None:
    """Goal 4 on a + b (lme4 finished: ratios) and a + b + c (lme4 timed out: a bound)."""
    recs = {
        "goal_crossed_1e6": {"status": "ok", "fit_s": 100.0, "mib": 900.0,
                             "lme4": {"s": 400.0, "mib": 1000.0, "wall_s": 410.0}},
        "goal_crossed_abc_1e6": {"status": "ok", "fit_s": 150.0, "mib": 1200.0,
                                 "lme4": {"state": "timeout", "mib": 800.0, "wall_s": 600.0}},
    }
    out = bench_goals.judge(recs)
    assert out[0] == ("4 crossed 1e6 a+b vs lme4: MET: 4.00x faster (goal 3), "
                      "memory 900 / 1000 MiB = 0.90 (goal <= 1)")
    assert out[1].startswith("4 crossed 1e6 a+b+c vs lme4: speed at least 4.00x")
    assert "peak by then 800 MiB; ours 1200 MiB" in out[1]
    recs["goal_crossed_1e6"]["mib"] = 1001.0  # 4x faster but more memory: not met
    assert bench_goals.judge(recs)[0].startswith("4 crossed 1e6 a+b vs lme4: NOT MET")


def test_three_factor_problem_builds_with_lme4_formula() -> None:
    import problems

    inst = problems.get("goal_crossed_abc_1e6").build(True)  # quick: 10 000 records
    df = inst.kwargs["data"]
    assert inst.kwargs["random"] == "~ a + b + c"
    assert inst.lme4_formula == "y ~ 1 + (1|a) + (1|b) + (1|c)"
    assert [df[f].nunique() for f in ("a", "b", "c")] == [500, 2000, 100]
    two = problems.simulate_crossed(1_000, 20, 50, seed=31)  # the a + b data are unchanged
    three = problems.simulate_crossed(1_000, 20, 50, levels_c=10, seed=31)
    assert (two["a"] == three["a"]).all() and (two["b"] == three["b"]).all()
    assert not (two["y"] == three["y"]).all()


def test_crossed_labels_are_the_list_built_column() -> None:
    """simulate_crossed's label columns (a take from the level labels) equal, values and
    dtype, the column a list of f-strings gives."""
    import numpy as np
    import pandas as pd
    import problems

    df = problems.simulate_crossed(2_000, 30, 70, seed=31)
    rng = np.random.default_rng(31)
    ia = np.concatenate([np.arange(30), rng.integers(0, 30, 2_000 - 30)])
    ib = np.concatenate([np.arange(70), rng.integers(0, 70, 2_000 - 70)])
    ia, ib = rng.permutation(ia), rng.permutation(ib)
    old = pd.DataFrame({"a": [f"a{i}" for i in ia], "b": [f"b{i}" for i in ib]})
    pd.testing.assert_frame_equal(df[["a", "b"]], old)


def test_memory_goal_reads_the_fits_own_peak() -> None:
    """fit_mib (the child's peak when the fit returned, before the baseline's second compile
    and factorization) is what goal 4 compares with lme4; the child's peak otherwise."""
    lm = {"s": 400.0, "mib": 1000.0, "wall_s": 410.0}
    rec = {"status": "ok", "fit_s": 100.0, "mib": 1500.0, "fit_mib": 950.0, "lme4": lm}
    assert "memory 950 / 1000 MiB = 0.95" in bench_goals.judge({"goal_crossed_1e6": rec})[0]
    del rec["fit_mib"]
    assert "memory 1500 / 1000 MiB = 1.50" in bench_goals.judge({"goal_crossed_1e6": rec})[0]
