"""Every example of `asr-py --help` runs as printed (exit 0) on the files it names.

The example files come from scripts/smoke_installed.py (the same files CI's installed-wheel
smoke test uses); each command line is taken from the help text itself, so a new example is
tested as soon as it is added."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

import asr_py as asr
from asr_py import cli

ROOT = Path(__file__).resolve().parents[2]


def _smoke():
    spec = importlib.util.spec_from_file_location("smoke_installed",
                                                  ROOT / "scripts" / "smoke_installed.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_every_help_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    smoke = _smoke()
    examples = smoke.help_examples(cli._parser().format_help())
    commands = [a[0] for a in examples]
    assert commands.count("fit") >= 4 and {"demo", "explain", "translate"} <= set(commands)
    assert any("--pedigree" in a for a in examples)
    smoke.write_example_files(tmp_path)
    monkeypatch.chdir(tmp_path)
    for args in examples:
        code = cli.main(args)
        err = capsys.readouterr().err
        assert code == 0, (args, err)
    assert (tmp_path / "analysis.py").is_file()
    assert (tmp_path / "results2" / "predictions_sed.csv").is_file()


def test_pedigree_option_fits_the_animal_model(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """`fit --pedigree` equals asreml() with the A-inverse passed directly, under each name
    (vm(id, A), vm(id, ainv), ped(id))."""
    smoke = _smoke()
    ped, animals = smoke.simulate_pedigree()
    ped.to_csv(tmp_path / "ped.csv", index=False)
    animals.to_csv(tmp_path / "animals.csv", index=False)
    direct = asr.asreml("weight ~ sex", random="~ vm(id, A)", data=animals,
                        A=asr.ainverse(ped))
    for random in ("~ vm(id, A)", "~ vm(id, ainv)", "~ ped(id)"):
        out = tmp_path / random.strip("~ ").replace(" ", "").replace(",", "_")
        code = cli.main(["fit", "--data", str(tmp_path / "animals.csv"), "--fixed",
                         "weight ~ sex", "--random", random, "--pedigree",
                         str(tmp_path / "ped.csv"), "--out", str(out), "--quiet"])
        assert code == 0, capsys.readouterr().err
        vc = pd.read_csv(out / "varcomp.csv", index_col=0)["component"].to_numpy()
        assert vc == pytest.approx(direct.varcomp["component"].to_numpy(), rel=1e-4)


def test_pedigree_option_unused_or_missing_is_a_clear_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    smoke = _smoke()
    ped, animals = smoke.simulate_pedigree()
    ped.to_csv(tmp_path / "ped.csv", index=False)
    animals.to_csv(tmp_path / "animals.csv", index=False)
    base = ["fit", "--data", str(tmp_path / "animals.csv"), "--fixed", "weight ~ sex"]
    assert cli.main([*base, "--random", "~ id", "--pedigree", str(tmp_path / "ped.csv")]) == 1
    err = capsys.readouterr().err
    assert "--pedigree is given but no formula uses it" in err and "vm(id, A)" in err
    assert cli.main([*base, "--random", "~ vm(id, A)", "--pedigree",
                     str(tmp_path / "nope.csv")]) == 1
    assert "file not found" in capsys.readouterr().err
