"""tests/_fetched.py: data from fetched repositories is read from a local copy, never from the
tree, and a test needing it skips (not fails) without it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from _fetched import SOURCES, fetched

ROOT = Path(__file__).resolve().parents[1]


def test_absent_copy_skips_naming_the_repository(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASR_FETCHED_DATA", str(tmp_path / "none"))
    with pytest.raises(pytest.skip.Exception) as e:
        fetched("agridat_box_cork.csv")
    msg = str(e.value)
    assert "agridat_box_cork.csv" in msg and "kwstat/agridat" in msg
    assert "not committed" in msg and "scripts/fetched_data.py" in msg


def test_present_copy_is_returned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "nlme_rail.csv").write_text("Rail,travel\n1,55\n")
    monkeypatch.setenv("ASR_FETCHED_DATA", str(tmp_path))
    assert fetched("nlme_rail.csv") == tmp_path / "nlme_rail.csv"


def test_unknown_name_is_an_error_not_a_skip() -> None:
    with pytest.raises(KeyError, match="SOURCES"):
        fetched("DT_example.csv")


def test_no_fetched_file_is_in_the_tree() -> None:
    names = set(SOURCES)
    found = [p.relative_to(ROOT) for top in ("asr_py", "tests", "benchmarks", "examples",
                                             "docs", "scripts")
             for p in (ROOT / top).rglob("*") if p.name in names]
    assert found == []


def test_every_file_has_one_recipe_from_its_repository(monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    spec = importlib.util.spec_from_file_location("fetched_data",
                                                  ROOT / "scripts" / "fetched_data.py")
    mod = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "fetched_data", mod)   # dataclasses look it up
    spec.loader.exec_module(mod)
    recipes = {r.name: r.repo for r in mod.RECIPES}
    assert len(recipes) == len(mod.RECIPES)
    assert recipes == SOURCES
