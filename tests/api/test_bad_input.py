"""Issue 15's reproducers: bad input ends in a clear asr_py error naming what and where.

Each case asserts the error class and that the message names the column, the argument or
the formula position (the caret's column). The data are the sweep's small simulated set
(benchmarks/sweep_bad_input.py: make_data).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import AsrError, DataError, FormulaError, MatrixError, ModelError

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

from sweep_bad_input import make_data  # noqa: E402


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return make_data()[0]


@pytest.fixture(scope="module")
def K() -> pd.DataFrame:
    return make_data()[1]["K"]


def _at(exc: FormulaError, text: str, token: str) -> None:
    """The error's caret is on ``token`` of ``text``."""
    assert exc.text == text
    assert exc.column == text.index(token) + 1, str(exc)


# --- data --------------------------------------------------------------------------------


def test_infinite_covariate_names_the_column_and_the_row(data: pd.DataFrame) -> None:
    d = data.copy()
    d.loc[3, "x"] = np.inf
    with pytest.raises(FormulaError, match="x has non-finite values on 1 record") as e:
        asr.asreml("y ~ A + x", data=d)
    _at(e.value, "y ~ A + x", "x")
    assert "data index 3" in str(e.value)
    assert np.isinf(d.loc[3, "x"])  # not mutated


def test_log_of_negative_values_names_the_transform(data: pd.DataFrame) -> None:
    d = data.assign(z=data["z"] - 2)
    with pytest.raises(FormulaError, match=r"log\(z\) has non-finite values") as e:
        asr.asreml("y ~ A + log(z)", random="~ B", data=d)
    assert "NaN" in str(e.value)
    _at(e.value, "y ~ A + log(z)", "log(z)")


def test_overflowing_transform_in_a_random_term(data: pd.DataFrame) -> None:
    with pytest.raises(FormulaError, match=r"x\^1000") as e:
        asr.asreml("y ~ A", random="~ B:I(x^1000)", data=data.assign(x=data["x"] * 10))
    assert e.value.formula == "random"


def test_duplicated_column_names(data: pd.DataFrame) -> None:
    d = pd.concat([data, data[["A"]]], axis=1)
    with pytest.raises(DataError, match="duplicated column names: 'A'"):
        asr.asreml("y ~ A", data=d)


def test_a_relationship_matrix_of_strings(data: pd.DataFrame, K: pd.DataFrame) -> None:
    with pytest.raises(MatrixError, match="matrix 'K' has non-numeric columns: i0"):
        asr.asreml("y ~ A", random="~ vm(id, K)", data=data, K=K.astype(str))


def test_a_relationship_matrix_with_missing_values(data: pd.DataFrame,
                                                   K: pd.DataFrame) -> None:
    bad = K.copy()
    bad.iloc[0, 1] = np.nan
    with pytest.raises(MatrixError, match="matrix 'K' has missing or infinite values"):
        asr.asreml("y ~ A", random="~ vm(id, K)", data=data, K=bad)


def test_one_row_is_refused_not_reported_converged(data: pd.DataFrame) -> None:
    with pytest.raises(ModelError, match="no residual degrees of freedom: 1 record and 1 "
                                         "fixed effect"):
        asr.asreml("y ~ 1", random="~ B", data=data.iloc[:1])


def test_a_covariate_read_as_a_factor_is_named_when_no_df_is_left(
        data: pd.DataFrame) -> None:
    d = data.astype({"x": object})
    d.loc[2, "x"] = "seven"  # a text value makes x a factor with a level per row
    # n = p: fitted as asreml does (tests/results/test_saturated_fit.py), loudly, the
    # column named
    with pytest.warns(asr.IdentifiabilityWarning, match="no residual degrees of freedom") as w:
        asr.asreml("y ~ A + x", data=d)
    msg = str(next(x.message for x in w if "no residual" in str(x.message)))
    assert "x: 45" in msg and "numeric column read as text" in msg


@pytest.mark.parametrize("scale,word", [(1e300, "large"), (1e-300, "small")])
def test_values_beyond_double_precision(data: pd.DataFrame, scale: float, word: str) -> None:
    with pytest.raises(FormulaError, match=f"response 'y' is too {word}"):
        asr.asreml("y ~ A", data=data.assign(y=data["y"] * scale))
    with pytest.raises(FormulaError, match=f"x is too {word}"):
        asr.asreml("y ~ A + x", data=data.assign(x=data["x"] * scale))


def test_more_variance_parameters_than_records(data: pd.DataFrame) -> None:
    """us(id) over 12 ids has 78 parameters for 48 records: refused, not fitted for minutes."""
    with pytest.raises(ModelError, match="79 variance parameters but only 45 residual") as e:
        asr.asreml("y ~ A", random="~ us(id):B", data=data)
    assert "id:B (78)" in str(e.value)


