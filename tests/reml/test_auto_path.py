"""solver='auto' weighs the paths' costs: a pedigree animal model (sparse A-inverse, one record
per animal) goes to the sparse mixed model equations, a dense genomic G to the eigen path;
both paths give the same REML fit (so the choice only changes the time)."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.reml.auto import choose_path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from problems import simulate_animal_data, simulate_pedigree  # noqa: E402


@pytest.fixture(scope="module")
def animal() -> dict:
    ped = simulate_pedigree(800, 5, seed=7)
    df = simulate_animal_data(ped, missing=0.0, seed=8)
    return dict(fixed="y1 ~ sex", random="~ vm(id, A)", data=df,
                A=asr.ainverse(ped[["id", "sire", "dam"]]))


def _gblup(n: int = 150) -> dict:
    rng = np.random.default_rng(9)
    z = rng.normal(size=(n, 400))
    G = z @ z.T / 400 + 0.05 * np.eye(n)
    ids = [f"g{i}" for i in range(n)]
    df = pd.DataFrame({"id": ids, "y": np.linalg.cholesky(G) @ rng.normal(size=n)
                       + rng.normal(size=n)})
    return dict(fixed="y ~ 1", random="~ vm(id, G)", data=df,
                G=pd.DataFrame(G, index=ids, columns=ids))


def _problem(kw: dict):
    kw = dict(kw)
    return asr.compile_model(kw.pop("fixed"), kw.pop("random"), None, kw.pop("data"),
                             **kw).problem()


def test_pedigree_animal_model_goes_sparse(animal: dict) -> None:
    choice = choose_path(_problem(animal))
    assert choice.path == "mme"
    assert "given as its inverse" in choice.reason and "eigendecomposition" in choice.reason
    m = asr.asreml(**animal)
    assert m.result.solver == "sparse" and m.result.path_reason == choice.reason
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        e = asr.asreml(**animal, solver="eigen")  # the other path: the same fit
    assert e.loglik == pytest.approx(m.loglik, abs=1e-5)
    np.testing.assert_allclose(e.varcomp["component"], m.varcomp["component"], rtol=1e-3)


def test_dense_grm_goes_to_the_eigen_path_and_a_cached_k_stays() -> None:
    kw = _gblup()
    choice = choose_path(_problem(kw))
    assert choice.path == "eigen" and "dense 150 x 150" in choice.reason
    m = asr.asreml(**kw)
    assert m.result.solver == "eigen"
    d = asr.asreml(**kw, solver="dense")
    assert d.loglik == pytest.approx(m.loglik, abs=1e-5)
    # the same K object again: its decomposition is cached, so eigen costs nothing more
    km_problem = m.model.problem()
    again = choose_path(km_problem)
    assert again.path == "eigen" and "cached" in again.reason


def test_models_without_one_known_matrix_say_why() -> None:
    from asr_py.cli import demo_data

    m = asr.asreml("Yield ~ Env", random="~ Name + Env:Name", data=demo_data())
    assert m.result.path_reason.startswith("the eigen path does not apply")
