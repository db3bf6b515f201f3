"""Non-identifiable variance parameters are reported plainly (not 'converged: True after 1
iteration'), and a non-converged fit raises asr.ConvergenceWarning."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import asr_py as asr


def _one_record_per_id(n: int = 150, reps: int = 1, seed: int = 0):
    rng = np.random.default_rng(seed)
    ids = [f"i{k}" for k in range(n)]
    g = rng.normal(0, 1.0, n)
    df = pd.DataFrame({"id": np.repeat(ids, reps),
                       "y": np.repeat(g, reps) + rng.normal(0, 1.0, n * reps)})
    return df, pd.DataFrame(np.eye(n), index=ids, columns=ids)


@pytest.mark.parametrize("solver", ["auto", "sparse", "dense"])
def test_vm_identity_one_record_per_id_is_not_identifiable(solver: str) -> None:
    df, K = _one_record_per_id()
    with pytest.warns(asr.IdentifiabilityWarning, match="vm\\(id, K\\) and units!R"):
        m = asr.asreml("y ~ 1", random="~ vm(id, K)", data=df, K=K, solver=solver)
    assert not m.identifiable and not m.converged
    assert "converged: False: the variance parameters are not identifiable" in m.summary()
    assert m.diagnostics[0].startswith("the variance parameters are not identifiable")
    # independent check that the split is arbitrary: with the residual variance fixed at a
    # different value the REML log-likelihood reaches the same maximum (only the sum counts)
    total = float(m.varcomp["component"].sum())
    params = pd.DataFrame({"Component": ["vm(id, K)", "units!R"],
                           "Value": [0.8 * total, 0.2 * total], "Constraint": ["P", "F"]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", asr.AsrWarning)
        other = asr.asreml("y ~ 1", random="~ vm(id, K)", data=df, K=K, params=params,
                           solver="dense")
    assert other.loglik == pytest.approx(m.loglik, abs=1e-6)
    assert other.varcomp["component"].iloc[0] == pytest.approx(0.8 * total, rel=1e-4)


def test_id_factor_one_record_per_level_is_not_identifiable() -> None:
    df, _ = _one_record_per_id()
    with pytest.warns(asr.IdentifiabilityWarning, match="id and units!R"):
        m = asr.asreml("y ~ 1", random="~ id", data=df, factors=["id"])
    assert not m.converged


def test_replicated_ids_are_identifiable_and_silent() -> None:
    df, K = _one_record_per_id(reps=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", asr.AsrWarning)
        m = asr.asreml("y ~ 1", random="~ vm(id, K)", data=df, K=K)
    assert m.identifiable and m.converged
    assert "not identifiable" not in m.summary()


def test_non_converged_fit_warns(dt_example: pd.DataFrame) -> None:
    with pytest.warns(asr.ConvergenceWarning, match="did not converge in 2 iterations"):
        m = asr.asreml("Yield ~ Env", random="~ Name + Env:Name", data=dt_example, maxit=2)
    assert not m.converged and m.identifiable


def test_aic_bic_are_floats(dt_example: pd.DataFrame) -> None:
    m = asr.asreml("Yield ~ Env", random="~ Name", data=dt_example)
    assert type(m.aic) is float and type(m.bic) is float
    k, df = 2, m.result.n_minus_p
    assert m.bic == pytest.approx(-2 * m.loglik + k * np.log(df), rel=1e-12)


def test_dir_lists_lazy_names() -> None:
    names = dir(asr)
    for name in ("asreml", "lrt", "ainverse", "compile_model", "ConvergenceWarning"):
        assert name in names
