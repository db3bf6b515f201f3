"""y x 1000 must not stop the floor polish short (s31inv, the s30 hunt's seed 7039).

``~ rr(site, 1):gen + diag(site):gen + idh(site):rep``, ``~ idh(site):units`` on the hunt's
simulated 4-site MET (tests/reml/test_order_invariance_met.py ``met``): three specific
variances ψ_S0..S2 sit on structural floors, and the final polish (reml/floor_polish.py)
refits with them 100x closer to zero. As is the polish gained 8.6e-5 and converged; with
y x 1000 it stopped "neither an AI nor an EM step increased ℓ" and was discarded, so that fit
"converged" 8.6e-5 below. Cause: rep S3's variance, held at 1e-10 of its scale as is, sat
at 1.8e-7 of it there, not within AT_ZERO of its floor, so the differenced score
(reml/fd_score.py) counted it free, could not evaluate ℓ at θ − h (below zero) and gave up.
A free parameter within h of its lower bound is now checked as a held one.

Independent sources: dense-V REML (tests/_dense_reml.py) maximised by L-BFGS-B, and the
Jacobian of y → k y: ℓ' = ℓ − (n − p) ln k.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from _dense_reml import indicator, maximise, reml_loglik
from test_order_invariance_met import met

import asr_py as asr

SEED = 7039
RANDOM = "~ rr(site, 1):gen + diag(site):gen + idh(site):rep"
RESID = "~ idh(site):units"
#: the dense-V optimum found from the fits' estimates (ψ, λ, rep, units variances by site)
DENSE_X = [5.9e-13, 5.6e-10, 7.7e-06, 91.948, -0.30143, 17.1639, 103.0956, -1.37802,
           0.217512, 154.3758, 952.449, 3.0e-07, 0.184494, 349.0824, 10529.23, 225.246]


def _fit(d, k: float):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asr.asreml("y ~ site", RANDOM, RESID, data=d.assign(y=d.y * k), maxit=50)


def _dense_best(d) -> float:
    y = d.y.to_numpy()
    sites = sorted(d.site.unique())
    gens = sorted(d.gen.unique())
    X = indicator(d.site, sites)
    Zg = indicator(d.site.astype(str) + ":" + d.gen.astype(str),
                   [f"{s}:{g}" for s in sites for g in gens])
    reps = sorted(d.rep.unique())
    Zr = indicator(d.rep, reps)
    rep_site = np.array([[str(r).startswith(s) for s in sites] for r in reps], dtype=float)
    Zs = indicator(d.site, sites)

    def ll(t: np.ndarray) -> float:
        G = np.kron(np.outer(t[4:8], t[4:8]) + np.diag(t[0:4]), np.eye(len(gens)))
        V = (Zg @ G @ Zg.T + (Zr * (rep_site @ t[8:12])) @ Zr.T + np.diag(Zs @ t[12:16]))
        return reml_loglik(y, X, V)

    sc = np.maximum(np.abs(np.array(DENSE_X)), 1e-2)
    bounds = [(0, None)] * 4 + [(None, None)] * 4 + [(0, None)] * 8
    generic = np.r_[np.ones(4), np.full(4, 0.5), np.ones(8)]
    _, best = maximise(lambda z: ll(z * sc), [np.array(DENSE_X) / sc, generic], bounds,
                       polish=False)
    return best


@pytest.fixture(scope="module")
def fits():
    d = met(SEED)
    return d, _fit(d, 1.0), _fit(d, 1000.0)


def test_units_do_not_change_the_polished_fit(fits) -> None:
    _, m1, mk = fits
    assert m1.converged and mk.converged
    shift = mk.result.n_minus_p * np.log(1000.0)
    assert mk.loglik + shift == pytest.approx(m1.loglik, abs=1e-6)


def test_both_reach_the_dense_optimum(fits) -> None:
    d, m1, mk = fits
    best = _dense_best(d)
    shift = mk.result.n_minus_p * np.log(1000.0)
    for ll in (m1.loglik, mk.loglik + shift):
        assert best - 1e-6 <= ll <= best + 1e-8
