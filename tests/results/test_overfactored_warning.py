"""An fa(f, k) with more parameters than an unstructured matrix says so (s30inv).

fa(site, 2) over 4 sites: 11 parameters for the 10 entries of a 4 x 4 covariance matrix, so
Λ and Ψ lie on a ridge of equal likelihood (the session-30 hunt's 4-site fa2 METs, seeds
6001/6035, crawled to maxit 50 unconverged). Checked independently: the rank of the Jacobian
of vech(ΛΛ' + Ψ) in the free parameters (central differences, numpy only) is below their
number exactly where the warning is given.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.results.overfactored import overfactored_notes
from asr_py.vcov import FactorAnalytic


def _jacobian_rank(n: int, k: int, seed: int = 0) -> tuple[int, int]:
    """(rank of d vech(Σ)/dθ, number of free θ) of ΛΛ' + Ψ at a random point, Λ lower
    trapezoidal (the structural zeros of asreml's fa)."""
    rng = np.random.default_rng(seed)
    pos = [(i, j) for j in range(k) for i in range(n) if i >= j]

    def vech(t: np.ndarray) -> np.ndarray:
        lam = np.zeros((n, k))
        for v, (i, j) in zip(t[n:], pos):
            lam[i, j] = v
        s = lam @ lam.T + np.diag(t[:n])
        return s[np.tril_indices(n)]

    t0 = np.r_[rng.uniform(0.5, 1.5, n), rng.normal(size=len(pos))]
    h = 1e-6
    jac = np.column_stack([(vech(t0 + h * e) - vech(t0 - h * e)) / (2 * h)
                           for e in np.eye(t0.size)])
    return int(np.linalg.matrix_rank(jac, tol=1e-6)), t0.size


@pytest.mark.parametrize(("n", "k"), [(2, 1), (3, 1), (4, 1), (4, 2), (5, 2), (6, 3), (7, 3)])
def test_note_exactly_where_the_parameters_are_not_identifiable(n: int, k: int) -> None:
    rank, npar = _jacobian_rank(n, k)
    tmpl = FactorAnalytic([f"E{i}" for i in range(n)], name="env", order=k)
    notes = overfactored_notes([tmpl])
    assert bool(notes) == (rank < npar), (n, k, rank, npar)
    if notes:
        assert f"fa(env, {k}) over {n} levels has {npar} parameters" in notes[0]


def test_fit_warns_with_the_term_named() -> None:
    rng = np.random.default_rng(6001)
    d = pd.DataFrame([(f"S{s}", f"G{g:02d}") for s in range(4) for g in range(12)],
                     columns=["site", "gen"]).astype("category")
    d["y"] = rng.normal(size=len(d)) + d.site.cat.codes.to_numpy()
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        m = asr.asreml(fixed="y ~ site", random="~ fa(site, 2):gen", data=d, maxit=5)
    ident = [str(x.message) for x in w if issubclass(x.category, asr.IdentifiabilityWarning)]
    assert any(s.startswith("fa(site, 2) over 4 levels has 11 parameters") for s in ident)
    assert any(s.startswith("fa(site, 2)") for s in m.diagnostics)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        asr.asreml(fixed="y ~ site", random="~ fa(site, 1):gen", data=d, maxit=5)
    assert not any("unstructured" in str(x.message) for x in w)
