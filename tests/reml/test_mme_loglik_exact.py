"""The MME log-likelihood against 50-digit arithmetic (tests/reml/_exact_reml.py) for
dsum(~units | site) residual sections whose variances lie orders of magnitude apart.

ℓ = −½[(n − p) log 2π + log|R| + Σ log|G| + log|C| + y'Py] assembled in double loses digits
when one section's variance is tiny beside the others (R⁻¹ dominates C); the exact value is
the reference, since a dense V formed in double loses them too (4e-2 at a ratio of 1e-14).
Before s18eng (this design, seed 0): |ℓ_MME − ℓ_exact| = 3e-10 at 1e-6, 2.7e-7 at 1e-9,
1.6e-5 at 1e-11, 2.5e-3 at 1e-13 (log|C| 3.5e-3 low, 3.0e-3 of it from assembling C, and
y'Py 1.4e-3 low from y'R⁻¹y − ŝ'r at y'R⁻¹y ~ 1e13); now the change of basis of
asr_py/reml/stiff_rows.py gives it to ~1e-16 relative.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _dense_reml import reml_loglik
from _exact_reml import reml_loglik_exact, reml_score_terms_exact

import asr_py as asr
from asr_py.reml.ai import loglik_at

SG = 6e4  # the genotype variance


def _design(seed: int) -> pd.DataFrame:
    """Five sites of 6-11 records at kg/ha scale, 8 genotypes; site S2 with SD 1e-3."""
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(5):
        for _ in range(rng.integers(6, 12)):
            sd = 1e-3 if s == 2 else (900.0, 400.0, 30.0)[s % 3]
            y = 4000 + 300 * (s % 4) + rng.normal(0, sd)
            rows.append((f"S{s}", f"G{rng.integers(0, 8)}", y))
    d = pd.DataFrame(rows, columns=["site", "gen", "y"])
    d["y"] += d.gen.map({f"G{k}": v for k, v in enumerate(rng.normal(0, 250, 8))})
    return d


def _at(seed: int, ratio: float) -> tuple[pd.DataFrame, object, dict, np.ndarray]:
    """(data, problem, site variances, θ): site variances 1e6·(k+1)/3, S2's ratio x 1e6."""
    d = _design(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = asr.asreml("y ~ site", random="~ gen", residual="~ dsum(~ units | site)",
                       data=d, maxit=1)
    problem = m.model.problem()
    sites = sorted(d.site.unique())
    sv = {s: 1e6 * (1 + k) / 3 for k, s in enumerate(sites)}
    sv["S2"] = ratio * 1e6
    theta = np.array([SG if n.startswith("gen") else
                      next(v for s, v in sv.items() if f"site_{s}!" in n)
                      for n in problem.names])
    return d, problem, sv, theta


def _lls(seed: int, ratio: float) -> tuple[float, float, float]:
    """(MME ℓ, exact ℓ, dense-V ℓ in double) at site variances 1e6·(k+1)/3, S2's ratio x 1e6."""
    d, problem, sv, theta = _at(seed, ratio)
    X = pd.get_dummies(d.site, drop_first=True, dtype=float)
    X.insert(0, "c", 1.0)
    Z = pd.get_dummies(d.gen, dtype=float).to_numpy()
    V = SG * Z @ Z.T + np.diag([sv[s] for s in d.site])
    y = d.y.to_numpy()
    parts = [(SG, Z @ Z.T)] + [(v, np.diag((d.site == s).to_numpy(float)))
                               for s, v in sv.items()]  # V summed exactly
    return (loglik_at(problem, theta), reml_loglik_exact(y, X.to_numpy(), parts),
            reml_loglik(y, X.to_numpy(), V))


def test_exact_reference_agrees_with_dense_v_where_double_suffices() -> None:
    """The exact helper against the double-precision dense-V ℓ at equal-scale variances,
    and V passed whole against V passed as its terms."""
    _, ex, dn = _lls(1, 0.5)
    assert abs(ex - dn) <= 1e-11 * abs(ex)
    rng = np.random.default_rng(3)
    X = np.c_[np.ones(9), rng.normal(size=9)]
    K = rng.normal(size=(9, 4))
    y = rng.normal(size=9)
    whole = reml_loglik_exact(y, X, 2.0 * K @ K.T + 0.5 * np.eye(9))
    assert whole == pytest.approx(reml_loglik_exact(y, X, [(2.0, K @ K.T), (0.5, np.eye(9))]),
                                  rel=1e-14)
    assert whole == pytest.approx(reml_loglik(y, X, 2.0 * K @ K.T + 0.5 * np.eye(9)), rel=1e-12)


@pytest.mark.parametrize("ratio", [1e-2, 1e-6, 1e-9, 1e-11, 1e-13, 1e-14])
@pytest.mark.parametrize("seed", [0, 1])
def test_mme_loglik_matches_50_digit_reml(seed: int, ratio: float) -> None:
    ll, ex, _ = _lls(seed, ratio)
    assert abs(ll - ex) <= 1e-9 * abs(ex)


def _score_and_exact(seed: int, ratio: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(θ, analytic score, central differences of the 50-digit ℓ) at the variances of
    :func:`_lls`, S2's at ratio x 1e6."""
    from asr_py.reml.ai import score_ai_at

    d, problem, sv, theta = _at(seed, ratio)
    _, score, _ = score_ai_at(problem, theta)
    X = pd.get_dummies(d.site, drop_first=True, dtype=float).to_numpy()
    X = np.c_[np.ones(len(d)), X]
    Z = pd.get_dummies(d.gen, dtype=float).to_numpy()
    kmats = [Z @ Z.T if n.startswith("gen") else
             np.diag((d.site == next(s for s in sv if f"site_{s}!" in n)).to_numpy(float))
             for n in problem.names]
    y = d.y.to_numpy()

    def ex(t: np.ndarray) -> float:
        return reml_loglik_exact(y, X, list(zip(t, kmats)))

    fd = np.zeros(theta.size)
    for k in range(theta.size):
        h = 1e-5 * theta[k]
        up, dn = theta.copy(), theta.copy()
        up[k] += h
        dn[k] -= h
        fd[k] = (ex(up) - ex(dn)) / (2 * h)
    return theta, score, fd


@pytest.mark.parametrize("ratio", [1e-6, 1e-9, 1e-11, 1e-13])
def test_score_at_a_tiny_section_variance_matches_exact_differences(ratio: float) -> None:
    """The analytic score (traces of C⁻¹ blocks, working variates) against central
    differences (h = 1e-5 θ_k: truncation ~1e-10 relative) of the 50-digit ℓ: each θ_k s_k
    (the score on log θ_k) within 1e-6 x max_k |θ_k s_k| + 1e-4 (in ℓ units). From the plain
    factor of C it was off by 1.2e-3 (2.6 %) at 1e-13 (C⁻¹ inherited the rounding of C, and
    uc16 never converged); the change of basis of reml/stiff_rows.py now gives C⁻¹ too."""
    theta, score, fd = _score_and_exact(0, ratio)
    a, b = theta * score, theta * fd
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-6 * np.abs(b).max() + 1e-4)


def test_exact_score_is_the_derivative_of_the_exact_loglik() -> None:
    """The 50-digit score of tests/reml/_exact_reml.py against central differences of the
    50-digit ℓ (:func:`_score_and_exact`; h = 1e-5 θ_k: truncation ~1e-10 relative)."""
    d, problem, sv, theta = _at(0, 1e-13)
    ex = _exact_score(d, problem, sv, theta)
    _, _, fd = _score_and_exact(0, 1e-13)
    np.testing.assert_allclose(theta * ex[:, 2], theta * fd, rtol=0,
                               atol=1e-8 * np.abs(theta * fd).max())


def _exact_args(d: pd.DataFrame, problem: object, sv: dict
                ) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """(y, X, [K_k]) of the dense model, V = Σ θ_k K_k in the order of problem.names."""
    X = np.c_[np.ones(len(d)), pd.get_dummies(d.site, drop_first=True, dtype=float)]
    Z = pd.get_dummies(d.gen, dtype=float).to_numpy()
    kmats = [Z @ Z.T if n.startswith("gen") else
             np.diag((d.site == next(s for s in sv if f"site_{s}!" in n)).to_numpy(float))
             for n in problem.names]
    return d.y.to_numpy(), X, kmats


def _exact_score(d: pd.DataFrame, problem: object, sv: dict, theta: np.ndarray) -> np.ndarray:
    """Rows [tr(PK_k), y'PK_kPy, ∂ℓ/∂θ_k] in 50 digits (tests/reml/_exact_reml.py)."""
    y, X, kmats = _exact_args(d, problem, sv)
    return reml_score_terms_exact(y, X, list(zip(theta, kmats)))


@pytest.mark.parametrize("assembly", ["sparse", "dense"])
@pytest.mark.parametrize("ratio", [1e-2, 1e-6, 1e-9, 1e-11, 1e-13, 1e-14])
@pytest.mark.parametrize("seed", [0, 1])
def test_score_matches_the_50_digit_score(seed: int, ratio: float, assembly: str,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Every θ_k s_k against the 50-digit score (tr(PK_k), y'PK_kPy in 50 digits), on C
    assembled on its pattern (MME.score_from) and densely (dense_mme.score): within
    1e-12 x max_k |θ_k s_k|. The section traces tr(C⁻¹W'MW) of the stiff section were
    taken from C⁻¹'s entries, whose S⁻¹-sized rounding W_S annihilates only in exact
    arithmetic: θ_k s_k was off by 6.8e-13 (1e-6), 6.8e-8 (1e-9), 1.7e-6 (1e-11), 1.5e-4
    (1e-13), 4.5e-3 (1e-14) at seed 0, growing as 1/ratio; now ~5e-15 (reml/stiff_rows.py
    RotatedInverse.section_trace)."""
    from asr_py.reml import dense_mme
    from asr_py.reml.centering import centre_response
    from asr_py.reml.mme import MME

    if assembly == "dense":
        monkeypatch.setattr(dense_mme, "DENSE_MME_MIN_EQUATIONS", 0)
    d, problem, sv, theta = _at(seed, ratio)
    mme = MME(centre_response(problem)[0], solver="dense" if assembly == "dense" else "auto")
    st = mme.evaluate(theta)
    assert (st.pattern is None) == (assembly == "dense")
    score, _ = mme.score_ai(st)
    ex = _exact_score(d, problem, sv, theta)
    b = theta * ex[:, 2]
    np.testing.assert_allclose(theta * score, b, rtol=0, atol=1e-12 * np.abs(b).max())
