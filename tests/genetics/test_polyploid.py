"""asr_py.genetics.polyploid against closed forms of autopolyploid inbreeding and the
VanRaden G of dosages computed here with numpy."""

from __future__ import annotations

import numpy as np
import pytest

from asr_py.errors import DataError
from asr_py.genetics.polyploid import polyploid_amatrix, vanraden_polyploid


def _selfing_chain(t: int) -> tuple[list[str], list[str | None], list[str | None]]:
    ids = [f"g{k}" for k in range(t + 1)]
    par: list[str | None] = [None] + ids[:-1]
    return ids, par, list(par)


@pytest.mark.parametrize("t", [1, 2, 3])
def test_tetraploid_selfing_follows_textbook_inbreeding(t: int) -> None:
    # autotetraploid selfing under random chromosome segregation (no double reduction):
    # F_t = 1 - (5/6)^t (1/6, 11/36, 91/216); A_ii = 1 + (ploidy - 1) F
    ids, s, d = _selfing_chain(t)
    A = polyploid_amatrix(ids, s, d, ploidy=4)
    F = 1 - (5 / 6) ** t
    assert A[t, t] == pytest.approx(1 + 3 * F, abs=1e-12)


def test_hexaploid_self_and_double_reduction_closed_forms() -> None:
    # hexaploid selfed once: a gamete carries 3 of the 6 alleles; of the 15 allele pairs of
    # the child, the 9 between gametes are IBD with probability 1/6 -> F = 1/10
    ids, s, d = _selfing_chain(1)
    A6 = polyploid_amatrix(ids, s, d, ploidy=6)
    assert A6[1, 1] == pytest.approx(1 + 5 * 0.1)
    # tetraploid child of unrelated non-inbred parents with double-reduction rate w: only
    # the 2 within-gamete pairs of 6 can be IBD (probability w each) -> F = w/3
    w = 0.2
    A = polyploid_amatrix(["a", "b", "c"], [None, None, "a"], [None, None, "b"], ploidy=4,
                          w=w)
    assert A[2, 2] == pytest.approx(1 + 3 * w / 3)
    assert A[0, 2] == pytest.approx(0.5) and A[0, 1] == 0


def test_diploid_is_henderson_a_in_input_order() -> None:
    # children listed before their parents; full sibs 0.5, half sibs 0.25, a child of
    # full sibs has F = 1/4
    ids = ["k", "s1", "s2", "h", "p", "q", "r"]
    sire = ["s1", "p", "p", "p", None, None, None]
    dam = ["s2", "q", "q", "r", None, None, None]
    A = polyploid_amatrix(ids, sire, dam, ploidy=2)
    pos = {k: i for i, k in enumerate(ids)}
    assert A[pos["s1"], pos["s2"]] == pytest.approx(0.5)
    assert A[pos["s1"], pos["h"]] == pytest.approx(0.25)
    assert A[pos["k"], pos["k"]] == pytest.approx(1.25)
    assert A[pos["p"], pos["p"]] == 1.0
    np.testing.assert_allclose(A, A.T)


def test_pedigree_errors_name_the_problem() -> None:
    with pytest.raises(DataError, match="'x'.*not listed"):
        polyploid_amatrix(["a"], ["x"], [None], ploidy=4)
    with pytest.raises(DataError, match="cycle"):
        polyploid_amatrix(["a", "b"], ["b", "a"], [None, None], ploidy=2)
    with pytest.raises(DataError, match="even"):
        polyploid_amatrix(["a"], [None], [None], ploidy=3)


def test_vanraden_polyploid_is_zz_over_summed_sample_variances() -> None:
    rng = np.random.default_rng(3)
    X = rng.integers(0, 7, size=(8, 20)).astype(float)
    Z = X - X.mean(axis=0)
    want = Z @ Z.T / X.var(axis=0, ddof=1).sum()
    np.testing.assert_allclose(vanraden_polyploid(X, ploidy=6), want)
    f = X.mean(axis=0) / 6
    want_pc = Z @ Z.T / np.sum(6 * f * (1 - f))
    np.testing.assert_allclose(vanraden_polyploid(X, ploidy=6, ploidy_correction=True),
                               want_pc)
