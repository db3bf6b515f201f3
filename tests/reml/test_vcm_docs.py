"""docs/constraints.md's example runs as written (from the checkout root) and fits what it
says."""

import contextlib
import io
import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_constraints_docs_example_runs() -> None:
    text = (ROOT / "docs" / "constraints.md").read_text(encoding="utf-8")
    block = re.findall(r"```python\n(.*?)```", text, re.S)[0]
    ns: dict = {}
    cwd = os.getcwd()
    os.chdir(ROOT)
    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf):
            exec(compile(block, "docs/constraints.md", "exec"), ns)  # noqa: S102
    finally:
        os.chdir(cwd)
    assert buf.getvalue().strip().endswith("True 2")
    vc = ns["m"].varcomp
    assert vc.loc["Name", "component"] == vc.loc["Env:Name", "component"]
    assert list(vc["bound"]) == ["P", "C", "P"]
    r = ns["r"].varcomp["component"]
    assert abs(r["Env:Name"] - 0.5 * r["Name"]) < 1e-12 * r["Name"]
