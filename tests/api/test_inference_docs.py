"""docs/inference.md's example runs as written (from the checkout root) and fits what it says."""

import os
import re
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]


def _run_block(k: int) -> dict:
    """Execute the page's k-th python block from the checkout root; return its namespace."""
    text = (ROOT / "docs" / "inference.md").read_text(encoding="utf-8")
    block = re.findall(r"```python\n(.*?)```", text, re.S)[k]
    ns: dict = {}
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        exec(compile(block, "docs/inference.md", "exec"), ns)  # noqa: S102
    finally:
        os.chdir(cwd)
    return ns


def test_inference_docs_example_runs(capsys) -> None:
    ns = _run_block(0)
    ci = ns["ci"]
    assert (ci["lower"] < ci["estimate"]).all() and (ci["estimate"] < ci["upper"]).all()
    assert ns["m5"].model.records.n == 25
    assert np.isfinite(ns["boot"]).all()


def test_inference_docs_ml_example_runs(capsys) -> None:
    """The ML section's block: numbers as printed in the page (lme4's REML = FALSE values,
    tests/data/lme4_ml_reference.json)."""
    _run_block(1)
    text = (ROOT / "docs" / "inference.md").read_text(encoding="utf-8")
    printed = capsys.readouterr().out
    assert "-897.0393 1802.079 1814.85" in printed
    assert "116.5" in printed and "-897.0393 1802.079 1814.85" in text
