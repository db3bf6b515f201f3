"""A fit kept from floor_polish's second fit reports the iterations of both fits (s20eng).

The polish (reml/floor_polish.py) continues the first fit from its estimates; the result's
``n_iter`` must be the number of iterations actually taken, counted here independently by
wrapping the engine's inner fit (asr_py.reml.ai._fit_reml) and adding the ``n_iter`` of each
call; the history must have one row per iteration, numbered 0..n_iter without gaps, the
first fit's rows unchanged.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_fa_held_psi import _fit, _uc17  # noqa: E402

import asr_py.reml.ai as ai  # noqa: E402


def test_polished_fit_counts_both_fits(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Any, Any, int, list]] = []
    inner = ai._fit_reml

    def spy(problem: Any, **kw: Any) -> Any:
        r = inner(problem, **kw)
        calls.append((kw.get("held_rel"), r, r.n_iter, list(r.history)))
        return r

    monkeypatch.setattr(ai, "_fit_reml", spy)
    m, _ = _fit(_uc17(), 1)
    assert len(calls) == 2 and calls[0][0] is None and calls[1][0] is not None, \
        "uc17 is a first fit and one polish"
    (_, first, n1, h1), (_, second, n2, _) = calls
    assert m.loglik == second.loglik > first.loglik  # the polish was kept
    total = n1 + n2
    assert m.result.n_iter == total
    its = [h["iteration"] for h in m.result.history]
    assert its == list(range(total + 1))
    assert m.result.history[:n1 + 1] == h1
    assert len(m.iterations) == total + 1
