"""Small fits in a loop (s21small's per-fit cost cuts: a cached BLAS controller, factor codes
from a categorical's codes, a factor coded once per compile, a direct CSR indicator, no free
memory read for small designs) keep every number.

* ℓ, the variance components, β̂ and its standard errors agree with the dense-V REML of
  tests/_dense_reml.py (its own optimum, GLS at asreml's estimates);
* repeated fits in one process, with other models fitted in between, give the same digits
  (nothing cached leaks from one fit into the next);
* the same data with its factors as pandas categoricals and as text columns give the same
  digits (the categorical code path against the generic one);
* the lazily formed pieces (Var(β̂), predictions and their SEs) equal their dense forms.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_reml import fit_dense, gls, indicator, reml_loglik

import asr_py as asr


def _split_plot(seed: int = 5) -> pd.DataFrame:
    """4 replicates x 3 main plots (A) x 4 subplots (B), twice; Rep and Rep:A effects."""
    rng = np.random.default_rng(seed)
    d = pd.DataFrame([(f"R{r}", f"A{a}", f"B{b}") for r in range(4) for a in range(3)
                      for b in range(4)] * 2, columns=["Rep", "A", "B"])
    rep = d.Rep.str[1:].astype(int).to_numpy()
    main = rep * 3 + d.A.str[1:].astype(int).to_numpy()
    d["y"] = (20 + rng.normal(0, 1.0, 4)[rep] + rng.normal(0, 0.7, 12)[main]
              + 0.4 * d.B.str[1:].astype(int) + rng.normal(0, 0.6, len(d)))
    return d


def _as_categorical(d: pd.DataFrame, cols: tuple[str, ...]) -> pd.DataFrame:
    out = d.copy()
    for c in cols:
        out[c] = pd.Categorical(out[c], categories=sorted(out[c].unique()))
    return out


def _design(d: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """X (intercept, A, B, A:B with treatment contrasts: R's model.matrix), Z_Rep, Z_Rep:A."""
    d = d.astype({c: str for c in ("Rep", "A", "B")})
    A, B = indicator(d.A)[:, 1:], indicator(d.B)[:, 1:]
    AB = np.column_stack([A[:, i] * B[:, j] for j in range(B.shape[1])
                          for i in range(A.shape[1])])
    X = np.column_stack([np.ones(len(d)), A, B, AB])
    return X, d.y.to_numpy(float), indicator(d.Rep), indicator(d.Rep + ":" + d.A)


FIT = dict(fixed="y ~ A * B", random="~ Rep + Rep:A")


def _numbers(m: asr.AsremlFit) -> dict[str, np.ndarray]:
    cf = m.coef_fixed
    pv = m.predict(classify="A:B")
    return {"loglik": np.array([m.loglik]),
            "theta": m.varcomp["component"].to_numpy(float),
            "beta": cf.iloc[:, 0].to_numpy(float),
            "se": cf["std.error"].to_numpy(float),
            "pred": pv["predicted.value"].to_numpy(float),
            "pred_se": pv["std.error"].to_numpy(float)}


def test_split_plot_against_dense_reml() -> None:
    d = _as_categorical(_split_plot(), ("Rep", "A", "B"))
    m = asr.asreml(data=d, **FIT)
    X, y, Z1, Z2 = _design(d)
    n = len(y)

    def build_v(t: np.ndarray) -> np.ndarray | None:
        if np.any(t < 0):
            return None
        return t[0] * Z1 @ Z1.T + t[1] * Z2 @ Z2.T + t[2] * np.eye(n)

    theta, ll = fit_dense(y, X, build_v, [np.array([1.0, 0.5, 0.5]),
                                          np.array([0.2, 0.2, 1.0])],
                          bounds=[(0, None)] * 3)
    vc = m.varcomp["component"]
    got = np.array([vc["Rep"], vc["Rep:A"], vc["units!R"]])
    assert m.loglik == pytest.approx(ll, abs=1e-7)
    assert np.allclose(got, theta, rtol=2e-4, atol=1e-6)
    V = build_v(got)
    assert m.loglik == pytest.approx(reml_loglik(y, X, V), abs=1e-9)
    beta, cov = gls(y, X, V)
    cf = m.coef_fixed
    # asr_py's coefficient table lists aliased/reference levels too: match by name
    names = ["(Intercept)", *[f"A_A{i}" for i in (1, 2)], *[f"B_B{j}" for j in (1, 2, 3)],
             *[f"A_A{i}:B_B{j}" for j in (1, 2, 3) for i in (1, 2)]]
    assert np.allclose(cf.loc[names].iloc[:, 0].to_numpy(float), beta, rtol=1e-7, atol=1e-9)
    assert np.allclose(cf.loc[names, "std.error"].to_numpy(float), np.sqrt(np.diag(cov)),
                       rtol=1e-7)


def test_repeated_fits_give_the_same_digits() -> None:
    """Fits 1 and 3 of a loop, with a different model (other columns, a residual structure)
    fitted in between, are equal to the last bit, results included."""
    d = _as_categorical(_split_plot(), ("Rep", "A", "B"))
    first = _numbers(asr.asreml(data=d, **FIT))
    other = d.assign(Row=np.repeat(np.arange(8), 12).astype(str),
                     Col=np.tile(np.arange(12), 8).astype(str))
    asr.asreml("y ~ A", random="~ Rep", residual="~ ar1(Row):ar1(Col)", data=other)
    asr.asreml("y ~ B", random="~ A", data=d)
    again = _numbers(asr.asreml(data=d, **FIT))
    for k in first:
        assert np.array_equal(first[k], again[k], equal_nan=True), k
    assert list(d.columns) == ["Rep", "A", "B", "y"]  # the user's frame is not modified


def test_categorical_and_text_factors_give_the_same_digits() -> None:
    """The categorical code path (codes and categories) and the text path (factorize) give
    the same fit when the categories are in R's (sorted) order."""
    text = _split_plot()
    cat = _as_categorical(text, ("Rep", "A", "B"))
    a, b = _numbers(asr.asreml(data=cat, **FIT)), _numbers(asr.asreml(data=text, **FIT))
    for k in a:
        assert np.array_equal(a[k], b[k], equal_nan=True), k


def test_categorical_with_unused_and_missing_levels() -> None:
    """Unused categories are not levels; a record with a missing factor is dropped (with
    its warning), as for the same column written as text with NaN."""
    text = _split_plot()
    text.loc[[3, 50], "A"] = np.nan
    cat = text.copy()
    cat["A"] = pd.Categorical(text.A, categories=["A0", "A1", "A2", "A9"])
    with pytest.warns(UserWarning):
        a = asr.asreml(data=cat, **FIT)
    with pytest.warns(UserWarning):
        b = asr.asreml(data=text, **FIT)
    assert a.model.records.n == len(text) - 2
    na, nb = _numbers(a), _numbers(b)
    for k in na:
        assert np.array_equal(na[k], nb[k], equal_nan=True), k
    assert "A9" not in set(a.predict(classify="A").A.astype(str))


def test_lazy_pieces_equal_their_dense_forms() -> None:
    """Var(β̂) (formed on first use) is (X'V⁻¹X)⁻¹ at the estimates; the predictions of
    A:B and their SEs are Lβ̂ and sqrt(diag(L Var(β̂) L')) for the cell-mean rows L."""
    d = _as_categorical(_split_plot(), ("Rep", "A", "B"))
    m = asr.asreml(data=d, **FIT)
    X, y, Z1, Z2 = _design(d)
    vc = m.varcomp["component"]
    V = vc["Rep"] * Z1 @ Z1.T + vc["Rep:A"] * Z2 @ Z2.T + vc["units!R"] * np.eye(len(y))
    beta, cov = gls(y, X, V)
    pv = m.predict(classify="A:B")
    rows = []
    for a_, b_ in zip(pv.A.astype(str), pv.B.astype(str)):
        ia = [float(a_ == f"A{i}") for i in (1, 2)]
        ib = [float(b_ == f"B{j}") for j in (1, 2, 3)]
        rows.append([1.0, *ia, *ib, *[ia[i] * ib[j] for j in range(3) for i in range(2)]])
    L = np.array(rows)
    assert np.allclose(pv["predicted.value"].to_numpy(float), L @ beta, rtol=1e-8)
    assert np.allclose(pv["std.error"].to_numpy(float), np.sqrt(np.diag(L @ cov @ L.T)),
                       rtol=1e-7)
