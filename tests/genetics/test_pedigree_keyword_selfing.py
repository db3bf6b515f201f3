"""``asreml(..., pedigree=frame)`` with selfed plants (s34user audit): the roles check refused
the pedigree with the hint "pass check_roles=False", which asreml() does not take. The error
now names the call that works, and that call fits the model with the selfed A (reference:
the tabular A of tests/_dense_reml.py and a dense-V REML maximised by scipy)."""

import numpy as np
import pandas as pd
import pytest
from _dense_reml import indicator, maximise, reml_loglik, tabular_a

import asr_py as asr
from asr_py.errors import PedigreeError


@pytest.fixture(scope="module")
def plants() -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, list[str]]:
    """A 10-founder plant pedigree over 3 generations, every 5th plant selfed, rows shuffled,
    unknown parents coded '0', NA and '*'; phenotypes of the non-founders."""
    rng = np.random.default_rng(4)
    ids = [f"f{i}" for i in range(10)]
    sire: list[int | None] = [None] * 10
    dam: list[int | None] = [None] * 10
    for k in range(60):
        s = int(rng.integers(0, len(ids)))
        d = s if k % 5 == 0 else int(rng.integers(0, len(ids)))
        ids.append(f"p{k}")
        sire.append(s)
        dam.append(d)
    A = tabular_a(sire, dam)
    unknown = ["0", None, "*"]
    ped = pd.DataFrame({
        "id": ids,
        "sire": [ids[s] if s is not None else unknown[i % 3] for i, s in enumerate(sire)],
        "dam": [ids[d] if d is not None else unknown[(i + 1) % 3] for i, d in enumerate(dam)],
    }).sample(frac=1.0, random_state=1).reset_index(drop=True)
    u = np.linalg.cholesky(A + 1e-12 * np.eye(len(ids))) @ rng.normal(size=len(ids))
    rec = np.repeat(np.arange(10, len(ids)), 2)
    df = pd.DataFrame({"id": [ids[i] for i in rec], "y": 5 + u[rec] + rng.normal(size=rec.size)})
    return ped, df, A, ids


def test_pedigree_keyword_names_the_call_that_works(plants):
    ped, df, A, ids = plants
    with pytest.raises(PedigreeError) as err:
        asr.asreml("y ~ 1", random="~ ped(id)", data=df, pedigree=ped)
    assert "pedigree=asr.ainverse(ped, check_roles=False)" in str(err.value)
    m = asr.asreml("y ~ 1", random="~ ped(id)", data=df,
                   pedigree=asr.ainverse(ped, check_roles=False))
    y = df.y.to_numpy()
    Z = indicator(df.id, ids)
    K = Z @ A @ Z.T
    X = np.ones((y.size, 1))
    t, ll = maximise(lambda t: reml_loglik(y, X, np.exp(t[0]) * K + np.exp(t[1]) * np.eye(y.size)),
                     [np.zeros(2)])
    assert m.loglik == pytest.approx(ll, abs=1e-6)
    np.testing.assert_allclose(m.varcomp["component"].to_numpy(), np.exp(t), rtol=1e-4)


def test_data_ids_with_spaces_are_named(plants):
    """Data ids written ' p3 ' against a pedigree's 'p3' (the pedigree's are stripped): the
    error quotes them and says that stripping matches them (s34user audit)."""
    ped, df, _, _ = plants
    d = df.assign(id=df.id.where(df.index % 5 != 0, " " + df.id + " "))
    n = d.id.str.startswith(" ").groupby(d.id).any().sum()
    with pytest.raises(asr.MatrixError) as err:
        asr.asreml("y ~ 1", random="~ vm(id, Ainv)", data=d,
                   Ainv=asr.ainverse(ped, check_roles=False))
    text = str(err.value)
    assert "' p" in text
    assert f"{n} of them are ids of the matrix once surrounding spaces are removed" in text
