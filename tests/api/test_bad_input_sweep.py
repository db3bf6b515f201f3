"""CI-sized bad-input sweep (benchmarks/sweep_bad_input.py runs the nightly size).

Every case must end in a fit or an asr_py error: no bare exception ('escape'), no case over
the time budget ('hang': the worker process is killed), no change to the data passed in
('mutated'). The cases are seeded, so a failure reproduces with the printed case.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import sweep_bad_input as sweep  # noqa: E402

#: the budget per case is generous (a loaded 2-core machine); a real hang runs for minutes
BUDGET = 30.0


def _check(cases: list[dict]) -> Counter:
    results = sweep.sweep(cases, budget=BUDGET)
    assert len(results) == len(cases)
    bad = [(cases[i], o, det) for i, o, det, _ in results
           if o in ("escape", "hang", "mutated")]
    assert not bad, "\n".join(f"{o}: {c}\n  {det}" for c, o, det in bad[:10])
    return Counter(o for _, o, _, _ in results)


def test_fuzzed_formulas_end_in_a_fit_or_an_asr_error() -> None:
    counts = _check(sweep.formula_cases(300, seed=15))
    assert counts["asr"] > 0 and counts["ok"] > 0 and sum(counts.values()) == 300


def test_bad_arguments_end_in_a_fit_or_an_asr_error() -> None:
    cases = sweep.bad_argument_cases()
    assert len(cases) >= 100
    counts = _check(cases)
    assert counts["asr"] >= 90


def test_bad_data_end_in_a_fit_or_an_asr_error() -> None:
    models = sweep.DATA_MODELS[:2]
    names = list(sweep.bad_data_variants(sweep.make_data()[0]))
    cases = [{"kind": "data", "data": n, **m} for n in names for m in models]
    counts = _check(cases)
    assert counts["asr"] > 0 and counts["ok"] > 0
