"""asr-py fit options as a subprocess: --weights, --sed, --wald-ddf, --params/--start-from and
params.csv, --mv-start, --solver, progress on a terminal / --trace / --quiet, diagnostics; and
the `asr-py fit` examples of docs/cli.md run as written. Results are compared with direct
asr.asreml calls."""

from __future__ import annotations

import json
import os
import pty
import re
import shlex
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import asr_py as asr

ROOT = Path(__file__).resolve().parents[2]
FACTORS = ("Name", "Env", "Loc", "Year", "Block")
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(
    [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])}
CLI = [sys.executable, "-m", "asr_py.cli"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=600, cwd=cwd,
                          env=ENV)


def run_tty(*args: str) -> tuple[int, str, str]:
    """Run with stderr on a pseudo-terminal: (exit code, stdout, what the terminal got)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([*CLI, *args], stdout=subprocess.PIPE, stderr=slave, text=True,
                            env=ENV)
    os.close(slave)
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO once the child has closed the terminal
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain)
    reader.start()
    out, _ = proc.communicate(timeout=600)
    reader.join(timeout=60)
    os.close(master)
    return proc.returncode, out, b"".join(chunks).decode("utf-8", "replace")


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    """DT_example with a column of prior weights w (from the bundled data)."""
    df = pd.read_csv(ROOT / "asr_py" / "data" / "DT_example.csv")
    df["w"] = 1.0 / (1.0 + np.abs(df["Weight"]))
    out = tmp_path_factory.mktemp("data") / "trial.csv"
    df.to_csv(out, index=False)
    return out


def dt(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={c: str for c in FACTORS})


BASE = ("--fixed", "Yield ~ Env", "--random", "~ Name", "--factors", "Env,Name,Block")


def test_weights(data: Path, tmp_path: Path) -> None:
    r = run("fit", "--data", str(data), *BASE, "--weights", "w", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    direct = asr.asreml("Yield ~ Env", random="~ Name", data=dt(data), weights="w")
    plain = asr.asreml("Yield ~ Env", random="~ Name", data=dt(data))
    info = json.loads((tmp_path / "fit.json").read_text())
    assert info["loglik"] == pytest.approx(direct.loglik, rel=1e-10)
    assert abs(direct.loglik - plain.loglik) > 1.0  # the weights matter
    assert info["weights"] == "w"
    vc = pd.read_csv(tmp_path / "varcomp.csv", index_col=0)
    np.testing.assert_allclose(vc["component"], direct.varcomp["component"], rtol=1e-8)
    r = run("fit", "--data", str(data), *BASE, "--weights", "nope")
    assert r.returncode == 1 and "nope" in r.stderr and "Traceback" not in r.stderr
    assert r.stderr.startswith("asr-py fit: error:")


def test_sed_files(data: Path, tmp_path: Path) -> None:
    r = run("fit", "--data", str(data), *BASE, "--classify", "Env", "--classify", "Name",
            "--sed", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    m = asr.asreml("Yield ~ Env", random="~ Name", data=dt(data))
    for stem, classify in (("predictions", "Env"), ("predictions_Name", "Name")):
        p = m.predict(classify, sed=True)
        sed = pd.read_csv(tmp_path / f"{stem}_sed.csv", index_col=0)
        assert list(sed.index) == list(p.attrs["sed"].index)
        assert list(sed.columns) == list(p.attrs["sed"].columns)
        np.testing.assert_allclose(sed.to_numpy(), p.attrs["sed"].to_numpy(), rtol=1e-10)
        av = pd.read_csv(tmp_path / f"{stem}_avsed.csv", index_col=0)["avsed"]
        np.testing.assert_allclose(av[["min", "mean", "max"]].to_numpy(),
                                   p.attrs["avsed"][["min", "mean", "max"]].to_numpy(),
                                   rtol=1e-10)
    av_env = m.predict("Env", sed=True).attrs["avsed"]
    assert f"average SED: {av_env['mean']:.6g}" in r.stdout
    # without --sed no SED files
    r = run("fit", "--data", str(data), *BASE, "--classify", "Env", "--out",
            str(tmp_path / "plain"))
    assert r.returncode == 0 and not (tmp_path / "plain" / "predictions_sed.csv").exists()
    assert "average SED" not in r.stdout
    r = run("fit", "--data", str(data), *BASE, "--sed")
    assert r.returncode == 2 and "--sed needs --classify" in r.stderr


@pytest.mark.parametrize("ddf", ["kenward-roger", "satterthwaite"])
def test_wald_ddf(data: Path, tmp_path: Path, ddf: str) -> None:
    r = run("fit", "--data", str(data), "--fixed", "Yield ~ Env", "--random",
            "~ Name + Env:Name", "--factors", "Env,Name", "--wald-ddf", ddf, "--out",
            str(tmp_path))
    assert r.returncode == 0, r.stderr
    m = asr.asreml("Yield ~ Env", random="~ Name + Env:Name", data=dt(data))
    want = m.wald(denDF=ddf)
    got = pd.read_csv(tmp_path / "wald.csv", index_col=0)
    assert list(got.columns) == list(want.columns) and "denDF" in got.columns
    np.testing.assert_allclose(got[["denDF", "F.adj", "Pr(F)"]].to_numpy(),
                               want[["denDF", "F.adj", "Pr(F)"]].to_numpy(), rtol=1e-8)
    assert f"with {ddf} denominator df" in r.stdout
    assert f"with {ddf} denominator df" in (tmp_path / "summary.txt").read_text()


def test_wald_default_has_no_ddf(data: Path, tmp_path: Path) -> None:
    r = run("fit", "--data", str(data), *BASE, "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    got = pd.read_csv(tmp_path / "wald.csv", index_col=0)
    assert "denDF" not in got.columns and "Wald statistic" in got.columns
    assert run("fit", "--data", str(data), *BASE, "--wald-ddf", "numeric").returncode == 2


def test_params_round_trip(data: Path, tmp_path: Path) -> None:
    """run 1 stops early and writes params.csv; run 2 --start-from it starts there and
    reaches the direct fit's optimum."""
    fixed, random = "Yield ~ Env", "~ diag(Env):Name"
    args = ("--fixed", fixed, "--random", random, "--factors", "Env,Name")
    r1 = run("fit", "--data", str(data), *args, "--maxit", "2", "--out", str(tmp_path / "r1"))
    assert r1.returncode == 0, r1.stderr
    early = asr.asreml(fixed, random=random, data=dt(data), maxit=2)
    table = pd.read_csv(tmp_path / "r1" / "params.csv")
    assert list(table.columns) == ["Component", "Value", "Constraint", "Kind"]
    assert list(table["Component"]) == list(early.params["Component"])
    np.testing.assert_allclose(table["Value"], early.params["Value"], rtol=1e-12)
    for start in (str(tmp_path / "r1"), str(tmp_path / "r1" / "params.csv")):
        r2 = run("fit", "--data", str(data), *args, "--start-from", start, "--out",
                 str(tmp_path / "r2"))
        assert r2.returncode == 0, r2.stderr
        it = pd.read_csv(tmp_path / "r2" / "iterations.csv")
        np.testing.assert_allclose(it.loc[0, list(table["Component"])].to_numpy(float),
                                   table["Value"].to_numpy(), rtol=1e-12)
        full = asr.asreml(fixed, random=random, data=dt(data))
        info = json.loads((tmp_path / "r2" / "fit.json").read_text())
        assert info["converged"] and info["loglik"] == pytest.approx(full.loglik, abs=1e-6)
        assert info["iterations"] < full.result.n_iter


