"""The score alone (s33polish: ``MME.score`` / ``VForm.score``, what reml/face_polish.py's
BFGS reads beside ℓ): the score of :meth:`score_ai` without the AI matrix, checked against
central differences of the dense-V REML ℓ (tests/reml/_reml_problems.py's dense_loglik) on
a scaled residual (sleepstudy, us(2) ⊗ id) and a structured one (simulated bivariate:
us(trait) in G and R)."""

from __future__ import annotations

import numpy as np
import pytest
from _reml_problems import bivariate, dense_loglik, sleepstudy

from asr_py.reml.mme import MME
from asr_py.reml.problem import MixedProblem
from asr_py.reml.v_form import VForm

CASES = {
    "sleepstudy": (sleepstudy, np.array([600.0, 11.0, 35.0, 650.0])),
    "bivariate": (bivariate, np.array([1.7, 0.8, 2.6, 4.2, 1.1, 5.3])),
}


def _fd_score(prob: MixedProblem, theta: np.ndarray) -> np.ndarray:
    out = np.empty(theta.size)
    for k in range(theta.size):
        h = 1e-4 * max(abs(theta[k]), 1.0)
        up, dn = theta.copy(), theta.copy()
        up[k] += h
        dn[k] -= h
        out[k] = (dense_loglik(prob, up) - dense_loglik(prob, dn)) / (2 * h)
    return out


@pytest.mark.parametrize("form", [MME, VForm])
@pytest.mark.parametrize("case", sorted(CASES))
def test_score_alone_is_the_reml_gradient(case: str, form: type) -> None:
    make, theta = CASES[case]
    prob = make()
    f = form(prob)
    st = f.evaluate(theta)
    s = f.score(st)
    fd = _fd_score(prob, theta)
    assert np.allclose(s, fd, rtol=1e-5, atol=1e-6 * np.abs(fd).max())
    s_ai, ai = f.score_ai(f.evaluate(theta))
    assert np.allclose(s, s_ai, rtol=1e-12, atol=1e-12 * np.abs(s_ai).max())
    assert np.all(np.linalg.eigvalsh(ai) > 0)  # (score_ai still forms its AI matrix)
