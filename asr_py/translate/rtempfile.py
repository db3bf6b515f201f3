"""R's ``tempfile(pattern = "file", tmpdir = tempdir(), fileext = "")`` and ``tempdir()``:
a new file name in the session's temporary folder (the file is not created), and that
folder (base::tempfile)."""

from __future__ import annotations

import os
import tempfile
import uuid
from typing import Any

from asr_py.translate.parser import R
from asr_py.translate.rmatchargs import ArgMatchError, match_args

__all__ = ["FUNCTIONS", "r_tempdir", "r_tempfile", "translate"]

FUNCTIONS = frozenset({"tempfile", "tempdir", "base::tempfile", "base::tempdir"})


def translate(tr: Any, e: R) -> str | None:
    if e.value.endswith("tempdir"):
        return f"{tr.runtime('r_tempdir')}()" if not e.args else None
    try:
        got = match_args(("pattern", "tmpdir", "fileext"), e.args, "tempfile")
    except ArgMatchError:
        return None
    args = ", ".join(f"{k}={tr.py(a)}" for k, a in got.items())
    return f"{tr.runtime('r_tempfile')}({args})"


def r_tempdir() -> str:
    """``tempdir()``: the temporary folder."""
    return tempfile.gettempdir()


def r_tempfile(pattern: Any = "file", tmpdir: Any = None, fileext: Any = "") -> Any:
    """``tempfile()``: one new name (a vector of patterns: one name each)."""
    pats = [pattern] if isinstance(pattern, str) else list(pattern)
    exts = [fileext] if isinstance(fileext, str) else list(fileext)
    folder = str(tmpdir) if tmpdir is not None else tempfile.gettempdir()
    n = max(len(pats), len(exts))
    out = [os.path.join(folder, f"{pats[k % len(pats)]}{uuid.uuid4().hex[:12]}"
                                f"{exts[k % len(exts)]}") for k in range(n)]
    return out[0] if n == 1 else out
