"""rnumtext.r_double_text against R 4.2.2's ``as.character()`` of doubles, printed by
``Rscript -e 'cat(as.character(c(100000, 123456, 0.0001, 0.001, 0.1+0.2, 1e-20, 123456.7,
1e15, 123456789012, 1.5e20, -2.5, 100, 1e6, 0.00012345, 2/3, 1/3*1e-5)), sep="\\n")'``."""

from __future__ import annotations

import pytest

from asr_py.translate.rnumtext import r_double_text

R_SAYS = [(100000, "1e+05"), (123456, "123456"), (0.0001, "1e-04"), (0.001, "0.001"),
          (0.1 + 0.2, "0.3"), (1e-20, "1e-20"), (123456.7, "123456.7"), (1e15, "1e+15"),
          (123456789012, "123456789012"), (1.5e20, "1.5e+20"), (-2.5, "-2.5"),
          (100, "100"), (1e6, "1e+06"), (0.00012345, "0.00012345"),
          (2 / 3, "0.666666666666667"), (1 / 3 * 1e-5, "3.33333333333333e-06")]


@pytest.mark.parametrize(("x", "text"), R_SAYS)
def test_as_character_of_a_double_is_r_s(x: float, text: str) -> None:
    assert r_double_text(float(x)) == text


def test_special_values() -> None:
    assert [r_double_text(v) for v in (float("nan"), float("inf"), -float("inf"), 0.0)] == \
        ["NaN", "Inf", "-Inf", "0"]
