"""trace=True: per-iteration seconds are the wall time of the whole iteration (the score, AI
and selected inverse included), long phases get a line as they start, and the trace says
which solver path 'auto' took and why."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.reml import mme as mme_mod
from asr_py.reml import progress

DELAY = 0.05


def test_iteration_seconds_include_the_score_and_selected_inverse(
        dt_example: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    """Slow the score/AI pass (where the selected inverse is taken) down by DELAY: every
    iteration's printed seconds must include it (they used to stop before it)."""
    orig = mme_mod.MME.score_ai

    def slow(self, st):  # type: ignore[no-untyped-def]
        time.sleep(DELAY)
        return orig(self, st)

    monkeypatch.setattr(mme_mod.MME, "score_ai", slow)
    t = time.perf_counter()
    m = asr.asreml("Yield ~ Env", "~ Name", data=dt_example, solver="dense")
    wall = time.perf_counter() - t
    secs = m.iterations["seconds"].to_numpy()
    assert np.all(secs >= DELAY), secs
    assert secs.sum() <= wall  # the parts of one fit's wall time


def test_phase_lines_and_path_reason(dt_example: pd.DataFrame, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(progress, "LONG_PHASE_SIZE", 0)  # announce phases of small fits too
    m = asr.asreml("Yield ~ Env", "~ Name", data=dt_example, trace=True)
    err = capsys.readouterr().err
    assert "solver 'auto': mixed model equations path, because the eigen path does not " \
           "apply" in err
    assert "symbolic analysis and first factorization" in err
    assert "final pass: standard errors" in err
    assert f"done: backend '{m.result.solver}'" in err
    order = [err.index(s) for s in ("solver 'auto'", "symbolic analysis", "iteration   0",
                                    "final pass", "done:")]
    assert order == sorted(order)


def test_eigendecomposition_phase_line(monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(progress, "LONG_PHASE_SIZE", 0)
    rng = np.random.default_rng(4)
    n = 120
    z = rng.normal(size=(n, 300))
    G = z @ z.T / 300 + 0.05 * np.eye(n)
    ids = [f"g{i}" for i in range(n)]
    df = pd.DataFrame({"id": ids, "y": np.linalg.cholesky(G) @ rng.normal(size=n)
                       + rng.normal(size=n)})
    m = asr.asreml("y ~ 1", "~ vm(id, G)", data=df,
                   G=pd.DataFrame(G, index=ids, columns=ids), trace=True)
    err = capsys.readouterr().err
    assert m.result.solver == "eigen"
    assert "solver 'auto': eigen path, because" in err and "dense 120 x 120" in err
    assert "eigendecomposition of vm(id, G) (120 x 120, 1 BLAS thread(s))" in err
    assert err.index("eigendecomposition of") < err.index("iteration   0")
