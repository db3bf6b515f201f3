"""Refits of one design reuse the supernodal selected-inverse plan of the previous fit in
the same thread (backends/cholmod.py _recent_plan): the plan is the same object, the numbers
are those of a fit that builds its own plan (to the last digit), a different design gets
its own plan, and another thread does not see this thread's plans."""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.reml.backends import cholmod
from asr_py.results.fit import AsremlFit


def _data(entries: int, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    d = pd.DataFrame([(f"B{b}", f"E{e}") for b in range(6) for e in range(entries)],
                     columns=["Block", "Entry"])
    d["y"] = (rng.normal(size=len(d)) + rng.normal(size=6)[d.Block.str[1:].astype(int)]
              + 0.2 * d.Entry.str[1:].astype(int))
    for c in ("Block", "Entry"):
        d[c] = pd.Categorical(d[c], categories=list(dict.fromkeys(d[c])))
    return d


def _fit(d: pd.DataFrame) -> AsremlFit:
    return asr.asreml(fixed="y ~ Block", random="~ Entry", data=d, solver="sparse")


def _plan(m: AsremlFit) -> object:
    return m.result.factor._an.plan


def test_refit_reuses_plan_with_the_same_digits(monkeypatch: pytest.MonkeyPatch) -> None:
    d = _data(40)
    a = _fit(d)
    b = _fit(d)
    assert isinstance(a.result.factor, cholmod.CholmodFactor)
    assert _plan(b) is _plan(a)
    monkeypatch.setattr(cholmod, "_recent_plan", lambda sn: None)  # every fit builds its own
    c = _fit(d)
    assert _plan(c) is not _plan(a)
    assert b.loglik == c.loglik
    np.testing.assert_array_equal(b.varcomp["component"], c.varcomp["component"])
    np.testing.assert_array_equal(b.coef["solution"], c.coef["solution"])
    np.testing.assert_array_equal(np.concatenate(b.result.pev), np.concatenate(c.result.pev))
    # the first fit's factor still answers with its own values after the others ran
    np.testing.assert_array_equal(a.result.vcov_beta, c.result.vcov_beta)


def test_other_design_and_other_thread_build_their_own() -> None:
    a = _fit(_data(40))
    other = _fit(_data(25))
    assert _plan(other) is not _plan(a)
    seen: list[object] = []
    t = threading.Thread(target=lambda: seen.append(_plan(_fit(_data(40)))))
    t.start()
    t.join()
    assert seen and seen[0] is not _plan(a)