def test_params_edited_constraint(data: Path, tmp_path: Path) -> None:
    """An edited table: the residual variance fixed (F) at 5 - as asreml(params=...)."""
    df = dt(data)
    table = asr.asreml("Yield ~ Env", random="~ Name", data=df, start_values=True)
    table = table[["Component", "Value", "Constraint"]].copy()
    table.loc[table["Component"] == "units!R", ["Value", "Constraint"]] = [5.0, "F"]
    path = tmp_path / "edited.csv"
    table.to_csv(path, index=False)
    r = run("fit", "--data", str(data), *BASE, "--params", str(path), "--out",
            str(tmp_path / "o"))
    assert r.returncode == 0, r.stderr
    direct = asr.asreml("Yield ~ Env", random="~ Name", data=df, params=table)
    vc = pd.read_csv(tmp_path / "o" / "varcomp.csv", index_col=0)
    assert vc.loc["units!R", "component"] == 5.0 and vc.loc["units!R", "bound"] == "F"
    np.testing.assert_allclose(vc["component"], direct.varcomp["component"], rtol=1e-8)
    out = pd.read_csv(tmp_path / "o" / "params.csv")
    assert out.set_index("Component").loc["units!R", "Constraint"] == "F"


def test_params_errors(data: Path, tmp_path: Path) -> None:
    r = run("fit", "--data", str(data), *BASE, "--start-from", str(tmp_path))
    assert r.returncode == 1 and "params.csv" in r.stderr and "not found" in r.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("Component,Estimate\nName,1\n")
    r = run("fit", "--data", str(data), *BASE, "--params", str(bad))
    assert r.returncode == 1 and "'Value'" in r.stderr and "Traceback" not in r.stderr
    bad.write_text("Component,Value,Constraint\nNmae,1,P\n")
    r = run("fit", "--data", str(data), *BASE, "--params", str(bad))
    assert r.returncode == 1 and "Nmae" in r.stderr and "Name" in r.stderr
    bad.write_text("Component,Value,Constraint\nName,1,Q\n")
    r = run("fit", "--data", str(data), *BASE, "--params", str(bad))
    assert r.returncode == 1 and "constraint" in r.stderr and "Traceback" not in r.stderr
    r = run("fit", "--data", str(data), *BASE, "--params", str(bad), "--start-from",
            str(tmp_path))
    assert r.returncode == 2 and "not allowed with" in r.stderr


