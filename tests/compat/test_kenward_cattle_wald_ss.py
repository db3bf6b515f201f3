"""kenward.cattle (kwstat/agridat man/kenward.cattle.Rd, asreml 3): why asreml's incremental
Wald sums of squares of (Intercept) and lin(day) are 0.077 % below ours.

The page prints (``wald(m1)``; ``lucid::vc(m1)``)::

    (Intercept) 1 37128459 139060 | trt 1 455 2 | lin(day) 1 570798 2138 | trt:lin(day) 1 283 1
    residual (MS) 267;  spl(day) 25.29, dev(day) 1.902, trt:spl(day) and trt:dev(day) 'bnd'

Closed form. Every day has 60 records and spl(day)'s basis is orthogonal to 1 and day at the
knots, so on functions f of day alone V f = (σ² + 60 σ²_d) f (the bound components at 0):
W(1) = (Σy)² / (N c) and W(lin | 1) = (Σ(d − d̄) y)² / (Σ(d − d̄)² c), c = σ² + 60 σ²_d.
Both scale with 1/c alone, and asreml's two are off by the same factor (0.999232 and
0.999232). asreml's Sum of Sq / Wald statistic = σ² = 266.996 (ours 266.996), so its table
implies c = 381.386, σ²_d = 1.9065 - while it prints dev(day) 1.902 (≤ 1.9025), which gives
c ≤ 381.146. asreml's Wald table and its variance components are not at the same point (its
table is at a σ²_d 0.26 % above the printed one; the REML log-likelihood there is 4.5e-7 below
the optimum, well inside asreml's stopping rule). Holding σ²_d at 1.9065 reproduces all four
printed sums of squares and both Wald statistics. Nothing to fix in asr_py's Wald code.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _fetched import fetched

import asr_py as asr

KW = dict(fixed="weight ~ 1 + lin(day) + trt + trt:lin(day)",
          random="~ spl(day) + trt:spl(day) + dev(day) + trt:dev(day)")
#: the page's wald(m1): Sum of Sq, Wald statistic
PRINTED = {"(Intercept)": (37128459, 139060), "trt": (455, 2), "lin(day)": (570798, 2138),
           "trt:lin(day)": (283, 1)}


@pytest.fixture(scope="module")
def cattle() -> tuple[pd.DataFrame, asr.AsremlFit]:
    d = pd.read_csv(fetched("agridat_kenward_cattle.csv"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return d, asr.asreml(**KW, data=d)


def _c(fit: asr.AsremlFit) -> float:
    return fit.sigma2 + 60 * float(fit.varcomp.loc["dev(day)", "component"])


def test_intercept_and_lin_wald_are_the_closed_form(cattle) -> None:
    d, m = cattle
    assert (d.groupby("day").size() == 60).all()
    w = m.wald()
    y, day = d["weight"].to_numpy(float), d["day"].to_numpy(float)
    dc = day - day.mean()
    assert w.loc["(Intercept)", "Wald statistic"] == pytest.approx(
        y.sum() ** 2 / (len(y) * _c(m)), rel=1e-8)
    assert w.loc["lin(day)", "Wald statistic"] == pytest.approx(
        (dc @ y) ** 2 / (dc @ dc * _c(m)), rel=1e-8)


def test_printed_table_implies_another_dev_variance_than_printed(cattle) -> None:
    d, m = cattle
    y = d["weight"].to_numpy(float)
    ss, wald = PRINTED["(Intercept)"]
    s2_asreml = ss / wald                           # asreml's σ²: ±0.5 in the Wald printed
    assert s2_asreml == pytest.approx(m.sigma2, abs=0.5 / wald * s2_asreml)
    c_asreml = y.sum() ** 2 / (len(y) * wald)       # the closed form solved for c
    sd_implied = (c_asreml - m.sigma2) / 60
    assert sd_implied == pytest.approx(1.9065, abs=2e-4)
    assert sd_implied > 1.9025 + 3e-3               # beyond the printed 1.902 (4 digits)
    # ours: c at the printed dev(day), 0.077 % below asreml's table
    assert c_asreml / _c(m) == pytest.approx(1.000768, abs=5e-6)


def test_dev_variance_held_at_the_implied_value_reproduces_the_table(cattle) -> None:
    d, m = cattle
    ss, wald = PRINTED["(Intercept)"]
    y = d["weight"].to_numpy(float)
    sd = (y.sum() ** 2 / (len(y) * wald) - m.sigma2) / 60
    p = m.params.copy()
    k = int(np.flatnonzero(p["Component"].astype(str) == "dev(day)")[0])
    p.loc[k, "Value"], p.loc[k, "Constraint"] = sd, "F"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        held = asr.asreml(**KW, data=d, params=p)
    assert 0 < m.loglik - held.loglik < 1e-5
    w = held.wald()
    for term, (ss_p, w_p) in PRINTED.items():
        assert w.loc[term, "Sum of Sq"] == pytest.approx(ss_p, abs=0.5 if ss_p < 1e6 else 40)
        assert round(w.loc[term, "Wald statistic"]) == pytest.approx(w_p, abs=0.5)
    before = m.wald()      # at the optimum the two differ from the print by 0.077 %
    assert before.loc["(Intercept)", "Sum of Sq"] / 37128459 == pytest.approx(1.000768, abs=5e-6)
