"""asr.dae (dae's factor and matrix helpers) against closed forms and hand-built examples."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import AsrError


def test_fac_combine_standard_order_and_labels() -> None:
    a = pd.Series(["b", "a", "b", "a", "b"])
    b = pd.Series([2, 1, 1, 2, 2])
    comb = asr.dae.fac_combine([a, b], combine_levels=True)
    # combinations that occur, first factor slowest: a,1 a,2 b,1 b,2
    assert list(comb.cat.categories) == ["a,1", "a,2", "b,1", "b,2"]
    assert list(comb.astype(str)) == ["b,2", "a,1", "b,1", "a,2", "b,2"]
    num = asr.dae.fac_combine([a, b])
    assert list(num.astype(str)) == ["4", "1", "3", "2", "4"]
    yates = asr.dae.fac_combine([a, b], order="yates", combine_levels=True, sep=".")
    assert list(yates.cat.categories) == ["a.1", "b.1", "a.2", "b.2"]   # first fastest


def test_fac_combine_drops_absent_combinations_and_keeps_missing() -> None:
    a = pd.Series(["x", "x", "y", None])
    b = pd.Series(["1", "2", "1", "2"])
    comb = asr.dae.fac_combine([a, b], combine_levels=True)
    assert list(comb.cat.categories) == ["x,1", "x,2", "y,1"]       # y,2 does not occur
    assert pd.isna(comb.iloc[3])
    with pytest.raises(AsrError, match="different lengths"):
        asr.dae.fac_combine([a, b.iloc[:2]])


def test_matrices_closed_forms() -> None:
    ar = asr.dae.mat_ar1(rho=0.6, order=4)
    assert ar[0, 3] == pytest.approx(0.6 ** 3) and ar[2, 1] == pytest.approx(0.6)
    i2 = asr.dae.mat_I(2)
    k = asr.dae.mat_dirprod(i2, ar)
    assert k.shape == (8, 8) and k[4:, 4:].tolist() == ar.tolist() and not k[:4, 4:].any()
    s = asr.dae.mat_dirsum([i2, asr.dae.mat_J(3)])
    assert s.shape == (5, 5) and s[2:, 2:].sum() == 9 and s[:2, 2:].sum() == 0
    phi1, phi2 = 0.5, 0.2
    a2 = asr.dae.mat_ar2([phi1, phi2], 4)
    r1 = phi1 / (1 - phi2)                     # Yule-Walker
    assert a2[0, 1] == pytest.approx(r1)
    assert a2[0, 2] == pytest.approx(phi1 * r1 + phi2)
    assert asr.dae.mat_banded([1, 0.3], 3, 3).tolist() == [[1, 0.3, 0], [0.3, 1, 0.3],
                                                           [0, 0.3, 1]]
    with pytest.raises(AsrError, match="must be less than 1"):   # dae: abs(rho) > 1
        asr.dae.mat_ar1(1.5, 3)


def test_as_numfac_and_fac_vcmat() -> None:
    f = pd.Series(pd.Categorical(["10", "2", "10", "x"]))
    np.testing.assert_array_equal(asr.dae.as_numfac(f).to_numpy()[:3], [10.0, 2.0, 10.0])
    assert np.isnan(asr.dae.as_numfac(f).iloc[3])
    v = asr.dae.fac_vcmat(pd.Series(["a", "b", "a"]), 2.5)
    z = np.array([[1, 0], [0, 1], [1, 0]], dtype=float)
    np.testing.assert_array_equal(v, 2.5 * z @ z.T)


def test_fac_sumop_sums_over_each_units_level() -> None:
    """dae's summation matrix ZZ': ZZ'y is, for each unit, the sum of y over its level."""
    f = pd.Series(["a", "b", "a", "c", "b"])
    y = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    np.testing.assert_array_equal(asr.dae.fac_sumop(f) @ y, [4.0, 7.0, 4.0, 4.0, 7.0])
    from asr_py.translate import translate
    assert "asr.dae.fac_sumop(" in translate("S <- fac.sumop(f)\n")


def test_mat_ar1_takes_an_r_vector_of_length_one() -> None:
    """R passes c(rho) (a length-1 vector) where a number is meant; 0.5^|i-j| by hand."""
    want = np.array([[1, .5, .25], [.5, 1, .5], [.25, .5, 1]])
    np.testing.assert_allclose(asr.dae.mat_ar1([0.5], order=[3]), want)
    with pytest.raises(AsrError, match="single number"):
        asr.dae.mat_ar1([0.5, 0.2], 3)
