"""Shared checks for the covariance-template tests: finite differences and dense algebra."""

from __future__ import annotations

import numpy as np

from asr_py.vcov.base import CovTemplate, to_dense


def fd_derivatives(t: CovTemplate, theta: np.ndarray, h: float = 1e-6) -> list[np.ndarray]:
    """Central finite differences of Σ(θ), one per parameter (step h · max(1, |θ_k|))."""
    out = []
    for k in range(theta.size):
        step = h * max(1.0, abs(theta[k]))
        tp, tm = theta.copy(), theta.copy()
        tp[k] += step
        tm[k] -= step
        out.append((to_dense(t.matrix(tp)) - to_dense(t.matrix(tm))) / (2 * step))
    return out


def check_template(t: CovTemplate, theta: np.ndarray, *, rtol: float = 1e-6) -> None:
    """Assert every value of ``t`` at θ agrees with an independent dense computation."""
    theta = np.asarray(theta, dtype=float)
    assert len(t.param_names) == len(t.param_kinds) == t.n_params == theta.size
    m = to_dense(t.matrix(theta))
    assert m.shape == (t.n, t.n)
    np.testing.assert_allclose(m, m.T, atol=1e-12)
    scale = max(1.0, np.abs(m).max())
    # derivatives vs central finite differences
    ders = [to_dense(d) for d in t.derivatives(theta)]
    fds = fd_derivatives(t, theta)
    assert len(ders) == theta.size
    for k, (d, f) in enumerate(zip(ders, fds)):
        np.testing.assert_allclose(d, f, atol=1e-5 * scale, rtol=1e-5,
                                   err_msg=f"derivative {k} ({t.param_names[k]})")
    # inverse @ matrix = I
    inv = to_dense(t.inverse(theta))
    np.testing.assert_allclose(inv @ m, np.eye(t.n), atol=1e-8 * np.linalg.cond(m))
    # logdet vs slogdet
    sign, ld = np.linalg.slogdet(m)
    assert sign > 0
    np.testing.assert_allclose(t.logdet(theta), ld, rtol=rtol, atol=1e-9 * t.n)
    # inv_deriv_inv vs dense formula
    mi = np.linalg.inv(m)
    idi = [to_dense(x) for x in t.inv_deriv_inv(theta)]
    assert len(idi) == theta.size
    for k, (x, d) in enumerate(zip(idi, ders)):
        ref = mi @ d @ mi
        np.testing.assert_allclose(x, ref, atol=1e-7 * max(1.0, np.abs(ref).max()), rtol=1e-6,
                                   err_msg=f"inv_deriv_inv {k} ({t.param_names[k]})")
