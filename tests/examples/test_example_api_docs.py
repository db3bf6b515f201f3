"""docs/api.md is what scripts/gen_api_docs.py generates from the current docstrings."""

import importlib.util
from pathlib import Path

import asr_py

ROOT = Path(__file__).resolve().parents[2]


def _script():
    spec = importlib.util.spec_from_file_location("gen_api_docs",
                                                  ROOT / "scripts" / "gen_api_docs.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_api_docs_are_up_to_date(tmp_path):
    out = _script().main(["-o", str(tmp_path / "api.md")])
    fresh = out.read_text(encoding="utf-8")
    committed = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    assert fresh == committed, "docs/api.md is stale: run python3 scripts/gen_api_docs.py"


def test_api_docs_cover_the_public_api():
    text = _script().render()
    for name in asr_py.__all__:
        assert f"## `{name}`" in text
    for member in ("varcomp", "coef_fixed", "coef_random", "wald", "predict", "vpredict",
                   "summary", "aic", "bic", "update", "iterations"):
        assert f"### `AsremlFit.{member}`" in text
    assert "(no docstring)" not in text


def test_index_links_every_docs_page_and_example():
    index = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    for page in sorted((ROOT / "docs").glob("*.md")):
        if page.name != "index.md":
            assert f"]({page.name})" in index, page.name
    for script in sorted((ROOT / "examples").glob("[!_]*.py")):  # _common.py: helpers
        assert f"`{script.name}`" in index, script.name
