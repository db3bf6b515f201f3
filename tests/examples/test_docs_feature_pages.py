"""The code blocks of the feature pages run as written (each page's blocks in order, in one
namespace), and what they print is what the page's claims say."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGES = ["predict.md", "single-step.md", "diagnostics.md"]


def _blocks(page: str) -> list[str]:
    text = (DOCS / page).read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", text, re.S)


@pytest.mark.parametrize("page", PAGES)
def test_page_code_runs(page, tmp_path, monkeypatch):
    blocks = _blocks(page)
    assert blocks, f"{page} has no python code block"
    monkeypatch.chdir(tmp_path)
    ns: dict = {"__name__": "__docs__"}
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        for code in blocks:
            exec(compile(code, f"{page}", "exec"), ns)  # noqa: S102 - our own docs
    assert buf.getvalue().strip()
    if page == "predict.md":
        rows, new = ns["rows"], ns["new"]
        assert list(rows["Env"]) == list(new["Env"]) and (rows["status"] == "Estimable").all()
        gv = ns["gv"]
        assert len(gv) == 100 and gv["predicted.value"].notna().all()
    if page == "single-step.md":
        Hinv, gebv = ns["Hinv"], ns["gebv"]
        assert Hinv.n == 100 and Hinv.is_sparse and ns["m"].converged
        assert len(gebv) == 100 and gebv["predicted.value"].notna().all()
    if page == "diagnostics.md":
        assert list(ns["flagged"].index) == [17]  # the planted recording error, only it
        vg = ns["vg"]
        assert vg["Row"].max() == 6 and vg["Col"].max() == 4
        assert (tmp_path / "residuals.png").stat().st_size > 1000
