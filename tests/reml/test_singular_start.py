"""A random term whose covariance matrix has no inverse at the start values is named in the
error (reml/singular_start.py), instead of "Matrix is not positive definite": asremlPlus
test41MET.r / test42MET.r fit ``rr(exptCond, k = 2):Genotype`` on its own."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr


def _met() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    site, gen = np.meshgrid(np.arange(4), np.arange(30), indexing="ij")
    lam = rng.normal(1.0, 0.3, 4)
    g = rng.normal(size=30)
    y = 10 + site.ravel() + (lam[:, None] * g[None, :]).ravel() + rng.normal(0, 0.5, 120)
    return pd.DataFrame({"y": y, "site": pd.Categorical(site.ravel().astype(str)),
                         "gen": pd.Categorical(gen.ravel().astype(str))})


def test_rr_alone_is_named_by_the_engine_with_a_hint() -> None:
    """asr.asreml fits rr(f, k) alone through its latent factors (reml/rr_latent.py,
    tests/api/test_rr_alone.py); the engine's fit_reml, given its G directly, names it."""
    from asr_py.reml import fit_reml

    d = _met()
    m = asr.asreml("y ~ site", random="~ rr(site, 1):gen", data=d)
    assert m.converged
    with pytest.raises(asr.ModelError, match=r"random term site:gen has a reduced-rank "
                                             r"covariance rr\(site, 1\): ΛΛ' has rank 1 for 4 "
                                             r"levels") as err:
        fit_reml(m.model.problem())
    assert "fa(site, 1) gives ΛΛ' + Ψ" in str(err.value)
    assert "write fa(site, 1) in place of rr(site, 1)" in str(err.value)
    assert "fit it with asr.asreml" in str(err.value)


def test_rr_beside_a_diagonal_term_over_other_factors_is_fitted() -> None:
    """rr's own G block is singular beside a diag term over other factors: the rr term goes
    through its latent factors, the diag term stays (a diag(site):gen beside it is merged
    into one fa term: tests/api/test_rr_pair.py)."""
    d = _met()
    m = asr.asreml("y ~ site", random="~ rr(site, 1):gen + diag(site):units", data=d)
    assert any(n.endswith("!fa1") for n in m.varcomp.index)
    assert np.isfinite(m.loglik)
