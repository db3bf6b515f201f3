"""A random term inside the fixed effects' column space (s34user audit): a factor with one
level (every record in one field) beside the intercept, or a random Block also fitted as a
fixed term. The REML likelihood does not depend on its variance; before, the iteration
drifted to σ² = 6·10⁹, reported ℓ above its maximum by rounding noise (1.7·10⁻⁴, 2.4·10⁻³)
and prediction standard errors of 7.8·10⁴ where they are 0.47. Now the variance is held near
0 with a warning: the fit of the model without the term. Reference: dense-V REML
(tests/_dense_reml.py) of that model, its GLS predictions and their standard errors.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from _dense_reml import gls, indicator, maximise, reml_loglik

import asr_py as asr


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    rows = [(f"K{k}", a, b) for k in range(4) for a in ("a1", "a2", "a3")
            for b in ("b1", "b2", "b3") if rng.random() > 0.1]
    df = pd.DataFrame(rows, columns=["Block", "A", "B"])
    blk = dict(zip(sorted(df.Block.unique()), rng.normal(0, 1, 4)))
    wp = {k: rng.normal(0, 0.7) for k in sorted(set(zip(df.Block, df.A)))}
    eff = {"a1": 0.0, "a2": 1.0, "a3": 2.0, "b1": 0.0, "b2": 0.5, "b3": -0.5}
    df["y"] = [eff[a] + eff[b] + blk[k] + wp[(k, a)] + rng.normal(0, 0.5)
               for k, a, b in zip(df.Block, df.A, df.B)]
    df["Field"] = "F1"
    return df


def _dense(df: pd.DataFrame, block_fixed: bool) -> tuple[float, np.ndarray, np.ndarray]:
    """(ℓ, variances, GLS SEs of the A means over equal weights of B [and Block]) of
    y ~ A + B [+ Block], random ~ [Block +] Block:A, by dense-V REML."""
    n = len(df)
    y = df.y.to_numpy()
    cols = [np.ones(n), indicator(df.A)[:, 1:], indicator(df.B)[:, 1:]]
    if block_fixed:
        cols.append(indicator(df.Block)[:, 1:])
    X = np.column_stack(cols)
    zw = indicator(df.Block + ":" + df.A)
    mats = [zw @ zw.T, np.eye(n)]
    if not block_fixed:
        zb = indicator(df.Block)
        mats.insert(0, zb @ zb.T)

    def v(t: np.ndarray) -> np.ndarray:
        return sum(np.exp(ti) * m for ti, m in zip(t, mats))

    t, ll = maximise(lambda t: reml_loglik(y, X, v(t)), [np.zeros(len(mats))])
    _, cov = gls(y, X, v(t))
    L = []
    for a in range(3):  # the A means over equal weights of B (and Block) levels
        row = [1.0, a == 1, a == 2, 1 / 3, 1 / 3] + ([1 / 4] * 3 if block_fixed else [])
        L.append(np.asarray(row, dtype=float))
    L = np.array(L)
    return ll, np.exp(t), np.sqrt(np.diag(L @ cov @ L.T))


@pytest.mark.parametrize("fixed, random, block_fixed, term", [
    ("y ~ A + B", "~ Field + Block + Block:A", False, "Field"),
    ("y ~ A + B + Block", "~ Block + Block:A", True, "Block"),
])
def test_absorbed_random_term_is_held_and_the_fit_is_right(data, fixed, random, block_fixed,
                                                           term):
    ll, var, se = _dense(data, block_fixed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m = asr.asreml(fixed, random=random, data=data)
    msgs = [str(w.message) for w in caught if issubclass(w.category, asr.AsrWarning)]
    assert any(f"random term '{term}' lies within the fixed effects" in s for s in msgs), msgs
    assert m.varcomp.loc[term, "bound"] == "F"
    assert m.loglik == pytest.approx(ll, abs=1e-6)
    others = m.varcomp.drop(index=term)["component"].to_numpy()
    np.testing.assert_allclose(others, var, rtol=1e-4)
    p = m.predict(classify="A", ignore=["Block:A"])  # L'β̂ alone: the GLS variance
    np.testing.assert_allclose(p["std.error"].to_numpy(), se, rtol=1e-4)


def test_a_term_the_fixed_effects_do_not_absorb_is_left_free(data):
    m = asr.asreml("y ~ A + B", random="~ Block + Block:A", data=data)
    assert set(m.varcomp["bound"]) <= {"P", "B"}
    assert not any("lies within the fixed effects" in d for d in m.diagnostics)
