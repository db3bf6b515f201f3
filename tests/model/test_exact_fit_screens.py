"""The exact-fit check's cheap screens (s33small) agree with its dense decision: the
within-row-group bound and the pivoted-Cholesky residual say 'inexact' only where the
eigendecomposition's least-squares residual (numpy's lstsq as the independent reference)
is far above TOL, and never on a response the fixed effects (or one random factor) do
reproduce; an exact response on a design whose rows repeat, or with aliased, badly
scaled or nearly collinear columns, is still refused."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import asr_py as asr
from asr_py.errors import ModelError
from asr_py.model import exact_fit as ef


def _design(seed: int, kind: str) -> np.ndarray:
    """A 120 x p fixed-effect design: indicators with aliasing, plus covariates."""
    rng = np.random.default_rng(seed)
    n = 120
    a = rng.integers(0, 6, n)
    b = rng.integers(0, 4, n)
    cols = [np.ones(n)] + [(a == i).astype(float) for i in range(6)] \
        + [((a == i) & (b == j)).astype(float) for i in range(6) for j in range(4)]
    if kind == "scaled":
        cols.append(1e6 * rng.normal(size=n))
    if kind == "collinear":
        year = rng.integers(2000, 2021, n).astype(float)
        cols += [year, year + 1e-2 * rng.normal(size=n)]
    return np.column_stack(cols)


def _lstsq_rel(X: np.ndarray, y: np.ndarray) -> float:
    beta = np.linalg.lstsq(X, y, rcond=None)[0]
    return float(np.linalg.norm(y - X @ beta) / np.linalg.norm(y))


@pytest.mark.parametrize("kind", ["plain", "scaled", "collinear"])
@pytest.mark.parametrize("seed", range(6))
def test_screens_never_call_an_exact_response_inexact(kind: str, seed: int) -> None:
    X = _design(seed, kind)
    rng = np.random.default_rng(100 + seed)
    Xs = sp.csc_matrix(X)
    exact = X @ rng.normal(size=X.shape[1])           # in span(X)
    noisy = exact + exact.std() * rng.normal(size=X.shape[0])   # not
    groups = ef._row_groups(Xs)
    assert _lstsq_rel(X, exact) < 1e-10
    assert not ef._clearly_inexact(ef._XFactor(Xs), exact, float(np.linalg.norm(exact)))
    assert not ef._inexact_within(exact, groups, float(exact @ exact))
    assert ef._exact(exact, ef._GramParts(Xs, exact))
    assert _lstsq_rel(X, noisy) > 1e-3
    assert ef._clearly_inexact(ef._XFactor(Xs), noisy, float(np.linalg.norm(noisy)))
    assert not ef._exact(noisy, ef._GramParts(Xs, noisy))


def test_row_groups_are_exactly_equal_rows() -> None:
    X = sp.csc_matrix(np.array([[1, 0, 2.0], [1, 0, 2.0], [1, 0, 2.0 + 1e-15], [0, 1, 0],
                                [1, 0, 2.0]]))
    g = ef._row_groups(X)
    assert g[0] == g[1] == g[4] and len({g[0], g[2], g[3]}) == 3
    y = np.array([1.0, 1.0, 5.0, 7.0, 1.0])           # equal within the groups
    assert not ef._inexact_within(y, g, float(y @ y))
    y[4] = 1.001
    assert ef._inexact_within(y, g, float(y @ y))
    assert ef._row_groups(sp.csc_matrix(np.ones((3, ef.MAX_KEY_NNZ + 1)))) is None


def _replicated(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({"Env": np.repeat([f"E{i}" for i in range(4)], 30),
                      "Rep": np.tile(np.repeat(["R1", "R2"], 15), 4),
                      "Geno": np.tile([f"G{i}" for i in range(15)], 8)})
    d["y"] = rng.normal(size=len(d))
    return d.astype({"Env": "category", "Rep": "category", "Geno": "category"})


def test_exact_responses_on_replicated_rows_are_still_refused() -> None:
    d = _replicated()
    d["y"] = d.Env.map({"E0": 1.0, "E1": 4.0, "E2": -2.0, "E3": 0.5}).astype(float) \
        + np.where(d.Rep == "R1", 0.25, 0.0)          # a value per Env:Rep cell
    with pytest.raises(ModelError, match="reproduced exactly by the fixed effects"):
        asr.asreml(fixed="y ~ Env + Env:Rep", random="~ Geno", data=d, trace=False)
    d["y"] = d.Geno.cat.codes.astype(float) ** 2     # one value per Geno, rows repeat
    with pytest.raises(ModelError, match="does not vary within the levels"):
        asr.asreml(fixed="y ~ 1", random="~ Geno + Env", data=d, trace=False)


def test_a_replicated_design_with_variation_is_fitted() -> None:
    fit = asr.asreml(fixed="y ~ Env + Env:Rep", random="~ Geno", data=_replicated(),
                     trace=False)
    assert np.isfinite(fit.loglik)


def test_screens_used_on_a_wide_design_keep_the_decision() -> None:
    """120 fixed-effect columns (>= SCREEN_COLS): the screens run inside asreml()."""
    rng = np.random.default_rng(8)
    d = pd.DataFrame({"Env": np.repeat([f"E{i}" for i in range(4)], 60),
                      "Rep": np.tile(np.repeat(["R1", "R2"], 30), 4),
                      "Geno": np.tile([f"G{i}" for i in range(30)], 8)})
    d = d.astype({"Env": "category", "Rep": "category", "Geno": "category"})
    cell = rng.normal(size=(4, 30))
    d["y"] = cell[d.Env.cat.codes, d.Geno.cat.codes]            # one value per Env:Geno
    assert 4 * 30 >= ef.SCREEN_COLS
    with pytest.raises(ModelError, match="reproduced exactly by the fixed effects"):
        asr.asreml(fixed="y ~ Env + Env:Geno", random="~ Env:Rep", data=d, trace=False)
    d["y"] = d.y + 0.3 * rng.normal(size=len(d))
    fit = asr.asreml(fixed="y ~ Env + Env:Geno", random="~ Env:Rep", data=d, trace=False)
    assert np.isfinite(fit.loglik)
