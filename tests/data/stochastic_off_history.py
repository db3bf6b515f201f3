"""Records the AI-REML iteration histories that tests/reml/test_stochastic_traces.py checks
the fits with ``stochastic_traces=False`` against (issue 16, goal 3: the option forced off
gives the iterations of the code before the stochastic-trace phase).

Produced by running this script with the code of commit 6f38029 (before the phase existed)
first on the import path:

    git archive 6f38029 asr_py | tar -x -C /tmp/old
    PYTHONPATH=/tmp/old:tests/reml .venv/bin/python tests/data/stochastic_off_history.py

It writes tests/data/stochastic_off_history.json next to itself.
"""

from __future__ import annotations

import json
from pathlib import Path

from _reml_problems import penicillin
from _stoch_animal import animal_problem

import asr_py
from asr_py.reml.ai import fit_reml


def history(problem, solver: str) -> list[dict]:
    res = fit_reml(problem, solver=solver)
    return [{"iteration": h["iteration"], "loglik": h["loglik"], "theta": list(h["theta"]),
             "method": h["method"], "step": h["step"]} for h in res.history]


def main() -> None:
    out = {"asr_py": str(Path(asr_py.__file__).parent),
           "animal_1200_sparse": history(animal_problem(1200)[0], "sparse"),
           "animal_600_s2a0_sparse": history(animal_problem(600, s2a=0.0)[0], "sparse"),
           "penicillin_sparse": history(penicillin(), "sparse")}
    Path(__file__).with_suffix(".json").write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
