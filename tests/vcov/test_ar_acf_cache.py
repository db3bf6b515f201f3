"""s21mv: ARp.acf keeps its last answer. Against the closed form of the AR(2)
autocorrelations (ρ_1 = φ_1/(1 − φ_2), ρ_k = φ_1ρ_{k−1} + φ_2ρ_{k−2}) and central differences
of it, for a sequence of φ that revisits earlier values (the kept answer is never stale), and
the kept arrays are read-only (a caller cannot change the next caller's answer)."""

from __future__ import annotations

import numpy as np
import pytest

from asr_py.vcov.autoregressive import AR1, AR2


def _closed(phi1: float, phi2: float, n: int) -> np.ndarray:
    r = np.ones(n)
    r[1] = phi1 / (1 - phi2)
    for k in range(2, n):
        r[k] = phi1 * r[k - 1] + phi2 * r[k - 2]
    return r


@pytest.mark.parametrize("n", [3, 9, 30])
def test_ar2_acf_matches_closed_form_across_calls(n: int) -> None:
    t = AR2([str(i) for i in range(n)])
    seq = [(0.3, 0.2), (-0.5, 0.1), (0.3, 0.2), (0.3, 0.2000001), (0.7, -0.4), (-0.5, 0.1)]
    for phi in seq:
        r, dr = t.acf(np.array(phi))
        np.testing.assert_allclose(r, _closed(*phi, n), rtol=1e-13, atol=1e-15)
        for j in range(2):
            h = 1e-6
            up, lo = list(phi), list(phi)
            up[j] += h
            lo[j] -= h
            fd = (_closed(*up, n) - _closed(*lo, n)) / (2 * h)
            np.testing.assert_allclose(dr[j], fd, rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(t.correlation(np.array(phi)),
                                   _closed(*phi, n)[np.abs(np.subtract.outer(range(n),
                                                                             range(n)))],
                                   rtol=1e-13, atol=1e-15)
        with pytest.raises(ValueError):
            r[0] = 2.0


def test_ar1_kept_inverse_is_the_fresh_one_and_read_only() -> None:
    """s25speed: AR1 hands out its last C⁻¹ and dC⁻¹/dρ again at the same ρ: equal, digit
    for digit, to a fresh structure's (and to the dense inverse of ρ^|i-j| to round-off),
    recomputed at another ρ, and read-only (a caller cannot change the kept copy)."""
    levels = [str(i) for i in range(9)]
    a = AR1(levels)
    for r in (0.3, -0.55, 0.3):
        got = a.correlation_inverse(np.array([r]))
        dgot = a.correlation_inverse_derivatives(np.array([r]))[0]
        fresh = AR1(levels)
        np.testing.assert_array_equal(got.toarray(),
                                      fresh.correlation_inverse(np.array([r])).toarray())
        np.testing.assert_array_equal(
            dgot.toarray(), fresh.correlation_inverse_derivatives(np.array([r]))[0].toarray())
        c = r ** np.abs(np.subtract.outer(np.arange(9), np.arange(9)))
        np.testing.assert_allclose(got.toarray(), np.linalg.inv(c), atol=1e-12)
        h = 1e-6
        cp = (r + h) ** np.abs(np.subtract.outer(np.arange(9), np.arange(9)))
        cm = (r - h) ** np.abs(np.subtract.outer(np.arange(9), np.arange(9)))
        fd = (np.linalg.inv(cp) - np.linalg.inv(cm)) / (2 * h)
        np.testing.assert_allclose(dgot.toarray(), fd, atol=1e-6)
        assert a.correlation_inverse(np.array([r])) is got
        with pytest.raises(ValueError):
            got.data[0] = 1.0


@pytest.mark.parametrize("n", [2, 5, 24, 60])
def test_ar1_known_pd_only_where_is_pd_accepts(n: int) -> None:
    """s25speed: AR1.known_pd (no eigenvalues) says True only where is_pd on the dense
    ρ^|i-j| says True, and C's smallest eigenvalue is above the spectral bound it uses."""
    from asr_py.vcov.autoregressive import KNOWN_PD_MIN
    from asr_py.vcov.base import is_pd

    a = AR1([str(i) for i in range(n)])
    for r in (0.0, 0.3, -0.7, 0.99, -0.99, 0.999999, 1 - 1e-7, -(1 - 1e-9)):
        c = r ** np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
        bound = (1 - abs(r)) / (1 + abs(r))
        assert np.linalg.eigvalsh(c)[0] >= bound - 1e-12
        known = a.known_pd(np.array([r]))
        assert known == (bound > KNOWN_PD_MIN)
        if known:
            assert is_pd(c) and a.is_valid(np.array([r]))
    assert not a.known_pd(np.array([1.0])) and not a.is_valid(np.array([1.0]))
