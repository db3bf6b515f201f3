"""asremlPlus's ``newfit.asreml`` keeps the supplied fit when the refit is not acceptable.

asremlPlus R/reml4.v13.r, newfit.asreml: after the refit, ``if (!asreml.new.obj$converge)
{warning(...); if (!allow.unconverged) asreml.new.obj <- asreml.obj} else if
(!isFixedCorrelOK.asreml(asreml.new.obj, allow.fixedcorrelation)) {warning("At least one
correlation's estimated value is bound, singular or fixed"); asreml.new.obj <- asreml.obj}``.

Expectations: asremlPlus's tests/testthat/test41Selection.r lines 966-978 (PSA.27, fixed
``PSA.27 ~ 1``, random ``~ Lane + Position + units``, residual ``~ ar1(Lane):Position``):
``newfit(m.asr, random. = ~ . - units, allow.fixedcorrelation = TRUE)`` drops units; with
FALSE units stays in the random formula (the refit starts from the supplied fit's Lane
correlation held at -0.98 'F' and keeps it, as asreml's refits do: test41Selection.r:902 and
test42Selection.r:983 record "Unchanged - fixed correlation" for testranfix dropping units).
asreml 4.2's test42Selection.r:1052/1058 drop units: its m.asr is unconverged (line 1035).
Data: fetched asremlplus_psa27.csv (asremlPlus's PSA.27.dat).
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from _fetched import fetched

import asr_py as asr
from asr_py.warning_classes import AsrWarning


@pytest.fixture(scope="module")
def psa_fit() -> object:
    d = pd.read_csv(fetched("asremlplus_psa27.csv"), dtype={"Lane": str, "Position": str})
    for c in ("Lane", "Position"):      # R's factor levels, numeric order
        d[c] = pd.Categorical(d[c], categories=sorted(d[c].unique(), key=int))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asr.asreml("PSA.27 ~ 1", random="~ Lane + Position + units",
                          residual="~ ar1(Lane):Position", data=d, maxit=50)


def _cor_bound(fit: object) -> str:
    vc = fit.varcomp
    return str(vc.loc[[i for i in vc.index if str(i).endswith("!cor")][0], "bound"])


def test_refit_with_fixed_correlation_is_not_kept(psa_fit) -> None:
    assert _cor_bound(psa_fit) == "F"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dropped = asr.plus.newfit(psa_fit, random_="~ . - units", allow_fixedcorrelation=True)
    assert "units" not in list(dropped.varcomp.index)          # test41Selection.r:966
    assert _cor_bound(dropped) == "F"        # the reason FALSE keeps the supplied fit
    with pytest.warns(AsrWarning) as rec:
        kept = asr.plus.newfit(psa_fit, random_="~ . - units", allow_fixedcorrelation=False)
    msgs = [str(w.message) for w in rec]
    assert any("supplied asreml fit for PSA.27 is bound, singular or fixed" in m for m in msgs)
    assert any("At least one correlation's estimated value is bound" in m for m in msgs)
    assert kept is psa_fit                                     # test41Selection.r:972/978
    assert "units" in list(kept.varcomp.index)


def test_unconverged_refit_is_not_kept_when_not_allowed(psa_fit) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        short = asr.plus.newfit(psa_fit, random_="~ . - units", maxit=1)
        kept = asr.plus.newfit(psa_fit, random_="~ . - units", maxit=1,
                               allow_unconverged=False)
    assert not short.converged and "units" not in list(short.varcomp.index)
    assert kept is psa_fit
