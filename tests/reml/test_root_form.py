"""ℓ, score and AI next to a singular G (reml/root_form.py) against dense-V REML in numpy.

A 4-site MET (genotypes in 2 reps per site, site scales 1..30): ``corh(site):gen`` with
ρ = 1 − 10⁻ᵏ and ``us(site):gen`` with Σ = LL' + 10⁻ᵏ·s·I (L 4 x 2: rank 2 of 4). The
plain equations add log|G| and log|C| of order k·ln 10 that cancel (main e1e10dd: ℓ off by
1e-3 at ρ = 1 − 1e-12, the score's sign wrong from k = 8). The reference builds
V = Σ[site_a, site_b]·[gen_a = gen_b] + σ²I from the records themselves
(tests/_dense_reml.py); its score by central differences, its AI as ½ y'PV̇_kPV̇_lPy.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_reml import reml_loglik

import asr_py as asr
from asr_py.reml import root_form
from asr_py.reml.ai import loglik_at, score_ai_at

SITES = ["S0", "S1", "S2", "S3"]


def _met(seed: int = 3, ngen: int = 12) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    lam = rng.normal(size=(4, 2))
    eff = rng.normal(size=(ngen, 2)) @ lam.T
    rows = []
    for s in range(4):
        sc = [1.0, 3.0, 10.0, 30.0][s]
        for r in range(2):
            for g in rng.permutation(ngen):
                rows.append(dict(site=SITES[s], rep=f"R{r}", gen=f"G{g:02d}",
                                 y=sc * (5 + s + eff[g, s] + rng.normal() * 0.7)))
    d = pd.DataFrame(rows)
    d["site"] = pd.Categorical(d.site, categories=SITES)
    d["gen"] = d.gen.astype("category")
    return d


class Dense:
    """V = Σ[site_a, site_b]·[gen_a = gen_b] + σ²I over the records; X = [1, S1, S2, S3]."""

    def __init__(self, d: pd.DataFrame) -> None:
        self.y = d.y.to_numpy(float)
        s = d.site.cat.codes.to_numpy()
        self.X = np.column_stack([np.ones(len(d))] + [(s == k).astype(float) for k in (1, 2, 3)])
        self.onehot = (s[:, None] == np.arange(4)[None, :]).astype(float)
        g = d.gen.astype(str).to_numpy()
        self.same = (g[:, None] == g[None, :]).astype(float)

    def v(self, sigma: np.ndarray, s2: float) -> np.ndarray:
        return (self.onehot @ sigma @ self.onehot.T) * self.same + s2 * np.eye(self.y.size)

    def loglik(self, sigma: np.ndarray, s2: float) -> float:
        return reml_loglik(self.y, self.X, self.v(sigma, s2))

    def ai(self, vdots: list[np.ndarray], sigma: np.ndarray, s2: float) -> np.ndarray:
        vi = np.linalg.inv(self.v(sigma, s2))
        vx = vi @ self.X
        p = vi - vx @ np.linalg.solve(self.X.T @ vx, vx.T)
        w = [vd @ (p @ self.y) for vd in vdots]
        return 0.5 * np.array([[a @ (p @ b) for b in w] for a in w])


def _us_sigma(th: np.ndarray) -> np.ndarray:
    """us(4) θ in asreml's order (1,1), (2,1), (2,2), (3,1), ... as a matrix."""
    m = np.zeros((4, 4))
    k = 0
    for i in range(4):
        for j in range(i + 1):
            m[i, j] = m[j, i] = th[k]
            k += 1
    return m


def _corh_sigma(th: np.ndarray) -> np.ndarray:
    sd = np.sqrt(th[1:5])
    c = np.full((4, 4), th[0])
    np.fill_diagonal(c, 1.0)
    return c * sd[:, None] * sd[None, :]


def _problem(d: pd.DataFrame, random: str):
    return asr.compile_model("y ~ site", random, None, d).problem()


def _us_theta(k: int) -> np.ndarray:
    rng = np.random.default_rng(11)
    lam = rng.normal(size=(4, 2)) * [[1.0], [2.0], [6.0], [20.0]]
    s = lam @ lam.T
    s += 10.0**-k * np.trace(s) / 4 * np.eye(4)
    return np.r_[[s[i, j] for i in range(4) for j in range(i + 1)], 4.0]


@pytest.mark.parametrize("k", [10, 11, 12])
def test_loglik_near_rho_one(k: int) -> None:
    """corh at ρ = 1 − 10⁻ᵏ: ℓ within 1e-9 of dense-V (main: 6e-6, 6e-5, 1e-3 off on the
    hunt data)."""
    d = _met()
    ref = Dense(d)
    th = np.array([1 - 10.0**-k, 1.5, 9.0, 80.0, 700.0, 5.0])
    got = loglik_at(_problem(d, "~ corh(site):gen"), th)
    assert got == pytest.approx(ref.loglik(_corh_sigma(th), th[-1]), abs=1e-9)


@pytest.mark.parametrize("k", [10, 11, 12])
def test_loglik_us_rank_two(k: int) -> None:
    """us(4) of rank 2 plus 10⁻ᵏ·s·I: ℓ within 1e-9 of dense-V."""
    d = _met()
    th = _us_theta(k)
    got = loglik_at(_problem(d, "~ us(site):gen"), th)
    assert got == pytest.approx(Dense(d).loglik(_us_sigma(th), th[-1]), abs=1e-9)


def test_units_near_singular() -> None:
    """y x 1000 (variances x 1e6) shifts ℓ by exactly −(n − p) ln 1000 at ρ = 1 − 1e-12."""
    d = _met()
    th = np.array([1 - 1e-12, 1.5, 9.0, 80.0, 700.0, 5.0])
    base = loglik_at(_problem(d, "~ corh(site):gen"), th)
    d2 = d.assign(y=d.y * 1000.0)
    th2 = th.copy()
    th2[1:] *= 1e6
    scaled = loglik_at(_problem(d2, "~ corh(site):gen"), th2)
    assert scaled - base == pytest.approx(-(len(d) - 4) * np.log(1000.0), abs=1e-8)


@pytest.mark.parametrize("k", [10, 12])
def test_score_and_ai_us_rank_two(k: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """With root_form.ROOT_SCORE (off in fits: it changes the paths of fits on a PD face)
    the score vs central differences of dense-V ℓ (step 1e-4 in each Σ entry; V stays PD
    when Σ does not) and AI vs ½ y'PV̇_kPV̇_lPy, to 1e-5 relative (the plain equations:
    the score 1.8e5 and 7e8 times off at k = 10 and 12)."""
    monkeypatch.setattr(root_form, "ROOT_SCORE", True)
    d = _met()
    ref = Dense(d)
    th = _us_theta(k)
    _, score, ai = score_ai_at(_problem(d, "~ us(site):gen"), th)

    def ll(t: np.ndarray) -> float:
        return ref.loglik(_us_sigma(t[:-1]), t[-1])

    h = 1e-4
    fd = np.array([(ll(th + h * e) - ll(th - h * e)) / (2 * h) for e in np.eye(th.size)])
    scale = np.abs(fd).max()
    assert np.abs(score - fd).max() <= 1e-5 * scale
    vdots = [(ref.onehot @ _us_sigma(e[:-1]) @ ref.onehot.T) * ref.same for e in np.eye(11)[:10]]
    vdots.append(np.eye(len(d)))
    ref_ai = ref.ai(vdots, _us_sigma(th[:-1]), th[-1])
    assert np.abs(ai - ref_ai).max() <= 1e-8 * np.abs(ref_ai).max()
