"""Files written by translated base-graphics code: for each snippet of
tests/translate/rgraphics/devices/, the translation is run in an empty folder and must
write the files R 4.2.2 writes, each pdf with R's page count (recorded by
scripts/record_r_graphics_devices.py into devices.json); plus par(mfrow)/layout() panel
counts, R's values of dev.off()/par()/layout(), and one note without matplotlib."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from asr_py.translate import rgraphdevice as dv
from asr_py.translate import runtime as rt
from asr_py.translate import translate

_HERE = Path(__file__).parent / "rgraphics"
_R = json.loads((_HERE / "devices.json").read_text())["snippets"]
_PAGE = re.compile(rb"/Type\s*/Page\b")
_MAGIC = {".png": b"\x89PNG", ".jpg": b"\xff\xd8\xff", ".pdf": b"%PDF"}


def _run(code: str, where: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    monkeypatch.chdir(where)
    dv.graphics_off()
    py = translate(code)
    assert "# TODO(asr_py): " not in py, py
    ns: dict = {"__name__": "snippet"}
    try:
        exec(compile(py, "snippet.py", "exec"), ns)
    finally:
        dv.graphics_off()              # what the end of the script (atexit) does
    return ns


@pytest.mark.parametrize("name", sorted(_R))
def test_files_as_r(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code = (_HERE / "devices" / f"{name}.R").read_text()
    with _nowarn():
        _run(code, tmp_path, monkeypatch)
    got = {f.name: len(_PAGE.findall(f.read_bytes())) if f.suffix == ".pdf" else None
           for f in sorted(tmp_path.iterdir())}
    assert got == _R[name]
    for f in tmp_path.iterdir():
        assert f.read_bytes().startswith(_MAGIC[f.suffix]), f.name


class _nowarn:
    """No 'not drawn' warning: every call of the snippets draws."""

    def __enter__(self) -> None:
        import warnings

        self._cm = warnings.catch_warnings()
        self._cm.__enter__()
        warnings.simplefilter("error", RuntimeWarning)

    def __exit__(self, *exc: object) -> None:
        self._cm.__exit__(*exc)


def test_mfrow_panels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    dv.graphics_off()
    rt.r_dev_open("pdf", file="p.pdf")
    old = rt.r_par(mfrow=[2, 3])
    assert old == {"mfrow": [1, 1]}                       # R: par() returns the old values
    assert rt.r_par("mfrow") == [2, 3]
    for k in range(6):
        rt.r_plot([1, 2, 3], [k, k + 1, k + 3])
    fig = dv.state.current.fig
    assert len(fig.axes) == 6
    # filled by rows: the 2nd panel is right of the 1st, the 4th below it
    p = [ax.get_position() for ax in fig.axes]
    assert p[1].x0 > p[0].x0 and np.isclose(p[1].y0, p[0].y0)
    assert np.isclose(p[3].x0, p[0].x0) and p[3].y0 < p[0].y0
    rt.r_plot([1, 2])                                     # a 7th: a new page
    assert len(dv.state.current.fig.axes) == 1
    assert _dev(rt.r_dev_off()) == ("null device", 1)
    assert len(_PAGE.findall((tmp_path / "p.pdf").read_bytes())) == 2


def test_mfcol_and_layout_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    dv.graphics_off()
    rt.r_dev_open("png", file="a.png")
    rt.r_par(mfcol=[2, 2])
    for _ in range(2):
        rt.r_plot([1, 2, 3])
    p = [ax.get_position() for ax in dv.state.current.fig.axes]
    assert np.isclose(p[1].x0, p[0].x0) and p[1].y0 < p[0].y0     # by columns
    assert rt.r_layout([[1, 1], [2, 3]]) == 3
    for _ in range(3):
        rt.r_plot([1, 2, 3])
    p = [ax.get_position() for ax in dv.state.current.fig.axes]
    assert p[0].width > 1.5 * p[1].width                  # panel 1 spans both columns
    assert _dev(rt.r_dev_off()) == ("null device", 1)


def _dev(v: object) -> tuple[str, int]:
    return v.name, int(v)               # type: ignore[attr-defined]


def test_dev_off_returns_next_device(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    dv.graphics_off()
    rt.r_dev_open("pdf", file="a.pdf")
    rt.r_dev_open("png", file="b.png")
    assert _dev(rt.r_dev_cur()) == ("png", 3)              # R numbers devices from 2
    assert rt.r_dev_cur() > 1                              # while (dev.cur() > 1) dev.off()
    assert _dev(rt.r_dev_off()) == ("pdf", 2)
    assert _dev(rt.r_dev_off()) == ("null device", 1)
    assert not rt.r_dev_cur() > 1


def test_low_level_without_plot_warns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    dv.graphics_off()
    dv.state.warned.clear()
    with pytest.warns(RuntimeWarning, match="plot.new has not been called yet"):
        rt.r_lines([1, 2], [3, 4])
    assert not list(tmp_path.iterdir())


def test_untranslated_argument_draws_nothing(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    dv.graphics_off()
    u = rt.untranslated("foo()", "v")
    assert rt.r_plot(u) is u
    assert rt.r_hist(u) is u
    assert dv.state.current is None


def test_without_matplotlib_one_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    dv.graphics_off()
    monkeypatch.setitem(sys.modules, "matplotlib", None)      # import matplotlib fails
    monkeypatch.setattr(dv.state, "noted", False)
    rt.r_dev_open("pdf", file="x.pdf")
    rt.r_plot([1, 2, 3])
    h = rt.r_hist([1.0, 2.0, 2.0, 3.0])                       # the value is still R's
    rt.r_dev_off()
    err = capsys.readouterr().err
    assert err.count("matplotlib is not installed") == 1
    assert list(h["counts"]) == [1, 2, 1] or sum(h["counts"]) == 4
    assert not list(tmp_path.iterdir())


def test_graphics_off_by_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    dv.graphics_off()
    monkeypatch.setenv("ASR_PY_GRAPHICS", "off")
    monkeypatch.setattr(dv.state, "noted", False)
    rt.r_plot([1, 2, 3])
    b = rt.r_boxplot([1.0, 2.0, 3.0, 4.0, 100.0])
    rt.r_dev_off()
    assert capsys.readouterr().err.count("ASR_PY_GRAPHICS=off") == 1
    assert list(b["out"]) == [100.0]             # R: boxplot.stats(c(1:4, 100))$out
    assert not list(tmp_path.iterdir())
