"""``asr-py fit --solver``: every registered backend of the engine is a choice (sparse-nd was
missing), and a fit with --solver sparse-nd gives the likelihood of the dense solver."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from asr_py import cli
from asr_py.reml.backends.ordering import metis_available
from asr_py.reml.solver import available_backends

ROOT = Path(__file__).resolve().parents[2]
BASE = ("--fixed", "Yield ~ Env", "--random", "~ Name", "--factors", "Env,Name,Block")


def test_every_registered_backend_is_a_choice() -> None:
    assert set(available_backends()) <= set(cli.SOLVERS)
    assert "sparse-nd" in cli.SOLVERS and "auto" in cli.SOLVERS


@pytest.fixture(scope="module")
def trial(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("solver") / "trial.csv"
    pd.read_csv(ROOT / "asr_py" / "data" / "DT_example.csv").to_csv(out, index=False)
    return out


def _fit(trial: Path, out: Path, solver: str) -> tuple[int, dict]:
    code = cli.main(["fit", "--data", str(trial), *BASE, "--solver", solver, "--quiet",
                     "--out", str(out)])
    info = json.loads((out / "fit.json").read_text()) if code == 0 else {}
    return code, info


def test_sparse_nd_fit_matches_dense(trial: Path, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    code_d, dense = _fit(trial, tmp_path / "dense", "dense")
    assert code_d == 0
    code, nd = _fit(trial, tmp_path / "nd", "sparse-nd")
    if metis_available():
        assert code == 0, capsys.readouterr().err
        assert nd["solver"] == "sparse-nd"
        assert nd["loglik"] == pytest.approx(dense["loglik"], abs=1e-8)
    else:  # pymetis missing: a clear error naming the solver, no traceback
        err = capsys.readouterr().err
        assert code == 1 and "sparse-nd" in err and "Traceback" not in err
