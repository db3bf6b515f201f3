"""asr-py fit --pedigree with selfed plants (s34user audit): the roles check told the user to
"pass check_roles=False", which the command line had no way to say. --no-check-roles now
does, and the error names it. Reference: the tabular A (tests/_dense_reml.py) and a dense-V
REML maximised by scipy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from _dense_reml import indicator, maximise, reml_loglik, tabular_a

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(
    [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])}


def _files(tmp: Path) -> tuple[Path, Path, np.ndarray, pd.DataFrame, list[str]]:
    rng = np.random.default_rng(9)
    ids = [f"f{i}" for i in range(8)]
    sire: list[int | None] = [None] * 8
    dam: list[int | None] = [None] * 8
    for k in range(40):
        s = int(rng.integers(0, len(ids)))
        ids.append(f"p{k}")
        sire.append(s)
        dam.append(s if k % 4 == 0 else int(rng.integers(0, len(ids) - 1)))
    A = tabular_a(sire, dam)
    ped = pd.DataFrame({"id": ids, "sire": [ids[s] if s is not None else "" for s in sire],
                        "dam": [ids[d] if d is not None else "" for d in dam]})
    u = np.linalg.cholesky(A + 1e-12 * np.eye(len(ids))) @ rng.normal(size=len(ids))
    rec = np.repeat(np.arange(8, len(ids)), 3)
    df = pd.DataFrame({"id": [ids[i] for i in rec], "y": u[rec] + rng.normal(size=rec.size)})
    (tmp / "ped.csv").write_text(ped.to_csv(index=False))
    (tmp / "y.csv").write_text(df.to_csv(index=False))
    return tmp / "ped.csv", tmp / "y.csv", A, df, ids


def _fit(tmp: Path, ped: Path, data: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "asr_py.cli", "fit", "--data", str(data),
                           "--fixed", "y ~ 1", "--random", "~ vm(id, A)", "--pedigree",
                           str(ped), "--out", str(tmp / "out"), *extra],
                          capture_output=True, text=True, timeout=600, env=ENV)


def test_selfed_pedigree_on_the_command_line(tmp_path):
    ped, data, A, df, ids = _files(tmp_path)
    refused = _fit(tmp_path, ped, data)
    assert refused.returncode == 1
    assert "both sire and dam" in refused.stderr and "--no-check-roles" in refused.stderr
    done = _fit(tmp_path, ped, data, "--no-check-roles")
    assert done.returncode == 0, done.stderr
    vc = pd.read_csv(tmp_path / "out" / "varcomp.csv", index_col=0)["component"].to_numpy()
    y = df.y.to_numpy()
    K = indicator(df.id, ids) @ A @ indicator(df.id, ids).T
    X = np.ones((y.size, 1))
    t, _ = maximise(lambda t: reml_loglik(y, X, np.exp(t[0]) * K + np.exp(t[1]) * np.eye(y.size)),
                    [np.zeros(2)])
    np.testing.assert_allclose(vc, np.exp(t), rtol=1e-4)