def test_mv_start_and_solver(data: Path, tmp_path: Path) -> None:
    fixed, random, resid = "cbind(Yield, Weight) ~ trait + trait:Env", "~ us(trait):Name", \
        "~ units:us(trait)"
    r = run("fit", "--data", str(data), "--fixed", fixed, "--random", random, "--residual",
            resid, "--factors", "Env,Name", "--mv-start", "univariate", "--solver", "dense",
            "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    direct = asr.asreml(fixed, random=random, residual=resid, data=dt(data),
                        mv_start="univariate", solver="dense")
    info = json.loads((tmp_path / "fit.json").read_text())
    assert info["loglik"] == pytest.approx(direct.loglik, rel=1e-10)
    assert info["iterations"] == direct.result.n_iter
    assert info["mv_start"] == "univariate" and info["solver"] == "dense"
    it = pd.read_csv(tmp_path / "iterations.csv")
    assert list(it["method"]) == list(direct.iterations["method"])
    r = run("fit", "--data", str(data), *BASE, "--solver", "eigen")
    assert r.returncode == 1 and "solver='eigen' cannot be used" in r.stderr
    assert "Traceback" not in r.stderr
    assert run("fit", "--data", str(data), *BASE, "--mv-start", "never").returncode == 2
    assert run("fit", "--data", str(data), *BASE, "--solver", "magic").returncode == 2


def test_progress_on_a_terminal(data: Path) -> None:
    piped = run("fit", "--data", str(data), *BASE)
    assert piped.returncode == 0 and "iteration" not in piped.stderr  # not a terminal
    code, out, err = run_tty("fit", "--data", str(data), *BASE)
    assert code == 0 and "Variance components" in out
    lines = [ln for ln in err.splitlines() if ln.startswith("iteration")]
    m = asr.asreml("Yield ~ Env", random="~ Name", data=dt(data))
    assert len(lines) == len(m.iterations) and "loglik" in lines[-1]
    code, out, err = run_tty("fit", "--data", str(data), *BASE, "--quiet")
    assert code == 0 and err.strip() == "" and "Variance components" in out
    forced = run("fit", "--data", str(data), *BASE, "--trace")
    assert forced.returncode == 0 and "iteration" in forced.stderr
    assert run("fit", "--data", str(data), *BASE, "--trace", "--quiet").returncode == 2


