"""asr-py as a subprocess: demo, fit --out, explain, translate, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import asr_py as asr

FACTORS = ("Name", "Env", "Loc", "Year", "Block")


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "asr_py.cli", *args], capture_output=True,
                          text=True, timeout=600, cwd=cwd)


@pytest.fixture(scope="module")
def dt_path(tmp_path_factory) -> Path:
    ref = resources.files("asr_py.data").joinpath("DT_example.csv")
    out = tmp_path_factory.mktemp("data") / "DT.csv"
    out.write_bytes(ref.read_bytes())
    return out


def dt(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={c: str for c in FACTORS})


def test_demo_runs() -> None:
    r = run("demo")
    assert r.returncode == 0, r.stderr
    assert "Predictions by Env" in r.stdout and "rg" in r.stdout
    assert r.stdout.count("REML log-likelihood") == 2
    # the genetic correlation printed equals the one computed directly
    df = dt(Path(str(resources.files("asr_py.data").joinpath("DT_example.csv"))))
    m = asr.asreml("cbind(Yield, Weight) ~ trait + trait:Env", random="~ us(trait):Name",
                   residual="~ units:us(trait)", data=df)
    v = m.varcomp["component"].to_numpy()
    rg = v[1] / np.sqrt(v[0] * v[2])
    line = [ln for ln in r.stdout.splitlines() if ln.startswith("rg ")][0]
    assert float(line.split()[1]) == pytest.approx(rg, abs=1e-5)


def test_fit_writes_results(dt_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "res"
    r = run("fit", "--data", str(dt_path), "--fixed", "Yield ~ Env", "--random",
            "~ diag(Env):Name", "--factors", "Name,Env", "--classify", "Env", "--out", str(out))
    assert r.returncode == 0, r.stderr
    for f in ("varcomp.csv", "coef_fixed.csv", "coef_random.csv", "wald.csv",
              "iterations.csv", "summary.txt", "fit.json", "predictions.csv"):
        assert (out / f).is_file(), f
    info = json.loads((out / "fit.json").read_text())
    m = asr.asreml("Yield ~ Env", random="~ diag(Env):Name", data=dt(dt_path))
    assert info["loglik"] == pytest.approx(m.loglik, rel=1e-10, abs=1e-8)
    assert info["converged"] is True and info["iterations"] == m.result.n_iter
    assert info["aic"] == pytest.approx(m.aic) and info["bic"] == pytest.approx(m.bic)
    vc = pd.read_csv(out / "varcomp.csv", index_col=0)
    assert np.allclose(vc["component"], m.varcomp["component"], rtol=1e-8)
    pred = pd.read_csv(out / "predictions.csv")
    assert len(pred) == 3
    assert np.allclose(pred["predicted.value"], m.predict("Env")["predicted.value"])
    it = pd.read_csv(out / "iterations.csv")
    assert len(it) == len(m.iterations) and it["loglik"].iloc[-1] == pytest.approx(m.loglik)
    assert "Variance components" in r.stdout


def test_fit_with_matrix_equals_plain_factor(dt_path: Path, tmp_path: Path) -> None:
    # vm(Name, I) is the plain factor Name: same REML log-likelihood
    df = dt(dt_path)
    names = sorted(df["Name"].unique())
    K = pd.DataFrame(np.eye(len(names)), index=names, columns=names)
    kpath = tmp_path / "K.csv"
    K.to_csv(kpath)
    r = run("fit", "--data", str(dt_path), "--fixed", "Yield ~ Env", "--random",
            "~ vm(Name, K)", "--factors", "Name,Env", "--matrix", f"K={kpath}", "--out",
            str(tmp_path / "o"), "--trace")
    assert r.returncode == 0, r.stderr
    assert "iteration" in r.stderr and "loglik" in r.stderr  # live progress
    info = json.loads((tmp_path / "o" / "fit.json").read_text())
    plain = asr.asreml("Yield ~ Env", random="~ Name", data=df)
    assert info["loglik"] == pytest.approx(plain.loglik, rel=1e-7)


def test_formula_error_exit_1(dt_path: Path) -> None:
    r = run("fit", "--data", str(dt_path), "--fixed", "Yield ~ Env +")
    assert r.returncode == 1
    assert "^" in r.stderr and "Traceback" not in r.stderr
    assert r.stderr.startswith("asr-py fit: error:")


def test_data_errors_exit_1(dt_path: Path, tmp_path: Path) -> None:
    r = run("fit", "--data", str(tmp_path / "nope.csv"), "--fixed", "y ~ 1")
    assert r.returncode == 1 and "not found" in r.stderr and "Traceback" not in r.stderr
    r = run("fit", "--data", str(dt_path), "--fixed", "Yield ~ Nope")
    assert r.returncode == 1 and "Nope" in r.stderr and "Traceback" not in r.stderr
    r = run("fit", "--data", str(dt_path), "--fixed", "Yield ~ 1", "--matrix", "K")
    assert r.returncode == 1 and "NAME=FILE" in r.stderr


def test_usage_errors_exit_2(dt_path: Path) -> None:
    assert run().returncode == 2
    assert run("fit", "--data", str(dt_path)).returncode == 2  # --fixed missing
    assert run("frobnicate").returncode == 2


def test_help_has_examples() -> None:
    r = run("--help")
    assert r.returncode == 0 and "examples:" in r.stdout and "asr-py fit" in r.stdout


def test_explain_command(dt_path: Path, tmp_path: Path) -> None:
    r = run("explain", "~ us(Env):Name", "--data", str(dt_path), "--factors", "Name,Env",
            "--plot", str(tmp_path / "v.png"))
    assert r.returncode == 0, r.stderr
    assert "Σ_Env (3×3 unstructured) ⊗ I_41" in r.stdout
    assert (tmp_path / "v.png").stat().st_size > 1000
    r = run("explain", "~ us(Env")
    assert r.returncode == 1 and "^" in r.stderr and "Traceback" not in r.stderr


def test_translate_command(tmp_path: Path) -> None:
    src = tmp_path / "a.R"
    src.write_text('library(asreml)\nm <- asreml(y ~ x, random = ~ g, data = d)\nwald(m)\n')
    r = run("translate", str(src))
    assert r.returncode == 0, r.stderr
    assert "asr.asreml(fixed='y ~ x', random='~ g', data=d, na_action={'x': 'fail'})" in r.stdout
    r = run("translate", str(src), "-o", str(tmp_path / "a.py"))
    assert r.returncode == 0 and "print(m.wald())" in (tmp_path / "a.py").read_text()
    r = run("translate", str(tmp_path / "missing.R"))
    assert r.returncode == 1 and "not found" in r.stderr
