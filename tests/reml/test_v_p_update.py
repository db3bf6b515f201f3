"""s29slow: the V form's rank-p correction of P subtracted in place by one BLAS dgemm
(reml/v_form._subtract_low_rank): ``inv -= a @ b.T`` to rounding (the same products; where
the BLAS tiles the two calls differently a sum may round apart by an ulp of its operands) in
every memory order, and P = V⁻¹ − V⁻¹X(X'V⁻¹X)⁻¹X'V⁻¹ against numpy with V built entry by
entry from the data (no v_form code)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.reml import v_form
from asr_py.reml.v_form import _subtract_low_rank


@pytest.mark.parametrize("order", ["C", "F", "strided"])
@pytest.mark.parametrize("n,p", [(40, 1), (257, 6), (300, 13)])
def test_same_digits_as_the_product(order: str, n: int, p: int) -> None:
    rng = np.random.default_rng(n + p)
    m = rng.standard_normal((n, n))
    sym = m + m.T
    a, b = rng.standard_normal((n, p)), rng.standard_normal((n, p))
    if order == "strided":
        big = np.zeros((n, 2 * n))
        big[:, ::2] = sym
        inv = big[:, ::2]
    else:
        inv = np.array(sym, order=order)
    want = inv.copy()
    want -= a @ b.T
    before = inv.__array_interface__["data"][0]
    _subtract_low_rank(inv, a, b)
    assert inv.__array_interface__["data"][0] == before  # in place
    scale = np.abs(sym) + np.abs(a) @ np.abs(b).T  # the operands' size, entry by entry
    assert np.all(np.abs(inv - want) <= 4 * np.finfo(float).eps * scale)
    assert not np.array_equal(inv, sym)  # the correction was applied


def test_p_matrix_against_numpy() -> None:
    rng = np.random.default_rng(29)
    n_g = 60
    ids = [f"g{i:02d}" for i in range(n_g)]
    mk = rng.standard_normal((n_g, 80))
    K = mk @ mk.T / 80 + 0.1 * np.eye(n_g)
    geno = rng.choice(n_g, size=150)
    env = rng.integers(0, 3, size=150)
    u = np.linalg.cholesky(K) @ rng.standard_normal(n_g)
    y = 2.0 + env + u[geno] + rng.standard_normal(150)
    d = pd.DataFrame({"y": y, "geno": np.asarray(ids)[geno], "env": [f"e{e}" for e in env]})
    Kd = pd.DataFrame(K, index=ids, columns=ids)
    cap: dict = {}
    orig = v_form.VForm.__init__

    def init(self: v_form.VForm, problem: object) -> None:
        orig(self, problem)  # type: ignore[arg-type]
        cap["form"] = self

    v_form.VForm.__init__ = init  # type: ignore[method-assign]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = asr.asreml(fixed="y ~ env", random="~ vm(geno, K)", data=d, K=Kd,
                             solver="v", maxit=3)
    finally:
        v_form.VForm.__init__ = orig  # type: ignore[method-assign]
    form = cap["form"]
    names = fit.result.names
    assert names[0].startswith("vm(geno") and names[-1].startswith("units")
    th = np.array([0.7, 1.3])
    pm = form.evaluate(th).factor.p_matrix()
    V = th[0] * K[np.ix_(geno, geno)] + th[1] * np.eye(150)
    X = np.column_stack([np.ones(150), env == 1, env == 2]).astype(float)
    vi = np.linalg.inv(V)
    want = vi - vi @ X @ np.linalg.solve(X.T @ vi @ X, X.T @ vi)
    np.testing.assert_allclose(pm, want, rtol=0, atol=1e-12 * np.abs(want).max())
    assert pm.flags.c_contiguous