def test_a_structure_on_a_continuous_covariate(data: pd.DataFrame) -> None:
    """ar1(y2):ar1(x) made a 48 x 48 residual grid for 48 records (57 s in the sweep)."""
    text = "~ ar1(y2):ar1(x)"
    with pytest.raises(FormulaError, match="ar1\\(\\) needs a factor, and 'y2' is a numeric "
                                           "column with fractional values") as e:
        asr.asreml("y ~ A", random="~ B", residual=text, data=data)
    _at(e.value, text, "y2")
    fit = asr.asreml("y ~ A", residual="~ ar1(Row):ar1(Col)", data=data)  # whole numbers
    assert fit.loglik == fit.loglik


# --- arguments ---------------------------------------------------------------------------


@pytest.mark.parametrize("fixed", [["y ~ A"], None, 3])
def test_the_fixed_formula_must_be_a_string(data: pd.DataFrame, fixed: object) -> None:
    with pytest.raises(AsrError, match="fixed= must be a formula string"):
        asr.asreml(fixed, data=data)  # type: ignore[arg-type]


@pytest.mark.parametrize("maxit", ["10", -1, 2.5, None, True])
def test_maxit(data: pd.DataFrame, maxit: object) -> None:
    with pytest.raises(AsrError, match="maxit= must be"):
        asr.asreml("y ~ A", random="~ B", data=data, maxit=maxit)  # type: ignore[arg-type]


def test_maxit_accepts_whole_numbers(data: pd.DataFrame) -> None:
    fit = asr.asreml("y ~ A", random="~ B", data=data, maxit=np.int64(1))
    assert fit.result.n_iter <= 1


@pytest.mark.parametrize("na_action,what", [
    ("omit", "na_action= must be a dict, not str"),
    ({"y": "drop"}, "'y' is 'drop', which is not 'omit' or 'fail'"),
    ({"z": "omit"}, "unknown key 'z'"),
])
def test_na_action(data: pd.DataFrame, na_action: object, what: str) -> None:
    with pytest.raises(AsrError, match=what):
        asr.asreml("y ~ A", data=data, na_action=na_action)  # type: ignore[arg-type]


def test_factors_as_a_string_is_not_read_letter_by_letter(data: pd.DataFrame) -> None:
    with pytest.raises(AsrError, match="factors= must be a list") as e:
        asr.asreml("y ~ Row", data=data, factors="Row")  # type: ignore[arg-type]
    assert "factors=['Row']" in str(e.value)


def test_params_must_be_a_table(data: pd.DataFrame) -> None:
    with pytest.raises(AsrError, match="params= must be a start-values table"):
        asr.asreml("y ~ A", random="~ B", data=data, params=[1, 2])  # type: ignore[arg-type]


def test_params_with_duplicated_rows_or_a_missing_constraint(data: pd.DataFrame) -> None:
    sv = asr.asreml("y ~ A", random="~ B", data=data, start_values=True)
    with pytest.raises(DataError, match="component 'B' is listed 2 times"):
        asr.asreml("y ~ A", random="~ B", data=data, params=pd.concat([sv, sv.iloc[:1]]))
    with pytest.raises(DataError, match="the constraint of 'B' is nan"):
        asr.asreml("y ~ A", random="~ B", data=data, params=sv.assign(Constraint=np.nan))


def test_start_values_outside_the_space_say_which_and_why(data: pd.DataFrame) -> None:
    sv = asr.asreml("y ~ A", random="~ B", data=data, start_values=True)
    sv.loc[sv["Component"] == "B", "Value"] = -5.0
    with pytest.raises(ModelError, match="the variance 'B' is -5 \\(it must be >= 0\\)") as e:
        asr.asreml("y ~ A", random="~ B", data=data, params=sv)
    assert "np.float64" not in str(e.value)


def test_a_matrix_named_by_a_string(data: pd.DataFrame, K: pd.DataFrame) -> None:
    text = '~ vm(id, "K")'
    with pytest.raises(FormulaError, match="takes the matrix by name") as e:
        asr.asreml("y ~ A", random=text, data=data, K=K)
    _at(e.value, text, '"K"')
    assert e.value.hint is not None and '"K"=' not in e.value.hint
    assert "vm(id, K)" in e.value.hint


@pytest.mark.parametrize("random", ["~ 1", "~ 0"])
def test_an_empty_random_formula(data: pd.DataFrame, random: str) -> None:
    with pytest.raises(FormulaError, match=f"the random formula '{random}' has no terms"):
        asr.asreml("y ~ A", random=random, data=data)


# --- numbers inside formulas -------------------------------------------------------------


