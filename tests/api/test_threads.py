"""BLAS threads come from the cores actually free (affinity minus the 1-minute load), not all
of them; small problems use one thread."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py import threads


@pytest.mark.parametrize("load,cores,free", [(0.0, 2, 2), (1.0, 2, 2), (2.0, 2, 1),
                                             (8.4, 2, 1), (1.5, 4, 3), (2.2, 8, 6),
                                             (0.3, 1, 1)])
def test_free_cores_from_load(load: float, cores: int, free: int) -> None:
    assert threads.free_cores(load=load, cores=cores) == free


def test_allowed_cores_is_the_affinity() -> None:
    assert threads.allowed_cores() == len(os.sched_getaffinity(0))


def test_blas_threads_small_problems_and_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threads, "free_cores", lambda: 7)
    assert threads.blas_threads(threads.MIN_PARALLEL - 1) == 1
    assert threads.blas_threads(threads.MIN_PARALLEL) == 7
    monkeypatch.setenv("ASR_PY_BLAS_THREADS", "3")
    assert threads.blas_threads(10) == 3


def test_eigen_fit_runs_with_the_free_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """The eigen path's BLAS limit is the free-core count (here forced to 1 on a problem
    large enough to be parallel), observed inside the fit through threadpoolctl."""
    from threadpoolctl import threadpool_info

    from asr_py.reml import eigen

    seen: list[int] = []
    orig = eigen.known_eigen

    def spy(km):  # type: ignore[no-untyped-def]
        seen.extend(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")
        return orig(km)

    monkeypatch.setattr(eigen, "known_eigen", spy)
    monkeypatch.setattr(threads, "MIN_PARALLEL", 10)
    monkeypatch.setattr(threads, "free_cores", lambda: 1)
    rng = np.random.default_rng(1)
    n = 80
    z = rng.normal(size=(n, 200))
    G = z @ z.T / 200 + 0.05 * np.eye(n)
    ids = [f"g{i}" for i in range(n)]
    df = pd.DataFrame({"id": ids, "y": rng.normal(size=n)})
    asr.asreml("y ~ 1", "~ vm(id, G)", data=df, G=pd.DataFrame(G, index=ids, columns=ids))
    assert seen and set(seen) == {1}


def _blas_threads_now() -> set[int]:
    from threadpoolctl import threadpool_info

    return {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}


def test_blas_limit_applies_and_restores_with_the_cached_controller() -> None:
    """blas_limit reuses one threadpoolctl controller (no library scan per fit): inside the
    block a fresh scan (threadpool_info) sees what threadpoolctl's own threadpool_limits
    (a fresh controller) sets, nested or not, on the first and later uses of the cached
    controller; after it the previous counts are back."""
    from threadpoolctl import threadpool_limits

    before = _blas_threads_now()
    if not before:
        pytest.skip("no BLAS thread pool that threadpoolctl can control")
    for k in (1, 2, 1):
        with threadpool_limits(limits=k, user_api="blas"):
            want = _blas_threads_now()
        with threads.blas_limit(k):
            assert _blas_threads_now() == want
            with threads.blas_limit(1):
                assert _blas_threads_now() == {1}
            assert _blas_threads_now() == want
        assert _blas_threads_now() == before


def test_blas_controller_is_cached_and_remade_after_an_import(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The controller is made once while sys.modules is unchanged, again when it changed (a
    new import may have loaded another BLAS)."""
    import sys
    import types

    first = threads.blas_controller()
    assert threads.blas_controller() is first
    monkeypatch.setitem(sys.modules, "_asr_py_test_new_module", types.ModuleType("x"))
    second = threads.blas_controller()
    assert second is not first
    assert threads.blas_controller() is second
