"""s33small: the MME's X full-rank check (a p x p eigendecomposition) runs once per X
object: refits and post-passes build new MMEs of the same X without repeating it, while
another X (full rank or not) is still checked, and a dependent column still refused."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from asr_py.errors import ModelError
from asr_py.reml import MixedProblem
from asr_py.reml import mme as mme_mod
from asr_py.vcov.base import get_structure


def _problem(X: sp.csc_matrix, seed: int = 1) -> MixedProblem:
    n = X.shape[0]
    res = get_structure("idv")(tuple(str(i) for i in range(n)), name="units")
    return MixedProblem(y=np.random.default_rng(seed).normal(size=n), X=X, random=[],
                        residual=res, theta0=np.array([1.0]), constraints=["P"],
                        names=["units!R"], x_names=[f"c{j}" for j in range(X.shape[1])])


def test_the_rank_check_runs_once_per_x(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = mme_mod.MME._check_x_rank_of
    monkeypatch.setattr(mme_mod.MME, "_check_x_rank_of",
                        lambda self: (calls.append(1), real(self))[1])
    rng = np.random.default_rng(2)
    X = sp.csc_matrix(np.column_stack([np.ones(40), rng.normal(size=40)]))
    prob = _problem(X)
    for _ in range(3):
        mme_mod.MME(prob)
    assert len(calls) == 1
    mme_mod.MME(_problem(X.copy()))                   # another X object: checked again
    assert len(calls) == 2
    bad = sp.csc_matrix(np.column_stack([X.toarray(), 2 * X.toarray()[:, 1]]))
    for _ in range(2):                                  # refused every time, never cached
        with pytest.raises(ModelError, match="not of full column rank"):
            mme_mod.MME(_problem(bad))
    assert len(calls) == 4
