"""Level order of factors: text columns holding numbers are ordered as numbers, so an
order-dependent structure (ar1) sees neighbours as neighbours."""

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.model.data import level_labels


def test_level_order_rules():
    assert level_labels(pd.Series(["1", "10", "2", None, "3"])) == ("1", "2", "3", "10")
    assert level_labels(pd.Series(["b", "a", "10", "9"])) == ("10", "9", "a", "b")
    assert level_labels(pd.Series([3, 1, 2])) == ("1", "2", "3")
    cat = pd.Series(pd.Categorical(["lo", "hi"], categories=["lo", "hi"]))
    assert level_labels(cat) == ("lo", "hi")


def _field(as_text: bool) -> pd.DataFrame:
    rng = np.random.default_rng(4)
    rows, cols = 12, 3
    r, c = np.meshgrid(np.arange(1, rows + 1), np.arange(1, cols + 1), indexing="ij")
    # AR(1) along rows within each column, rho = 0.7
    e = np.zeros((rows, cols))
    e[0] = rng.normal(size=cols)
    for i in range(1, rows):
        e[i] = 0.7 * e[i - 1] + np.sqrt(1 - 0.49) * rng.normal(size=cols)
    df = pd.DataFrame({"Row": r.ravel(), "Col": c.ravel(), "y": 10 + e.ravel()})
    if as_text:
        df["Row"] = df["Row"].astype(str)
        df["Col"] = df["Col"].astype(str)
    return df


def test_ar1_on_text_coded_rows_equals_integer_rows():
    text = asr.asreml("y ~ 1", residual="~ ar1(Row):id(Col)", data=_field(True))
    num = asr.asreml("y ~ 1", residual="~ ar1(Row):id(Col)", data=_field(False),
                     factors=["Row", "Col"])
    assert text.converged and num.converged
    assert text.model.context.levels["Row"][:4] == ("1", "2", "3", "4")
    assert text.loglik == pytest.approx(num.loglik, abs=1e-8)
    np.testing.assert_allclose(text.varcomp["component"], num.varcomp["component"], rtol=1e-6)


def test_singular_known_matrix_warning_and_indefinite_error_name_the_matrix():
    """Rank 3 of 6: fitted as PSD (issue 11), the warning names the matrix; an indefinite K
    is refused, naming the matrix and the ridge option."""
    ids = [f"L{i}" for i in range(6)]
    rng = np.random.default_rng(0)
    W = rng.normal(size=(6, 3))
    G = pd.DataFrame(W @ W.T, index=ids, columns=ids)  # rank 3: singular
    df = pd.DataFrame({"id": ids, "y": rng.normal(size=6)})
    with pytest.warns(UserWarning, match=r"vm\(id, G\): K is singular \(rank 3 of 6\)"):
        asr.asreml("y ~ 1", random="~ vm(id, G)", data=df, G=G)
    bad = pd.DataFrame(W @ W.T - 0.5 * np.eye(6), index=ids, columns=ids)
    with pytest.raises(asr.MatrixError) as err:
        asr.asreml("y ~ 1", random="~ vm(id, G)", data=df, G=bad)
    text = str(err.value)
    assert "known matrix 'vm(id, G)'" in text and "not positive semi-definite" in text
    assert "ridge" in text


def test_structure_with_too_many_parameters_is_refused():
    """us() on a numeric column with 185 distinct values would have 17 205 parameters (the
    fit ran out of memory): refused at compile time, naming the column."""
    from pathlib import Path

    dt = pd.read_csv(Path(__file__).resolve().parents[1] / "data" / "DT_example.csv",
                     dtype={"Name": str, "Env": str})
    k = dt["Weight"].nunique()
    with pytest.raises(asr.FormulaError) as err:
        asr.compile_model("Yield ~ Env", random="~ us(Weight):Name", data=dt)
    text = str(err.value)
    assert f"{k * (k + 1) // 2} variance parameters" in text
    assert "numeric column" in text and "^" in text


def test_params_value_must_be_a_number():
    from pathlib import Path

    dt = pd.read_csv(Path(__file__).resolve().parents[1] / "data" / "DT_example.csv",
                     dtype={"Name": str, "Env": str})
    with pytest.raises(asr.DataError, match="value of 'Name' is 'x', not a number"):
        asr.asreml("Yield ~ Env", random="~ Name", data=dt, params={"Name": "x"})
