"""stats' p.adjust() as translated (rpadjust.py). Expected values: the step-down/step-up
rules of ?p.adjust worked by hand for a small vector, and Hommel's procedure checked
against its definition - the closed test of Simes tests, the adjusted p_i being the
largest Simes p-value min_j |I| p_(j:I) / j over every set I of hypotheses holding i
(computed here by enumerating the sets)."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_r

from asr_py.errors import AsrError
from asr_py.translate.rpadjust import r_p_adjust

P = np.array([0.01, 0.04, 0.03, 0.02, 0.05])


def test_rules_worked_by_hand() -> None:
    np.testing.assert_allclose(r_p_adjust(P, "bonferroni"), [0.05, 0.2, 0.15, 0.1, 0.25])
    # holm: sorted .01 .02 .03 .04 .05 -> 5p, 4p, 3p, 2p, p = .05 .08 .09 .08 .05, cummax
    np.testing.assert_allclose(r_p_adjust(P, "holm"), [0.05, 0.09, 0.09, 0.08, 0.09])
    # BH: n/i p_(i) = .05 for all i -> all .05; hochberg: from the top .05 .08 .09 ... cummin
    np.testing.assert_allclose(r_p_adjust(P, "BH"), [0.05] * 5)
    np.testing.assert_allclose(r_p_adjust(P, "fdr"), [0.05] * 5)
    np.testing.assert_allclose(r_p_adjust(P, "hochberg"), [0.05] * 5)
    harmonic = 1 + 1 / 2 + 1 / 3 + 1 / 4 + 1 / 5
    np.testing.assert_allclose(r_p_adjust(P, "BY"), [0.05 * harmonic] * 5)
    np.testing.assert_allclose(r_p_adjust(P, "none"), P)


def _simes(ps: np.ndarray) -> float:
    s = np.sort(ps)
    return float(np.min(len(s) * s / np.arange(1, len(s) + 1)))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_hommel_is_the_closed_simes_test(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p = np.round(rng.uniform(0, 0.2, size=6) ** 1.5, 4)
    want = [max(_simes(p[list(I)]) for r in range(1, 7) for I in combinations(range(6), r)
                if i in I) for i in range(6)]
    np.testing.assert_allclose(r_p_adjust(p, "hommel"), np.minimum(want, 1), atol=1e-12)


def test_na_names_n_and_translation() -> None:
    p = pd.Series([0.01, np.nan, 0.03], index=["a", "b", "c"])
    ns = run_r("adj <- p.adjust(p, method = 'bonf', n = 4)\nh <- p.adjust(p)\n",
               complete=True, p=p)
    assert list(ns["adj"].index) == ["a", "b", "c"]
    np.testing.assert_allclose(ns["adj"].to_numpy(), [0.04, np.nan, 0.12])
    # holm with n = length(p) = 3 (the NA counts): 3 * .01, max(3 * .01, 2 * .03)
    np.testing.assert_allclose(ns["h"].to_numpy(), [0.03, np.nan, 0.06])
    with pytest.raises(AsrError, match="not a method"):
        r_p_adjust(P, "sidak")
    with pytest.raises(AsrError, match="smaller than"):
        r_p_adjust(P, n=3)