def test_diagnostics_printed(data: Path, tmp_path: Path) -> None:
    """Non-convergence and a variance held at its boundary are in the printed summary and
    fit.json, with one warning line on stderr (silenced by --quiet)."""
    args = ("fit", "--data", str(data), "--fixed", "Yield ~ Env", "--random", "~ Name + Block",
            "--factors", "Env,Name,Block", "--maxit", "2")
    r = run(*args, "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    m = asr.asreml("Yield ~ Env", random="~ Name + Block", data=dt(data), maxit=2)
    assert not m.converged and any("boundary" in d for d in m.diagnostics)
    for d in m.diagnostics:
        assert d in r.stdout and d in (tmp_path / "summary.txt").read_text()
    assert json.loads((tmp_path / "fit.json").read_text())["diagnostics"] == m.diagnostics
    assert r.stderr.strip() == ("asr-py fit: warning: the fit did not converge; see the notes "
                                "at the end of the summary")
    r = run(*args[:-2], "--maxit", "30")  # converges, Block still at its boundary
    assert r.returncode == 0 and "held at its boundary" in r.stdout
    assert "warning: held at the boundary: Block" in r.stderr
    r = run(*args, "--quiet")
    assert r.returncode == 0 and r.stderr == "" and "did not converge" in r.stdout


def _doc_fit_examples() -> list[list[str]]:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    out = []
    for block in re.findall(r"```\n(.*?)```", text, flags=re.S):
        for cmd in block.replace("\\\n", " ").splitlines():
            if cmd.startswith("asr-py fit --"):
                out.append(shlex.split(cmd)[1:])
    return out


def test_docs_fit_examples_run(tmp_path: Path) -> None:
    """Every `asr-py fit` example of docs/cli.md runs as written, in order, in a directory
    holding the bundled data as trial.csv (later examples may use earlier results)."""
    examples = _doc_fit_examples()
    assert len(examples) >= 3
    df = pd.read_csv(ROOT / "asr_py" / "data" / "DT_example.csv")
    df["w"] = 1.0 / (1.0 + np.abs(df["Weight"]))
    df.to_csv(tmp_path / "trial.csv", index=False)
    for args in examples:
        r = run(*args, cwd=tmp_path)
        assert r.returncode == 0, (args, r.stderr)
        assert "REML log-likelihood" in r.stdout


def test_help_fit_examples_on_trial_csv_run(tmp_path: Path) -> None:
    """The `asr-py fit --data trial.csv` examples of `asr-py --help` run in order."""
    r = run("--help")
    text = r.stdout.replace("\\\n", " ")
    examples = [shlex.split(ln.strip())[1:] for ln in text.splitlines()
                if ln.strip().startswith("asr-py fit --data trial.csv")]
    assert len(examples) == 2
    pd.read_csv(ROOT / "asr_py" / "data" / "DT_example.csv").to_csv(tmp_path / "trial.csv",
                                                                     index=False)
    for args in examples:
        r = run(*args, cwd=tmp_path)
        assert r.returncode == 0, (args, r.stderr)
    assert (tmp_path / "results2" / "predictions_sed.csv").is_file()
    wald = pd.read_csv(tmp_path / "results2" / "wald.csv", index_col=0)
    assert "denDF" in wald.columns


def test_method_ml(data: Path, tmp_path: Path) -> None:
    r = run("fit", "--data", str(data), *BASE, "--method", "ML", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    direct = asr.asreml("Yield ~ Env", random="~ Name", data=dt(data), method="ML")
    reml = asr.asreml("Yield ~ Env", random="~ Name", data=dt(data))
    info = json.loads((tmp_path / "fit.json").read_text())
    assert info["method"] == "ML"
    assert info["loglik"] == pytest.approx(direct.loglik, rel=1e-10)
    assert abs(info["loglik"] - reml.loglik) > 1e-3  # ML is not REML on these data
    assert run("fit", "--data", str(data), *BASE, "--method", "reml").returncode == 2
