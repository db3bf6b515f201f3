"""A response the fixed effects reproduce exactly (a constant column; a value per
environment; one trait of a cbind() constant) has no REML estimate: y'Py = 0 and
ℓ ≈ ½(n − p)·ln(1/σ²) → +∞ as the variances shrink. It was fitted and reported as
converged at the engine's floor (ℓ = 1146.9 for a constant Yield of sommer's DT_example);
it is now refused before fitting, naming the trait. The unboundedness is checked here with
the dense-V REML of tests/_dense_reml.py (independent of asr_py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_reml import indicator, reml_loglik

import asr_py as asr
from asr_py.errors import ModelError


def _trial(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    env = np.repeat(["E1", "E2", "E3"], 20)
    name = np.tile([f"G{i}" for i in range(10)], 6)
    g = rng.normal(0, 1, 10)
    y = 10 + pd.Series(env).map({"E1": 0.0, "E2": 2.0, "E3": -1.0}).to_numpy() \
        + g[np.tile(np.arange(10), 6)] + rng.normal(0, 1, 60)
    return pd.DataFrame({"Env": env, "Name": name, "y": y,
                         "w": rng.normal(5, 1, 60)})


def test_dense_reml_is_unbounded_for_an_exact_response() -> None:
    d = _trial()
    y = d.Env.map({"E1": 1.0, "E2": 2.0, "E3": 5.0}).to_numpy()
    X = indicator(d.Env)
    Z = indicator(d.Name)
    lls = [reml_loglik(y, X, 0.5 * Z @ Z.T + s * np.eye(len(y))) for s in (1e-2, 1e-4, 1e-6)]
    assert lls[1] - lls[0] > 10 and lls[2] - lls[1] > 10   # no maximum


@pytest.mark.parametrize("resp, expect", [
    (lambda d: np.full(len(d), 3.0), "is constant (3 on all 60 records)"),
    (lambda d: d.Env.map({"E1": 1.0, "E2": 2.0, "E3": 5.0}),
     "is reproduced exactly by the fixed effects (60 records, 3 fixed-effect columns)"),
])
def test_univariate_exact_response_refused(resp, expect) -> None:
    d = _trial()
    d["y"] = resp(d)
    with pytest.raises(ModelError) as e:
        asr.asreml(fixed="y ~ Env", random="~ Name", data=d)
    assert f"the response 'y' {expect}" in str(e.value)
    assert "right column" in e.value.hint


def test_one_constant_trait_of_two_is_named() -> None:
    d = _trial().assign(w=1.0)
    with pytest.raises(ModelError, match="trait 'w' is constant"):
        asr.asreml(fixed="cbind(y, w) ~ trait + trait:Env", random="~ us(trait):Name",
                   residual="~ units:us(trait)", data=d)


def test_ordinary_and_near_exact_responses_still_fit() -> None:
    d = _trial()
    m = asr.asreml(fixed="y ~ Env", random="~ Name", data=d)
    assert m.converged
    # a response close to the fixed effects but with residual variation is a fit
    d2 = d.assign(y=d.Env.map({"E1": 1.0, "E2": 2.0, "E3": 5.0}) + 1e-3 * d.y)
    m2 = asr.asreml(fixed="y ~ Env", random="~ Name", data=d2)
    assert np.isfinite(m2.loglik)


def _broods(seed: int = 0) -> pd.DataFrame:
    """Nestlings of 40 broods (dam) reared in 30 foster nests; 'hatch' is a brood-level
    value (the same on every nestling of a dam), 'size' a nestling-level one."""
    rng = np.random.default_rng(seed)
    dam = np.repeat(np.arange(40), 4)
    nest = rng.integers(0, 30, dam.size)
    return pd.DataFrame({"dam": [f"d{i}" for i in dam], "nest": [f"n{i}" for i in nest],
                         "hatch": rng.normal(0, 1, 40)[dam],
                         "size": rng.normal(0, 1, 40)[dam] + rng.normal(0, 1, dam.size)})


def test_dense_reml_is_unbounded_for_a_brood_level_trait() -> None:
    d = _broods()
    Z = indicator(d.dam)
    X = np.ones((len(d), 1))
    y = d.hatch.to_numpy()
    lls = [reml_loglik(y, X, 0.9 * Z @ Z.T + s * np.eye(len(y))) for s in (1e-3, 1e-5, 1e-7)]
    d_contrasts = len(d) - 40          # within-dam contrasts: ℓ gains d/2·ln 100 per step
    np.testing.assert_allclose(np.diff(lls), d_contrasts / 2 * np.log(100), rtol=0.01)


def test_a_trait_constant_within_a_random_factor_is_refused() -> None:
    d = _broods()
    with pytest.raises(ModelError) as e:
        asr.asreml(fixed="hatch ~ 1", random="~ dam + nest", data=d)
    assert ("the response 'hatch' does not vary within the levels of the random term dam"
            in str(e.value)) and "120 within-level contrasts" in str(e.value)
    with pytest.raises(ModelError, match="trait 'hatch' does not vary within the levels"):
        asr.asreml(fixed="cbind(size, hatch) ~ trait", random="~ us(trait):dam",
                   residual="~ units:us(trait)", data=d)
    m = asr.asreml(fixed="size ~ 1", random="~ dam + nest", data=d)
    assert np.isfinite(m.loglik)


def test_a_fixed_residual_keeps_the_fit() -> None:
    """With units!R held ('F') ℓ is bounded: an exact response is a valid (if odd) fit."""
    d = _broods()
    sv = asr.asreml(fixed="hatch ~ 1", random="~ dam", data=d, start_values=True).copy()
    sv.loc[sv.Component == "units!R", ["Value", "Constraint"]] = [1.0, "F"]
    m = asr.asreml(fixed="hatch ~ 1", random="~ dam", data=d, params=sv)
    assert m.converged and np.isfinite(m.loglik)


def _env_plus_geno(seed: int = 1) -> pd.DataFrame:
    """4 environments x 10 genotypes, y = environment + genotype exactly (no error)."""
    rng = np.random.default_rng(seed)
    e, g = np.repeat(np.arange(4), 10), np.tile(np.arange(10), 4)
    return pd.DataFrame({"Env": [f"e{i}" for i in e], "Geno": [f"g{i}" for i in g],
                         "y": (3 * rng.normal(size=4))[e] + rng.normal(size=10)[g]})


def test_dense_reml_is_unbounded_for_environment_plus_genotype() -> None:
    d = _env_plus_geno()
    X, Z = indicator(d.Env), indicator(d.Geno)
    y = d.y.to_numpy()
    lls = [reml_loglik(y, X, 0.3 * Z @ Z.T + s * np.eye(len(y))) for s in (1e-3, 1e-5, 1e-7)]
    # 40 records - 10 genotypes - 3 environment contrasts = 27 contrasts fitted exactly
    np.testing.assert_allclose(np.diff(lls), 27 / 2 * np.log(100), rtol=0.01)


def test_environment_plus_genotype_exactly_is_refused() -> None:
    """The within-genotype variation is all environment: the centred fixed effects fit it
    (it was fitted and reported converged, units!R = 8.5e-8 on the boundary, ℓ = 177.2)."""
    d = _env_plus_geno()
    with pytest.raises(ModelError) as e:
        asr.asreml(fixed="y ~ Env", random="~ Geno", data=d)
    assert "random term Geno once the fixed effects are removed (27 within-level" \
        in str(e.value)
    assert "simulated without error" in e.value.hint
    noisy = d.assign(y=d.y + np.random.default_rng(2).normal(0, 0.1, len(d)))
    assert asr.asreml(fixed="y ~ Env", random="~ Geno", data=noisy).converged


def test_entries_plus_blocks_exactly_is_refused_on_a_wide_design() -> None:
    """150 fixed entries (a sparse X of 150 columns: the check projects X out of the 6
    block indicators and y rather than centring X within blocks) in 6 complete blocks,
    y = entry + block exactly; with noise it is an ordinary RCBD fit."""
    rng = np.random.default_rng(3)
    e, b = np.tile(np.arange(150), 6), np.repeat(np.arange(6), 150)
    d = pd.DataFrame({"Entry": [f"E{i:03d}" for i in e], "Block": [f"B{i}" for i in b],
                      "y": rng.normal(size=150)[e] + rng.normal(size=6)[b]})
    X, Z = indicator(d.Entry), indicator(d.Block)
    lls = [reml_loglik(d.y.to_numpy(), X, 0.5 * Z @ Z.T + s * np.eye(len(d)))
           for s in (1e-3, 1e-5)]
    assert lls[1] - lls[0] > 100                  # unbounded: no REML estimate
    with pytest.raises(ModelError, match="random term Block once the fixed effects are "
                                         r"removed \(745 within-level"):
        asr.asreml(fixed="y ~ Entry", random="~ Block", data=d)
    noisy = d.assign(y=d.y + rng.normal(0, 0.2, len(d)))
    assert np.isfinite(asr.asreml(fixed="y ~ Entry", random="~ Block", data=noisy).loglik)
