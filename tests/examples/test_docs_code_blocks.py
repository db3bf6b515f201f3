"""The ```python blocks of the docs run as copied; in docs/getting-started.md each one is run in
order in one namespace and what it prints must match the ```text block under it (numbers to a
relative 1e-4: the last printed digit may move with the BLAS).

Refresh the outputs after a deliberate change with
``python tests/examples/test_docs_code_blocks.py --update`` (then review the diff)."""

from __future__ import annotations

import ast
import contextlib
import io
import re
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GETTING_STARTED = ROOT / "docs" / "getting-started.md"
BLOCK = re.compile(r"```python\n(.*?)```(?:\n\n```text\n(.*?)```)?", re.S)
COMPILED = ["README.md", "docs/formula.md", "docs/genetics.md", "docs/migration.md",
            "docs/getting-started.md"]


def blocks(text: str) -> list[tuple[str, str | None, tuple[int, int] | None]]:
    """(code, expected output or None, span of the output in ``text``) per python block."""
    return [(m.group(1), m.group(2), m.span(2) if m.group(2) is not None else None)
            for m in BLOCK.finditer(text)]


def run_blocks(codes: list[str]) -> list[str]:
    """Run the blocks in order in one namespace; what each prints."""
    scope: dict = {"__name__": "__docs__"}
    out = []
    for code in codes:
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compile(code, str(GETTING_STARTED), "exec"), scope)
        out.append(buf.getvalue())
    return out


def _num(tok: str) -> float | None:
    try:
        return float(tok.strip("(),"))
    except ValueError:
        return None


def same_output(got: str, want: str) -> bool:
    a, b = got.split(), want.split()
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        fx, fy = _num(x), _num(y)
        if fx is not None and fy is not None:
            if fx != pytest.approx(fy, rel=1e-4, abs=1e-6, nan_ok=True):
                return False
        elif x != y:
            return False
    return True


@pytest.mark.parametrize("doc", COMPILED)
def test_python_blocks_compile(doc: str) -> None:
    text = (ROOT / doc).read_text(encoding="utf-8")
    found = blocks(text)
    assert found or doc == "README.md"
    for code, _, _ in found:
        ast.parse(code)  # a SyntaxError here: code and output mixed in one block


def test_getting_started_blocks_run_and_print_what_the_doc_shows() -> None:
    found = blocks(GETTING_STARTED.read_text(encoding="utf-8"))
    assert len(found) >= 8
    outputs = run_blocks([c for c, _, _ in found])
    for (code, want, _), got in zip(found, outputs):
        if want is None:
            assert got == "", f"this block prints but the doc shows no output:\n{code}"
            continue
        assert "<<OUT>>" not in want
        assert same_output(got, want), f"{code}\nprints\n{got}\nbut the doc shows\n{want}"


def _update() -> None:
    text = GETTING_STARTED.read_text(encoding="utf-8")
    found = blocks(text)
    outputs = run_blocks([c for c, _, _ in found])
    for (_, _, span), got in sorted(zip(found, outputs), key=lambda t: -(t[0][2] or (0,))[0]):
        if span is not None:
            got = "".join(line.rstrip() + "\n" for line in got.splitlines())
            text = text[:span[0]] + got + text[span[1]:]
    GETTING_STARTED.write_text(text, encoding="utf-8")


if __name__ == "__main__" and "--update" in sys.argv:
    _update()
