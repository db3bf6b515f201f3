"""explain(): every registered structure, closed-form toy covariances, sizes from data."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd
import pytest

from asr_py.errors import FormulaSyntaxError
from asr_py.explain import explain
from asr_py.vcov import registered_names


@pytest.fixture(scope="module")
def dt() -> pd.DataFrame:
    ref = resources.files("asr_py.data").joinpath("DT_example.csv")
    with resources.as_file(ref) as p:
        return pd.read_csv(p, dtype={c: str for c in ("Name", "Env", "Loc", "Year", "Block")})


# closed-form parameter counts for 3 levels (ASReml definitions)
EXPECTED_PARAMS = {
    "id": 0, "idv": 1, "idh": 3, "diag": 3, "us": 6, "cor": 1, "corv": 2, "corh": 4,
    "corb": 1, "corbv": 2, "corbh": 4, "corg": 3, "corgv": 4, "corgh": 6, "ar1": 1, "ar1v": 2,
    "ar1h": 4, "ar2": 2, "ar2v": 3, "ar2h": 5, "ar3": 3, "ar3v": 4, "ar3h": 6, "ma1": 1,
    "ma1v": 2, "ma1h": 4, "ma2": 2, "ma2v": 3, "ma2h": 5, "exp": 1, "expv": 2, "exph": 4,
    "sar": 1, "sarv": 2, "sarh": 4, "sar2": 2, "sar2v": 3, "sar2h": 5,
    "gau": 1, "gauv": 2, "gauh": 4, "fa": 6, "facv": 6, "xfa": 6, "sfa": 6, "rr": 6,
    "vm": 0, "giv": 0,
    # order 1: n variances (D) and n - 1 band terms
    "ante": 5, "chol": 5, "cholc": 5, "own": 2,
    # session 20: one φ (or range) / two φ per axis / ARMA's φ and θ
    **{f + s: k + {"": 0, "v": 1, "h": 3}[s]
       for f, k in (("iexp", 1), ("igau", 1), ("ieuc", 1), ("sph", 1), ("cir", 1),
                    ("aexp", 2), ("agau", 2), ("arma", 2), ("mtrn", 1))
       for s in ("", "v", "h")},
}
#: structures over points in a plane only (two coordinate columns)
PLANE = {f + s for f in ("aexp", "agau") for s in ("", "v", "h")}


@pytest.mark.parametrize("name", registered_names())
def test_every_registered_structure_is_explained(name: str) -> None:
    formula = {"vm": "~ vm(f, K)", "giv": "~ giv(f)",
               "own": '~ own(f, "fun", c(1, 0.1), c("V", "R")):g'}.get(
        name, f"~ {name}(x, y):g" if name in PLANE else f"~ {name}(f):g")
    ex = explain(formula)
    term = ex.terms[0]
    part = term.parts[0]
    assert part.n_params == EXPECTED_PARAMS[name], name
    # scale added exactly when the structure carries no variance (ASReml's rule)
    own_var = name in ("idv", "idh", "diag", "us", "fa", "facv", "xfa", "sfa", "rr", "ante",
                       "chol", "cholc", "own") or (
        name[-1] in "vh" and name not in ("giv", "sph"))  # sph: spherical, not 'sp' + h
    assert term.scale == (not own_var), name
    assert term.n_params == EXPECTED_PARAMS[name] + (0 if own_var else 1)
    assert name in str(ex) and "Var(u) =" in str(ex)
    V, labels = ex.toy_covariance()
    assert np.allclose(V, V.T)
    assert np.linalg.eigvalsh(V)[0] > 0
    assert len(labels) == V.shape[0]
    latex = ex.to_latex()
    assert latex.startswith(r"\begin{itemize}") and r"\mathrm{Var}(u)" in latex


def test_wording_of_common_terms() -> None:
    text = str(explain("~ us(trait):vm(id, K) + Block + ar1(Row):ar1(Col)"))
    assert "Var(u) = Σ_trait (n×n unstructured) ⊗ K (n×n known)" in text
    assert "Var(u) = σ² I_n" in text
    assert "σ² (AR1(ρ) ⊗ AR1(ρ))" in text
    assert "ρ^|i-j|" in text
    assert "σ² AR1(ρ)" in str(explain("~ ar1v(Row)", kind="residual"))


def test_toy_covariance_closed_forms() -> None:
    # plain factor: 3 toy records, V = I + σ² I with σ² = 1
    V, _ = explain("~ f").toy_covariance()
    assert np.allclose(V, 2 * np.eye(3))
    # ar1: V = I + C, C_ij = 0.1^|i-j| (ASReml's starting correlation 0.1)
    V, _ = explain("~ ar1(f)").toy_covariance()
    i = np.arange(3)
    assert np.allclose(V, np.eye(3) + 0.1 ** np.abs(i[:, None] - i[None, :]))
    # diag(f):g: records (f, g) in f-major order, variances 1, 1.5, 2 for f = 1, 2, 3
    V, _ = explain("~ diag(f):g").toy_covariance()
    assert np.allclose(V, np.eye(9) + np.kron(np.diag([1.0, 1.5, 2.0]), np.eye(3)))
    # at(f):g: only records at the first level of f share g effects
    V, _ = explain("~ at(f):g").toy_covariance()
    expect = np.eye(9)
    expect[:3, :3] += np.eye(3)
    assert np.allclose(V, expect)


def test_plotted_patterns_differ() -> None:
    pats = {f: explain(f"~ {f}(f):g" if f != "at" else "~ at(f):g").toy_covariance()[0]
            for f in ("at", "diag", "us", "ar1")}
    keys = list(pats)
    for a in range(len(keys)):
        for b in range(a + 1, len(keys)):
            assert not np.allclose(pats[keys[a]], pats[keys[b]]), (keys[a], keys[b])


def test_plot_returns_figure(tmp_path) -> None:
    pytest.importorskip("matplotlib")
    path = tmp_path / "v.png"
    fig = explain("~ us(f):g + ar1(h)").plot(str(path))
    assert path.stat().st_size > 1000
    assert fig.axes and fig.axes[0].images[0].get_array().shape == (27, 27)


def test_sizes_from_data(dt: pd.DataFrame) -> None:
    ex = explain("~ us(Env):Name + Block + at(Env):Name", dt)
    n_env, n_name, n_block = dt["Env"].nunique(), dt["Name"].nunique(), dt["Block"].nunique()
    t_us, t_block, t_at = ex.terms
    assert t_us.n_params == n_env * (n_env + 1) // 2
    assert f"Z is {len(dt)} x {n_env * n_name}" in t_us.sizes
    assert f"I_{n_name}" in t_us.math and f"{n_env}×{n_env}" in t_us.math
    assert f"Z is {len(dt)} x {n_block}" in t_block.sizes and t_block.n_params == 1
    assert t_at.n_params == n_env and t_at.sizes.count("Z is") == n_env


def test_bivariate_residual_sizes(dt: pd.DataFrame) -> None:
    ex = explain("~ units:us(trait)", dt, kind="residual", fixed="cbind(Yield, Weight) ~ trait")
    t = ex.terms[0]
    assert t.parts[1].n_params == 3
    assert f"R is {2 * len(dt)} x {2 * len(dt)}" in t.sizes


def test_fixed_formula_columns(dt: pd.DataFrame) -> None:
    ex = explain("Yield ~ Env", dt)
    assert ex.kind == "fixed"
    assert ex.terms[0].sizes.startswith(f"{dt['Env'].nunique() - 1} column")


def test_errors() -> None:
    with pytest.raises(FormulaSyntaxError):
        explain("~ us(Env")
    with pytest.raises(ValueError):
        explain("~ f", kind="fixd")
    with pytest.raises(ValueError):
        explain(3)  # type: ignore[arg-type]
