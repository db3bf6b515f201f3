"""Memory (issue 16, item 3): a dense step that would not fit is refused up front with its
estimate (8 n² bytes per dense copy), and a large fit's summary reports its peak memory.

ASR_PY_MEMORY_LIMIT stands in for a small machine; the peak is checked against arrays of
known size allocated between reset and read."""

from __future__ import annotations

import mmap
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.reml import memory, solver

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from problems import simulate_crossed  # noqa: E402


def _gblup(n: int = 300, m: int = 200, seed: int = 3) -> tuple[pd.DataFrame, asr.RelMatrix]:
    rng = np.random.default_rng(seed)
    markers = rng.binomial(2, rng.uniform(0.1, 0.9, m), size=(n, m)).astype(float)
    ids = [f"L{i:03d}" for i in range(n)]
    g = asr.gmatrix(markers, ids=ids, ridge=0.05)
    y = 5 + np.linalg.cholesky(g.matrix) @ rng.normal(size=n) + rng.normal(size=n)
    return pd.DataFrame({"id": ids, "y": y}), g


def test_limit_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    for text, want in (("8G", 8 * 2**30), ("512M", 512 * 2**20), ("1.5GiB", int(1.5 * 2**30)),
                       ("123456", 123456), ("2k", 2048)):
        monkeypatch.setenv("ASR_PY_MEMORY_LIMIT", text)
        assert memory.available_bytes() == want
    monkeypatch.setenv("ASR_PY_MEMORY_LIMIT", "lots")
    with pytest.raises(asr.ModelError, match="not a size"):
        memory.available_bytes()
    monkeypatch.delenv("ASR_PY_MEMORY_LIMIT")
    have = memory.available_bytes()
    assert have is None or have > 0


def test_eigen_path_refuses_a_decomposition_that_does_not_fit(
        monkeypatch: pytest.MonkeyPatch) -> None:
    df, g = _gblup()
    need = 8 * 300**2 * 4  # K, U and syevd's workspace
    monkeypatch.setenv("ASR_PY_MEMORY_LIMIT", str(need - 1))
    with pytest.raises(asr.ModelError) as err:
        asr.asreml(fixed="y ~ 1", random="~ vm(id, G)", data=df, G=g, solver="eigen")
    msg = str(err.value)
    assert "eigendecomposition" in msg and "(300 x 300)" in msg
    assert f"about {need / 2**20:.0f} MiB" in msg and "asr.blup_pcg" in msg
    monkeypatch.setenv("ASR_PY_MEMORY_LIMIT", str(need + 1))  # just enough: fitted
    fit = asr.asreml(fixed="y ~ 1", random="~ vm(id, G)", data=df, G=g, solver="eigen")
    assert fit.converged


def test_dense_solver_refuses_a_factorization_that_does_not_fit(
        monkeypatch: pytest.MonkeyPatch) -> None:
    df = simulate_crossed(2_000, 40, 60)
    n_eq = 1 + 40 + 60
    monkeypatch.setattr(solver, "DENSE_CHECK_FROM", 0)
    monkeypatch.setenv("ASR_PY_MEMORY_LIMIT", str(8 * n_eq**2 * 3 - 1))
    before = df.copy()
    with pytest.raises(asr.ModelError, match=rf"dense Cholesky factorization of C \({n_eq} x"):
        asr.asreml(fixed="y ~ 1", random="~ a + b", data=df, solver="dense")
    pd.testing.assert_frame_equal(df, before)
    monkeypatch.setenv("ASR_PY_MEMORY_LIMIT", "64G")
    assert asr.asreml(fixed="y ~ 1", random="~ a + b", data=df, solver="dense").converged


def test_peak_memory_is_the_peak_since_reset() -> None:
    # a fresh anonymous mapping (not memory the allocator already holds), every page touched
    size = 64 * 2**20
    memory.reset_peak()
    base = memory.peak_bytes()
    block = mmap.mmap(-1, size)
    block.write(b"\1" * size)
    grown = memory.peak_bytes()
    assert grown - base >= 0.9 * size
    block.close()
    if memory.reset_peak():  # Linux: the peak comes back down after a reset
        assert memory.peak_bytes() < grown - 0.5 * size


def test_a_large_fit_reports_its_peak_memory_a_small_one_does_not() -> None:
    df = simulate_crossed(12_000, 30, 40)
    fit = asr.asreml(fixed="y ~ 1", random="~ a + b", data=df)
    peak = fit.result.peak_memory
    rss = int(next(ln for ln in open("/proc/self/status") if ln.startswith("VmRSS:")).split()[1])
    assert peak is not None and peak >= 0.9 * rss * 1024 - 50 * 2**20  # at least what is held
    assert f"peak memory: {peak / 2**20:.0f} MiB" in fit.summary()
    small = asr.asreml(fixed="y ~ 1", random="~ a + b", data=df.iloc[:500])
    assert small.result.peak_memory is not None and "peak memory" not in small.summary()


_FRAGMENT = """
import sys
import numpy as np
from asr_py.reml.memory import map_large_arrays
if sys.argv[1] == "1":
    assert map_large_arrays()
def rss():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
big = np.ones(2 << 20); del big  # a 16 MiB mapped block freed: glibc raises its threshold
r0 = rss()
keep = [np.ones(1 << 20) for _ in range(5)]  # 5 arrays of 8 MiB (above the fixed 4 MiB)
pin = np.ones(1 << 15)  # allocated after them (the heap's top, when they are on the heap)
del keep
print(rss() - r0)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists() or platform.libc_ver()[0] != "glibc",
                    reason="glibc on Linux only (mallopt, /proc/self/status)")
def test_map_large_arrays_returns_freed_arrays_to_the_system(tmp_path: Path) -> None:
    """With glibc's dynamic mmap threshold, 8 MiB arrays freed after a 16 MiB one stay in
    the resident set (some or all of the 40 MiB, depending on the heap's layout); with
    map_large_arrays they leave it."""
    script = tmp_path / "fragment.py"
    script.write_text(_FRAGMENT)

    def grown(flag: str) -> float:
        out = subprocess.run([sys.executable, str(script), flag], capture_output=True,
                             text=True, check=True)
        return float(out.stdout.strip())

    assert grown("1") < 2.0
    assert grown("0") > 4.0  # the default keeps (some of) them: what the fix is for
