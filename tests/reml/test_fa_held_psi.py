"""fa(env, k):gen METs with specific variances ψ at zero converge honestly (s17fa).

Simulated multi-environment trials at mixed scales (t/ha and kg/ha sites), some ψ_e truly
0, ``y ~ env + env:rep``, ``~ fa(env, k):gen``, ``~ dsum(~ units | env)``. The engine must
stop with converged=True, no ConvergenceWarning and the ψ at zero coded 'B'; the reference
is the independent dense-V REML of tests/_dense_reml.py: ℓ at the engine's estimates is
the dense ℓ; L-BFGS-B with the 'B' ψ fixed at their held values finds no point higher by
more than 1e-5, and with ψ free on [0, ∞), from the engine's estimates and from a generic
start, none higher than the engine's estimates with those ψ at exactly 0.
:func:`asr_py.reml.fd_score.fd_check` itself is checked on a quadratic ℓ, where
central differences are exact and the predicted gain has a closed form.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from _dense_reml import drop_aliased, fa_cov, indicator, lbfgsb_max, reml_loglik

import asr_py as asr
from asr_py.reml.fd_score import fd_check

GAIN_TOL = 1e-5


def _met(seed: int, lam: np.ndarray, psi: np.ndarray, scale: np.ndarray,
         sd_e: np.ndarray, n_gen: int = 25) -> pd.DataFrame:
    """Two reps of n_gen genotypes in each environment, ~10% of plots missing; genotype
    effects u_g ~ N(0, ΛΛ' + Ψ), y in each environment's own unit (x ``scale``)."""
    rng = np.random.default_rng(seed)
    n_env = lam.shape[0]
    u = rng.normal(size=(n_gen, lam.shape[1])) @ lam.T + rng.normal(size=(n_gen, n_env)) \
        * np.sqrt(psi)
    rows = []
    for e in range(n_env):
        for g in range(n_gen):
            for r in range(2):
                if rng.random() < 0.1:
                    continue
                v = (5.0 + u[g, e] + rng.normal(0.0, sd_e[e])) * scale[e]
                rows.append((f"E{e}", f"G{g:02d}", f"R{r}", v))
    return pd.DataFrame(rows, columns=["env", "gen", "rep", "y"])


class _Dense:
    """The same model as a dense V(λ, ψ, r) = (ΛΛ' + Ψ)[env, env] ∘ 1[gen = gen'] + R."""

    def __init__(self, d: pd.DataFrame, k: int) -> None:
        self.envs = sorted(d["env"].unique())
        self.k = k
        self.ei = d["env"].map({e: i for i, e in enumerate(self.envs)}).to_numpy()
        gi = d["gen"].astype("category").cat.codes.to_numpy()
        self.same = (gi[:, None] == gi[None, :]).astype(float)
        E = indicator(d["env"].to_numpy(), self.envs)
        rep1 = (d["rep"] == "R1").to_numpy(float)[:, None]
        self.X = drop_aliased(np.hstack([np.ones((len(d), 1)), E, E * rep1]))
        self.y = d["y"].to_numpy(float)

    def loglik(self, x: np.ndarray) -> float:
        ne, k = len(self.envs), self.k
        lam, psi, r = x[:ne * k].reshape(ne, k), x[ne * k:ne * (k + 1)], x[ne * (k + 1):]
        if np.any(psi < 0) or np.any(r <= 0):
            return -np.inf
        S = fa_cov(lam, psi)
        V = S[np.ix_(self.ei, self.ei)] * self.same + np.diag(r[self.ei])
        return reml_loglik(self.y, self.X, V)

    def from_fit(self, m: Any) -> np.ndarray:
        vc = m.varcomp["component"]
        lam = [[vc[f"env:gen!env_{e}!fa{j + 1}"] for j in range(self.k)] for e in self.envs]
        psi = [vc[f"env:gen!env_{e}!var"] for e in self.envs]
        r = [vc[f"env_{e}!units!R"] for e in self.envs]
        return np.r_[np.ravel(lam), psi, r]

    def bounds(self) -> list[tuple[float | None, float | None]]:
        ne = len(self.envs)
        return [(None, None)] * (ne * self.k) + [(0.0, None)] * ne + [(1e-12, None)] * ne


def _fit(d: pd.DataFrame, k: int) -> tuple[Any, list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        m = asr.asreml(fixed="y ~ env + env:rep", random=f"~ fa(env, {k}):gen",
                       residual="~ dsum(~ units | env)", data=d)
    return m, list(w)


CASES = {
    # the user check of /work/notes/s17 (uc17_fa.py): 6 sites, 3 in kg/ha
    "fa1_mixed_scales": (11, np.array([[1.0], [1.2], [1.3], [0.8], [0.7], [0.9]]),
                         np.array([0.0, 0.3, 0.0, 0.0, 0.2, 0.4]),
                         np.array([1, 1, 1000, 1000, 1, 1000.0]),
                         np.array([0.5, 0.8, 0.6, 0.4, 0.7, 0.9])),
    "fa2_mixed_scales": (3, np.array([[1.0, 0.0], [0.9, 0.4], [0.7, -0.5], [1.1, 0.3],
                                      [0.8, 0.6]]),
                         np.array([0.0, 0.25, 0.0, 0.0, 0.3]),
                         np.array([1000, 1, 1, 1000, 1.0]),
                         np.array([0.5, 0.6, 0.4, 0.7, 0.5])),
}


@pytest.mark.parametrize("name", list(CASES))
def test_fa_with_psi_at_zero_converges_at_the_dense_optimum(name: str) -> None:
    seed, lam, psi, scale, sd_e = CASES[name]
    d = _met(seed, lam, psi, scale, sd_e)
    k = lam.shape[1]
    m, w = _fit(d, k)
    assert m.converged, m.diagnostics
    assert not [x for x in w if issubclass(x.category, asr.ConvergenceWarning)]
    bound = m.varcomp["bound"]
    held = [n for n in bound.index if n.endswith("!var") and bound[n] == "B"]
    assert held, m.varcomp  # some ψ at zero, coded 'B' as asreml does
    dn = _Dense(d, k)
    x = dn.from_fit(m)
    assert abs(dn.loglik(x) - m.loglik) <= 1e-8 * abs(m.loglik)  # the same likelihood
    ne = len(dn.envs)
    sd = np.array([d.loc[d["env"] == e, "y"].std() for e in dn.envs])
    sc = np.r_[np.repeat(sd, k), sd ** 2, sd ** 2]
    # the free part is at its optimum: L-BFGS-B with the 'B' ψ fixed at their held values
    is_held = np.zeros(x.size, dtype=bool)
    is_held[ne * k:ne * (k + 1)] = [bound[f"env:gen!env_{e}!var"] == "B" for e in dn.envs]
    bnd = [(v, v) if h else b for v, h, b in zip(x, is_held, dn.bounds())]
    _, held_fixed = lbfgsb_max(dn.loglik, x, sc, bnd)
    assert held_fixed - m.loglik <= GAIN_TOL
    # with ψ free on [0, ∞) nothing lies higher than ours with the held ψ at exactly 0 (the
    # held value b > 0 of a 'B' variance costs |∂ℓ/∂ψ| b, from the dense ℓ itself)
    x0 = np.where(is_held, 0.0, x)
    top = max(m.loglik, dn.loglik(x0))
    # the held values cost little: b_k = HELD_REL x λ_k'λ_k (reml/held_floor.py) costs
    # |∂ℓ/∂ψ_k| b_k, path-dependent (a kg/ha site's ψ creeping down from its own scale, s18inv,
    # is held higher than one started at the pooled variance: 3.6e-4 in fa1_mixed_scales)
    assert top - m.loglik <= 1e-3
    _, from_ours = lbfgsb_max(dn.loglik, x, sc, dn.bounds())
    assert from_ours - top <= GAIN_TOL
    generic = np.r_[np.tile(sd[:, None] * 0.5 / np.sqrt(k), (1, k)).ravel()
                    * np.tile(np.r_[1.0, 0.5][:k], ne), sd ** 2 * 0.2, sd ** 2 * 0.5]
    _, from_generic = lbfgsb_max(dn.loglik, generic, sc, dn.bounds())
    assert from_generic - top <= GAIN_TOL


def test_fa_stopped_early_is_not_reported_converged() -> None:
    seed, lam, psi, scale, sd_e = CASES["fa1_mixed_scales"]
    d = _met(seed, lam, psi, scale, sd_e)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        m = asr.asreml(fixed="y ~ env + env:rep", random="~ fa(env, 1):gen",
                       residual="~ dsum(~ units | env)", data=d, maxit=8)
    assert not m.converged
    assert any(issubclass(x.category, asr.ConvergenceWarning) for x in w)


def test_fd_check_on_a_quadratic_loglik() -> None:
    """ℓ(θ) = −½(θ − θ*)'A(θ − θ*): central differences give the exact gradient, so the
    predicted gain is ½ (θ − θ*)'A(θ − θ*) exactly and the step lands on θ*; a held
    coordinate whose ℓ rises when raised blocks convergence."""
    rng = np.random.default_rng(0)
    B = rng.normal(size=(4, 4))
    A = B @ B.T + 4 * np.eye(4)
    star = np.array([1.0, -2.0, 0.5, 3.0])

    def ll(t: np.ndarray) -> float:
        return -0.5 * float((t - star) @ A @ (t - star))

    theta = star + np.array([1e-3, -2e-3, 0.0, 0.0])
    free = np.array([True, True, False, False])
    held = np.zeros(4, dtype=bool)
    chk = fd_check(ll, ll(theta), theta, A, free, held, tol=1e-6)
    assert chk is not None
    af = A[:2, :2]
    dev = (theta - star)[:2]
    want = 0.5 * float(dev @ af @ dev)  # s = −A_ff dev: ½ s'A_ff⁻¹s
    assert chk.gain == pytest.approx(want, rel=1e-6)
    assert chk.converged == (want <= 1e-6)
    # θ far off: not converged, and the step solves the free block's Newton equations
    theta2 = star + np.array([0.5, 0.3, 0.0, 0.0])
    chk2 = fd_check(ll, ll(theta2), theta2, A, free, held, tol=1e-6)
    assert chk2 is not None and not chk2.converged
    assert np.allclose(chk2.delta[:2], np.linalg.solve(af, -(af @ (theta2 - star)[:2])),
                       rtol=1e-6)
    # a held coordinate below its optimum: raising it raises ℓ, so no convergence
    ad = np.diag(np.diag(A))

    def ll_d(t: np.ndarray) -> float:
        return -0.5 * float((t - star) @ ad @ (t - star))

    theta3 = star.copy()
    theta3[3] -= 1.0
    held3 = np.array([False, False, False, True])
    chk3 = fd_check(ll_d, ll_d(theta3), theta3, ad, free, held3, tol=1e-6)
    assert chk3 is not None and chk3.gain == pytest.approx(0.0, abs=1e-20)
    assert chk3 is not None and not chk3.converged and chk3.rise > 0


def _uc17() -> pd.DataFrame:
    """Session 18's user check (uc17_fa.py): 6 sites, 3 in kg/ha, 25 genotypes x 2 reps,
    ~10% missing; λ ~ N(1, 0.3²), ψ ~ U(0.1, 0.5), site residual SDs 0.4 .. 0.9."""
    rng = np.random.default_rng(11)
    lam = rng.normal(1, 0.3, 6)
    psi = rng.uniform(0.1, 0.5, 6)
    scale = np.array([1, 1, 1000, 1000, 1, 1000.0])
    f = rng.normal(size=25)
    sd = [0.5, 0.8, 0.6, 0.4, 0.7, 0.9]
    rows = []
    for e in range(6):
        for g in range(25):
            for r in range(2):
                if rng.random() < 0.1:
                    continue
                v = (5 + lam[e] * f[g] + np.sqrt(psi[e]) * rng.normal()
                     + rng.normal(0, sd[e])) * scale[e]
                rows.append((f"E{e}", f"G{g:02d}", f"R{r}", v))
    return pd.DataFrame(rows, columns=["env", "gen", "rep", "y"])


@pytest.mark.parametrize("name", ["uc17", "interior"])
def test_psi_on_a_structural_floor_is_polished_to_the_dense_optimum(name: str) -> None:
    """A ψ held on its structural floor HELD_REL·λ² (reml/held_floor.py: 17.1 for λ_E2 = 1309
    in uc17, ℓ 6.9e-5 below ψ = 0) is refitted held 100x closer to zero
    (reml/floor_polish.py): the fit converges where L-BFGS-B on the dense-V REML, from our
    estimates with every ψ free on [0, ∞), finds at most 2e-6 more; every 'B' ψ is within
    1e-6 x λ² of zero. Where every ψ is well inside (ψ_e >= 0.3, all sites in one unit) no ψ
    is coded 'B' and ℓ is the dense optimum too."""
    if name == "uc17":
        d = _uc17()
    else:
        d = _met(5, np.array([[1.0], [1.2], [0.8], [0.9]]), np.array([0.5, 0.4, 0.6, 0.3]),
                 np.ones(4), np.array([0.5, 0.6, 0.4, 0.5]), n_gen=30)
    m, w = _fit(d, 1)
    assert m.converged, m.diagnostics
    assert not [x for x in w if issubclass(x.category, asr.ConvergenceWarning)]
    dn = _Dense(d, 1)
    x = dn.from_fit(m)
    assert abs(dn.loglik(x) - m.loglik) <= 1e-9 * abs(m.loglik)
    ne = len(dn.envs)
    bound = m.varcomp["bound"]
    held = np.array([bound[f"env:gen!env_{e}!var"] == "B" for e in dn.envs])
    lam2 = x[:ne] ** 2
    assert np.all(x[ne:2 * ne][held] <= 1e-6 * lam2[held])
    assert held.any() == (name == "uc17")
    sd = np.array([d.loc[d["env"] == e, "y"].std() for e in dn.envs])
    sc = np.r_[sd, sd ** 2 * 1e-3, sd ** 2]  # ψ near zero: its own (small) scale
    _, from_ours = lbfgsb_max(dn.loglik, x, sc, dn.bounds())
    assert from_ours - m.loglik <= 2e-6
