"""Smoke tests of the benchmark suite: the simulators make well-formed small instances, every
problem builds and compiles in quick mode, and ``benchmarks/run_all.py`` runs end to end."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import asr_py as asr

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "benchmarks"
sys.path.insert(0, str(BENCH))

import problems  # noqa: E402
import run_all  # noqa: E402


def _run(args: list[str], *, env: dict[str, str] | None = None,
         timeout: float = 90) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(BENCH / "run_all.py"), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, env=env)


# ---- simulators ----------------------------------------------------------------------
def test_pedigree_is_well_formed_and_seeded() -> None:
    ped = problems.simulate_pedigree(400, 4, seed=3)
    assert list(ped.columns) == ["id", "sire", "dam", "sex", "gen"]
    assert len(ped) == 400 and ped["id"].is_unique
    assert (ped.groupby("gen").size() == 100).all()
    gen_of = dict(zip(ped["id"], ped["gen"]))
    founders = ped["gen"] == 0
    assert (ped.loc[founders, ["sire", "dam"]] == "0").all().all()
    kids = ped[~founders]
    # parents exist, come from the previous generation, and have the right sex
    assert all(gen_of[s] == g - 1 for s, g in zip(kids["sire"], kids["gen"]))
    assert all(gen_of[d] == g - 1 for d, g in zip(kids["dam"], kids["gen"]))
    sex = dict(zip(ped["id"], ped["sex"]))
    assert {sex[s] for s in kids["sire"]} == {"M"} and {sex[d] for d in kids["dam"]} == {"F"}
    pd.testing.assert_frame_equal(ped, problems.simulate_pedigree(400, 4, seed=3))
    assert not ped.equals(problems.simulate_pedigree(400, 4, seed=4))
    # the pedigree is usable: A-inverse has one row per animal
    assert asr.ainverse(ped[["id", "sire", "dam"]]).matrix.shape == (400, 400)


def test_animal_data_missing_fraction_and_genetic_signal() -> None:
    ped = problems.simulate_pedigree(3000, 3, seed=1)
    df = problems.simulate_animal_data(ped, missing=0.2, seed=2)
    assert list(df.columns) == ["id", "sex", "y1", "y2"] and len(df) == 3000
    assert df["y1"].notna().all()
    assert 0.17 < df["y2"].isna().mean() < 0.23
    # offspring resemble their dams: cov = sigma2_a / 2 = 0.5, corr about 0.5 / 3.2
    kids = df[ped["gen"].to_numpy() >= 1]
    dam_y = df.set_index("id")["y1"].reindex(ped["dam"][ped["gen"] >= 1]).to_numpy()
    assert 0.08 < np.corrcoef(kids["y1"], dam_y)[0, 1] < 0.25


def test_markers_and_gblup_data() -> None:
    mk = problems.simulate_markers(50, 80, seed=3)
    assert mk.shape == (50, 81) and mk.columns[0] == "id" and mk["id"].is_unique
    vals = mk.drop(columns="id").to_numpy()
    assert set(np.unique(vals)) <= {0, 1, 2}
    p = vals.mean(axis=0) / 2
    assert p.mean() == pytest.approx(0.275, abs=0.05)
    df = problems.simulate_gblup_data(mk, n_traits=2, seed=4)
    assert list(df.columns) == ["id", "y1", "y2"] and np.isfinite(df[["y1", "y2"]]).all().all()
    assert (df["id"] == mk["id"]).all()
    one = problems.simulate_gblup_data(mk, n_traits=1, seed=4)
    assert list(one.columns) == ["id", "y1"]


def test_crossed_uses_every_level() -> None:
    df = problems.simulate_crossed(600, 20, 150, seed=5)
    assert len(df) == 600
    assert df["a"].nunique() == 20 and df["b"].nunique() == 150
    assert df["y"].std() == pytest.approx(np.sqrt(3.5), rel=0.25)


def test_every_problem_builds_and_compiles_in_quick_mode() -> None:
    built = 0
    for p in problems.PROBLEMS:
        try:
            inst = p.build(True)
        except problems.MissingData:
            continue
        model = asr.compile_model(**inst.kwargs)
        assert model.records.n > 0, p.name
        assert inst.size, p.name
        if inst.lme4_formula:
            assert inst.lme4_data is not None and set(inst.lme4_factors) <= set(
                inst.lme4_data.columns)
        built += 1
    assert built >= len(problems.PROBLEMS) - 1  # only cpdata needs ../shared


def test_cpdata_without_shared_data_is_skipped(monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    monkeypatch.setattr(problems, "SHARED", tmp_path / "absent")
    with pytest.raises(problems.MissingData, match="not found"):
        problems.get("cpdata_bivariate").build(True)


# ---- the runner ----------------------------------------------------------------------
def test_run_child_times_out_fast(tmp_path: Path) -> None:
    t0 = time.perf_counter()
    state, mib, _ = run_all.run_child([sys.executable, "-c", "import time; time.sleep(30)"],
                                      0.5, tmp_path / "log")
    assert state == "timeout" and time.perf_counter() - t0 < 10
    state, mib, _ = run_all.run_child(
        [sys.executable, "-c", "import numpy as np; a = np.ones(40 * 2**20 // 8)"], 60,
        tmp_path / "log")
    assert state == "ok" and mib > 40  # the child's own peak resident memory


def _markdown_rows(out: str) -> dict[str, list[str]]:
    rows = [[c.strip() for c in ln.strip().strip("|").split("|")]
            for ln in out.splitlines() if ln.startswith("| ")]
    header, body = rows[0], rows[1:]
    assert header == run_all.COLS
    return {r[0]: r for r in body}


def test_run_all_quick_end_to_end_without_r() -> None:
    """Three problems (reference, crossed with an lme4 formula, GBLUP) in quick mode with R
    hidden from PATH: every row has numbers and lme4 is reported as not installed."""
    env = dict(os.environ, PATH="/nonexistent")
    t0 = time.perf_counter()
    r = _run(["--quick", "--markdown", "--only", "i2_dyestuff,crossed,gblup_1trait"], env=env)
    assert r.returncode == 0, r.stderr
    assert time.perf_counter() - t0 < 60
    assert "lme4: not installed" in r.stdout
    rows = _markdown_rows(r.stdout)
    assert set(rows) == {"i2_dyestuff", "crossed", "gblup_1trait"}
    col = {c: i for i, c in enumerate(run_all.COLS)}
    for name, cells in rows.items():
        assert float(cells[col["fit s"]].rstrip("*")) > 0, name
        assert int(cells[col["iter"]]) >= 1, name
        assert float(cells[col["MiB"]]) > 20, name
        assert int(cells[col["N"]]) > 1 and float(cells[col["fit/fact"]]) >= 1, name
    lme4 = col["lme4 now s (x, dll)"]
    assert rows["crossed"][lme4] == "lme4: not installed"
    assert rows["gblup_1trait"][lme4] == "-"
    assert "lme4" in rows["i2_dyestuff"][col["recorded peers s (x)"]] or not (
        ROOT.parent / "shared" / "reference").exists()


def test_failure_note_reads_iterations_from_the_trace(tmp_path: Path) -> None:
    log = tmp_path / "x.log"
    log.write_text("iteration   0  loglik -10.0  step 0.0  start  12.500s\n"
                   "iteration   1  loglik -9.0  change  1.0e+00  step 1.0  AI  30.250s\n"
                   "iteration   2  loglik -8.5  change  5.0e-01  step 1.0  AI  31.000s\n")
    note = run_all.failure_note("timeout", {"stage": "fit", "build_s": 4.0}, log, 300, 900)
    assert "2 iterations done" in note and "last 31.0 s" in note and "start 12.5 s" in note
    assert "built in 4.0 s" in note and "peak 900 MiB" in note
    log.write_text("")
    assert "no likelihood evaluated yet" in run_all.failure_note(
        "timeout", {"stage": "fit", "build_s": 1.0}, log, 300, 900)
    row = run_all.row({"name": "p", "status": "error", "note": "Bad: x\nhint: y"})
    assert row[2] == "error" and row[-1] == "Bad: x hint: y" and len(row) == len(run_all.COLS)


def test_run_all_reports_timeout_and_unknown_name() -> None:
    r = _run(["--quick", "--only", "gblup_2trait", "--timeout", "0.3", "--no-lme4"])
    assert r.returncode == 0 and "timeout" in r.stdout
    bad = _run(["--only", "no_such_problem"])
    assert bad.returncode != 0 and "matches no problem" in bad.stderr


def test_lme4_timed_live_when_installed() -> None:
    """With R + lme4: timed in the same run, same REML log-likelihood. Without: the run
    says so and still succeeds (never fails for a missing peer)."""
    r = _run(["--quick", "--only", "i2_dyestuff", "--markdown"])
    assert r.returncode == 0, r.stderr
    if shutil.which("Rscript") is None or not run_all.lme4_available():
        assert "lme4: not installed" in r.stdout
        return
    lme4_cell = _markdown_rows(r.stdout)["i2_dyestuff"][run_all.COLS.index("lme4 now s (x, dll)")]
    secs, rest = lme4_cell.split(" ", 1)
    assert float(secs) > 0
    dll = float(rest.rstrip(")").split(",")[1])
    assert abs(dll) < 1e-4  # same REML log-likelihood as lme4


def test_bench_auto_quick_runs_every_problem() -> None:
    """benchmarks/bench_auto.py --quick prints one row per problem with the path 'auto' took
    (its timing goal is the benchmark's business, not a test's: the exit code is not
    checked)."""
    r = subprocess.run([sys.executable, str(BENCH / "bench_auto.py"), "--quick"], cwd=ROOT,
                       capture_output=True, text=True, timeout=600)
    assert "Traceback" not in r.stderr, r.stderr
    rows = {ln.split()[0]: ln for ln in r.stdout.splitlines()[1:-1]}
    assert set(rows) == {"pedigree", "gblup", "crossed", "small"}
    assert "sparse: " in rows["pedigree"] and "eigen: " in rows["gblup"]
    assert "worst auto/best ratio" in r.stdout