@pytest.mark.parametrize("where,text,token,what", [
    ("random", "~ us(0.5):B", "0.5", "the number of levels in us()"),
    ("random", "~ ar1(1e6):B", "1e6", "the number of levels in ar1()"),
    ("random", "~ us(1e6)", "1e6", "the number of levels in us()"),
    ("random", "~ at(A, Inf):B", "Inf", "at(): inf is not a level of A"),
    ("fixed", "y ~ poly(x, -1)", "-1", "the degree of poly()"),
    ("fixed", "y ~ pol(x, 2.5)", "2.5", "the order of pol()"),
    ("random", "~ us(leg(x, 1e6)):B", "1e6", "the order of leg()"),
    ("random", "~ leg(x, 50):B", "50", "leg() of order 50 needs at least 51 distinct"),
    ("random", "~ fa(A, 1e6):B", "1e6", "fa(): the order"),
    ("random", "~ spl(x, 1e6)", "1e6", "spl(): the number of knots"),
    ("fixed", "y ~ bs(x, df = 1e9)", "1e9", "bs(): df"),
    ("residual", "~ dsum(~ units | C, levels = Inf)", "Inf", "dsum(): inf is not a level"),
    ("random", "~ idv(B, init = 1e308)", "1e308", "init value 1e+308 is far outside"),
    ("random", "~ idv(B, init = 'big')", "'big'", "init values must be finite numbers"),
    ("random", "~ at(A, 1:1e9):B", "1:1e9", "the range 1:1e9"),
])
def test_numbers_in_formulas(data: pd.DataFrame, where: str, text: str, token: str,
                             what: str) -> None:
    kw = {"random": "~ B", where: text} if where != "fixed" else {"fixed": text}
    kw.setdefault("fixed", "y ~ A")
    with pytest.raises(FormulaError) as e:
        asr.asreml(data=data, **kw)
    assert what in e.value.message, str(e.value)
    assert e.value.formula == where
    _at(e.value, text, token)


# --- size and depth ----------------------------------------------------------------------


def test_a_huge_power_is_capped_at_the_number_of_terms(data: pd.DataFrame) -> None:
    big = asr.compile_model("y ~ (A + C + x)^1e308", data=data)
    three = asr.compile_model("y ~ (A + C + x)^3", data=data)
    assert big.fixed.names == three.fixed.names


def test_a_thousand_term_formula_compiles(data: pd.DataFrame) -> None:
    model = asr.compile_model("y ~ " + " + ".join(["x"] * 1000), data=data)
    assert model.fixed.names == ["(Intercept)", "x"]


_HANGS = """
import numpy as np, pandas as pd, asr_py as asr
rng = np.random.default_rng(0)
d = pd.DataFrame({f"F{i}": rng.choice(list("abc"), 200) for i in range(15)})
d["y"] = rng.normal(size=200)
cases = [("y ~ " + ":".join(f"F{i}" for i in range(9)), None),
         ("y ~ " + "*".join(f"F{i}" for i in range(9)), None),
         ("y ~ 1", "~ " + "*".join(f"F{i}" for i in range(9))),
         ("y ~ 1", "~ " + ":".join(f"F{i}" for i in range(15)))]
for fixed, random in cases:
    try:
        asr.asreml(fixed, random=random, data=d)
        print("FIT")
    except asr.ModelError as exc:
        print(str(exc).splitlines()[0])
"""


def test_designs_too_large_are_refused_with_their_size_not_built() -> None:
    """Hang guard: these built multi-GiB designs or ran for minutes; now each is refused
    in about a second, with the estimate (the budget is generous for a loaded machine)."""
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(_HANGS)], capture_output=True,
                         text=True, timeout=180, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert len(lines) == 4, out.stdout
    assert lines[0].startswith("the fixed design would have 19,684 columns"), lines[0]
    assert "F0:F1:F2:F3:F4:F5:F6:F7:F8, has 19,683 columns" in lines[0]
    assert lines[1].startswith("the fixed design would have 19,683 columns"), lines[1]
    assert lines[2].startswith("the mixed model equations of the 511 random terms"), lines[2]
    assert lines[3].startswith("the random term F0:F1:") and "14,348,907 columns" in lines[3]


def test_x_rank_message_names_the_columns() -> None:
    from asr_py.reml import MixedProblem, fit_reml
    from asr_py.vcov.base import get_structure

    y = np.arange(10.0) ** 1.5
    X = np.column_stack([np.ones(10), np.arange(10.0), 2 * np.arange(10.0)])
    res = get_structure("idv")(tuple(str(i) for i in range(10)), name="units")
    prob = MixedProblem(y=y, X=X, random=[], residual=res, theta0=np.array([1.0]),
                        constraints=["P"], names=["units!R"], x_names=["(Intercept)", "x", "x2"])
    with pytest.raises(ModelError, match="not of full column rank: x2?, x2?") as e:
        fit_reml(prob)
    assert "MixedProblem" not in str(e.value)
