"""grDevices' ``colorRampPalette()`` (rcolorramp.py) against R's recorded outputs and its
definition:

* R prints ``colorRampPalette(c("blue", "red"))(3)`` as ``"#0000FF" "#7F007F" "#FF0000"``
  and ``colorRampPalette(c("white", "black"))(3)`` as ``"#FFFFFF" "#7F7F7F" "#000000"``:
  the middle channel is 0.5 * 255 = 127.5, which ``rgb(..., maxColorValue = 255)`` turns
  into the integer 127 (0x7F);
* each channel is ``approxfun(seq(0, 1, length.out = k), col2rgb(colors)[c, ] / 255)``
  times 255, so a palette of n = k colours gives the colours themselves, and a palette
  from one colour repeats it.
"""
from __future__ import annotations

import pytest
from _translate_fixtures import run_py

from asr_py.errors import AsrError
from asr_py.translate import translate
from asr_py.translate.runtime import r_color_ramp, r_color_ramp_palette


def test_recorded_r_palettes() -> None:
    assert r_color_ramp_palette(["blue", "red"])(3) == ["#0000FF", "#7F007F", "#FF0000"]
    assert r_color_ramp_palette(["white", "black"])(3) == ["#FFFFFF", "#7F7F7F", "#000000"]


def test_definition() -> None:
    cols = ["#13294B", "#FFFFFF", "#FF552E"]
    assert r_color_ramp_palette(cols)(3) == cols                # the knots themselves
    assert r_color_ramp_palette(["#102030"])(2) == ["#102030", "#102030"]
    m = r_color_ramp(["#000000", "#FF0000"])([0.0, 0.2, 1.0])
    assert m[:, 0].tolist() == pytest.approx([0.0, 51.0, 255.0])   # 0.2 * 255
    assert r_color_ramp_palette(["red", "blue"])(0) == []


def test_translated_forms() -> None:
    py = translate('pal <- colorRampPalette(c("blue", "red"))\ncols <- pal(3)\n'
                   'c2 <- colorRampPalette(c("#000000", "#FFFFFF"))(2)\n')
    assert "untranslated(" not in py
    ns = run_py(py)
    assert ns["cols"][1] == "#7F007F" and ns["c2"] == ["#000000", "#FFFFFF"]


def test_unknown_colour_name_is_an_error() -> None:
    with pytest.raises(AsrError, match="'mistyrose4'"):
        r_color_ramp_palette(["mistyrose4", "red"])
