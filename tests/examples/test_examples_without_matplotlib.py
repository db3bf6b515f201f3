"""The examples run without the optional plot extra: the printed results, then one line
saying how to get the plot (before: a ModuleNotFoundError traceback at the end, after the
results, for a user who installed the wheel without ``asr_py[plot]``)."""

from __future__ import annotations

import contextlib
import io
import sys

import pytest


def test_sire_model_without_matplotlib(load_example, tmp_path, monkeypatch) -> None:
    mod = load_example("sire_model")
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)   # import matplotlib -> ImportError
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        res = mod.main(tmp_path)
    text = buf.getvalue()
    assert "plot skipped: matplotlib is not installed; pip install 'asr_py[plot]'" in text
    assert not list(tmp_path.glob("*.png"))
    assert res["free"].converged and len(res["blups"]) > 0


def test_plot_made_when_matplotlib_is_there(load_example, tmp_path) -> None:
    pytest.importorskip("matplotlib")
    mod = load_example("sire_model")
    with contextlib.redirect_stdout(io.StringIO()):
        mod.main(tmp_path)
    assert (tmp_path / "sire_model.png").exists()
