"""asremlPlus's ``newfit.asreml`` keeps the supplied fit when the refit is not acceptable,
and a correlation the engine held on asreml's ar1 limit starts free in a refit.

asremlPlus R/reml4.v13.r, newfit.asreml: after the refit, ``if (!asreml.new.obj$converge)
{warning(...); if (!allow.unconverged) asreml.new.obj <- asreml.obj} else if
(!isFixedCorrelOK.asreml(asreml.new.obj, allow.fixedcorrelation)) {warning("At least one
correlation's estimated value is bound, singular or fixed"); asreml.new.obj <- asreml.obj}``.

PSA.27 (tests/data/asremlplus_psa27.csv, asremlPlus's PSA.27.dat), fixed ``PSA.27 ~ 1``,
residual ``~ ar1(Lane):Position``: with random ``~ Lane + Position + units`` the Lane
correlation is held at -0.98 'F' (asreml holds it there: test41Selection.r:882); without
units it is -0.024 'U' (ℓ -1746.669, the same fit from scratch). asremlPlus's
test42Selection.r:1045-1058 (asreml 4.2): ``newfit(m.asr, random. = ~ . - units,
allow.fixedcorrelation = FALSE)`` warns about the supplied fit and drops units (the refit's
correlation is free); asreml 4.1 (test41Selection.r:972/978) carried the hold into the refit
(ℓ -1950.803, 204 below) and kept units.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

import asr_py as asr
from asr_py.warning_classes import AsrWarning

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def psa_fit() -> object:
    d = pd.read_csv(DATA / "asremlplus_psa27.csv", dtype={"Lane": str, "Position": str})
    for c in ("Lane", "Position"):      # R's factor levels, numeric order
        d[c] = pd.Categorical(d[c], categories=sorted(d[c].unique(), key=int))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asr.asreml("PSA.27 ~ 1", random="~ Lane + Position + units",
                          residual="~ ar1(Lane):Position", data=d, maxit=50)


def _cor_bound(fit: object) -> str:
    vc = fit.varcomp
    return str(vc.loc[[i for i in vc.index if str(i).endswith("!cor")][0], "bound"])


def test_held_correlation_starts_free_in_the_refit(psa_fit) -> None:
    assert _cor_bound(psa_fit) == "F"
    with pytest.warns(AsrWarning, match="supplied asreml fit for PSA.27 is bound, singular"):
        new = asr.plus.newfit(psa_fit, random_="~ . - units", allow_fixedcorrelation=False)
    assert new is not psa_fit and "units" not in list(new.varcomp.index)  # 4.2: :1052/1058
    assert _cor_bound(new) == "U"
    d = psa_fit.call["data"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scratch = asr.asreml("PSA.27 ~ 1", random="~ Lane + Position",
                             residual="~ ar1(Lane):Position", data=d, maxit=50)
    assert new.loglik == pytest.approx(scratch.loglik, abs=1e-6)
    assert new.loglik == pytest.approx(-1746.669029, abs=1e-5)


def test_refit_with_a_held_correlation_is_not_kept(psa_fit) -> None:
    """Adding units back pushes the correlation onto the limit again: with
    allow.fixedcorrelation FALSE newfit returns the supplied fit, with TRUE the refit."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        small = asr.plus.newfit(psa_fit, random_="~ . - units")
        grown = asr.plus.newfit(small, random_="~ . + units", allow_fixedcorrelation=True)
    assert "units" in list(grown.varcomp.index) and _cor_bound(grown) == "F"
    assert grown.loglik == pytest.approx(psa_fit.loglik, abs=1e-6)
    with pytest.warns(AsrWarning, match="At least one correlation's estimated value is bound"):
        kept = asr.plus.newfit(small, random_="~ . + units", allow_fixedcorrelation=False)
    assert kept is small


def test_unconverged_refit_is_not_kept_when_not_allowed(psa_fit) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        short = asr.plus.newfit(psa_fit, random_="~ . - units", maxit=1)
        kept = asr.plus.newfit(psa_fit, random_="~ . - units", maxit=1,
                               allow_unconverged=False)
    assert not short.converged and "units" not in list(short.varcomp.index)
    assert kept is psa_fit
