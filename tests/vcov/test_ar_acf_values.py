"""ARp/sar/sar2 correlations from values alone (acf_values, the bound search's
correlation matrices): the same numbers as acf()'s, and AR(2)'s against its closed form
ρ_1 = φ_1/(1 − φ_2), ρ_k = φ_1ρ_{k−1} + φ_2ρ_{k−2} (Box & Jenkins)."""

from __future__ import annotations

import numpy as np
import pytest

from asr_py.vcov import autoregressive as ar

LEVELS = [str(i) for i in range(17)]


@pytest.mark.parametrize("cls, par", [(ar.AR2, [0.3, 0.2]), (ar.AR3, [0.5, -0.2, 0.1]),
                                      (ar.SAR, [0.7]), (ar.SAR2, [0.4, -0.3])])
def test_values_equal_acf(cls: type, par: list[float]) -> None:
    a, b = cls(LEVELS), cls(LEVELS)
    v = a.acf_values(np.array(par))
    r = b.acf(np.array(par))[0]
    np.testing.assert_array_equal(v, r)
    np.testing.assert_array_equal(a.correlation(np.array(par)), b.correlation(np.array(par)))


def test_ar2_closed_form() -> None:
    p1, p2 = 0.45, 0.3
    ref = np.ones(len(LEVELS))
    ref[1] = p1 / (1 - p2)
    for k in range(2, ref.size):
        ref[k] = p1 * ref[k - 1] + p2 * ref[k - 2]
    np.testing.assert_allclose(ar.AR2(LEVELS).acf_values(np.array([p1, p2])), ref,
                               rtol=1e-13)
