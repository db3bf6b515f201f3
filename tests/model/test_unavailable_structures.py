"""ASReml-R 4 names asr_py does not implement fail with a clear error: what (the name, 'not
available'), where (the formula, a caret under the call) and what to write instead; an R
function placed where asreml does not take it (offset() in the random model) says so;
``init`` on a structure without parameters says how to start the term's variance.
(docs/coverage.md lists these.)"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.formula.functions import ALTERNATIVES, UNAVAILABLE, variance_base


@pytest.fixture(scope="module")
def trial() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    d = pd.DataFrame({"site": np.repeat(["A", "B", "C"], 8),
                      "gen": np.tile([f"G{k}" for k in range(8)], 3),
                      "age": np.tile([1.0, 2.0, 4.0, 7.0], 6)})
    d["y"] = 50 + rng.normal(0, 3, len(d))
    return d


@pytest.mark.parametrize("written, name, instead", [
    ("~ usv(site):id(gen)", "usv", "us("),
    ("~ gen + lvr(age, dist = 1)", "lvr", "exp("),   # its own arguments are not an error
    ("~ gen + lvrv(age)", "lvrv", "exp("),
    ("~ gen + lvr(age)", "lvr", "ar1("),
])
def test_unavailable_structure_names_what_where_and_an_alternative(
        trial: pd.DataFrame, written: str, name: str, instead: str) -> None:
    with pytest.raises(asr.FormulaError) as e:
        asr.asreml("y ~ site", random=written, data=trial)
    msg = str(e.value)
    assert f"'{name}' is not available" in msg
    assert "random formula" in msg and "^" in msg           # where, with a caret
    col = written.index(name)
    caret_line = [ln for ln in msg.splitlines() if "^" in ln][0]
    src_line = [ln for ln in msg.splitlines() if written.strip() in ln][0]
    assert caret_line.index("^") == src_line.index(written) + col
    assert instead in msg                                     # the hint names an alternative


def test_every_unavailable_family_has_an_alternative() -> None:
    for name in UNAVAILABLE:
        base = variance_base(name)
        assert base is not None and base[0] in ALTERNATIVES, name


def test_offset_is_the_known_term_and_misplaced_offset_says_where(trial: pd.DataFrame) -> None:
    # offset(x) in the fixed formula is R's known term (coefficient 1): for a gaussian
    # identity link the same REML fit as the derived response y - x
    a = asr.asreml("y ~ site + offset(age)", random="~ gen", data=trial)
    b = asr.asreml("I(y - age) ~ site", random="~ gen", data=trial)
    assert a.loglik == pytest.approx(b.loglik, abs=1e-9)
    with pytest.raises(asr.FormulaError, match=r"offset\(\)") as e:
        asr.asreml("y ~ site", random="~ gen + offset(age)", data=trial)
    assert "fixed formula" in str(e.value)


def test_init_on_a_structure_without_parameters_points_to_idv(trial: pd.DataFrame) -> None:
    with pytest.raises(asr.FormulaError, match="0 parameters") as e:
        asr.asreml("y ~ site", random="~ id(gen, init = 0.5)", data=trial)
    assert "idv(gen, init" in str(e.value)


def test_asreml3_mv_term_says_to_drop_it(trial: pd.DataFrame) -> None:
    with pytest.raises(asr.FormulaError, match="column 'mv' is not in the data") as e:
        asr.asreml("y ~ site", random="~ gen + mv", data=trial)
    assert "missing-value term" in str(e.value) and "^^" in str(e.value)
