"""s21mv: ARp.acf keeps its last answer. Against the closed form of the AR(2)
autocorrelations (ρ_1 = φ_1/(1 − φ_2), ρ_k = φ_1ρ_{k−1} + φ_2ρ_{k−2}) and central differences
of it, for a sequence of φ that revisits earlier values (the kept answer is never stale), and
the kept arrays are read-only (a caller cannot change the next caller's answer)."""

from __future__ import annotations

import numpy as np
import pytest

from asr_py.vcov.autoregressive import AR2


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
