"""Stochastic traces for the REML score while an AI-REML fit is far from its optimum
(issue 16, goal 3: fewer selected inverses per fit).

The score's traces ``tr(C⁻¹M)`` (M: ∂C/∂θ_k's pieces) are read from a Takahashi selected
inverse on the exact path (about three numeric factorizations' flops on the large animal
models). Here they are Hutchinson (1990) estimates, quadratic forms over K probes:

    tr(C⁻¹M) ≈ (1/K) Σ_p w_p'Mw_p,   w_p = B⁻ᵀz_p,   C = BB' (B = P'L, CHOLMOD's PCP' = LL'),

with Rademacher z_p (E[zz'] = I, so E[ww'] = C⁻¹): one triangular solve per block of probes,
then per term a sparse product of its A⁻¹/I with the probe block and small dense algebra,
and per residual parameter the forms of Ww (:mod:`asr_py.reml.probe_traces`); no entry of
C⁻¹ is formed. Each probe gives a whole score vector s_p (unbiased for the exact score);
the estimate is their mean, its noise covariance their sample covariance / K. The AI matrix
needs solves only and stays exact, so the AI step is exact up to the score's noise;
``fit_reml`` (:mod:`asr_py.reml.ai`) switches to exact traces once that noise matters
(:func:`noise_dominates`) and ends every fit with exact traces.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from asr_py.reml.probe_traces import term_forms

#: probes per evaluation and the columns solved at a time (memory: N x CHUNK doubles).
#: Measured (benchmarks/README.md, "Goal 3: quadratic-form probes"): 16, 64 and 128 probes
#: give the same iterations and selected inverses on the goal animal models (the phase ends
#: at a noise floor ~100x above what the convergence rules need in any case), 16 the
#: cheapest evaluation (one CHOLMOD block solve)
PROBES = 16
CHUNK = 16
#: the probes' seed (a fit is reproducible; ``fit_reml(stochastic_seed=)`` changes it)
SEED = 16_003
#: 'auto' uses stochastic traces from this many equations, with a backend that has a
#: triangular solve and a supernodal selected inverse ('sparse', 'sparse-nd'). Measured
#: (quadratic-form probes, one BLAS thread, load 7-9, benchmarks/README.md): a phase
#: evaluation costs 0.8-1.1 numeric evaluations of C (factorization and solve), the exact
#: score 2.1-2.5; at 10 002-20 004 equations the phase's extra iteration eats the gain, at
#: 50 002 (univariate 50k animals) 2 of 6 selected inverses are saved with no extra iteration
MIN_EQUATIONS = 50_000
AUTO_BACKENDS = ("sparse", "sparse-nd")
#: switch to exact traces when the AI step's predicted gain s'AI⁻¹s/2 is below this multiple
#: of the gain the score's noise alone would predict, tr(AI⁻¹Σ_s)/2
SWITCH_RATIO = 20.0
#: the process-wide choice when a fit passes ``stochastic_traces=None``: None ('auto', the
#: rule of :func:`wanted`), True or False (``benchmarks/bench_goals.py --stochastic``)
DEFAULT: bool | None = None


def rademacher(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    """An n x k matrix of independent ±1 (E[zz'] = I)."""
    bits = np.unpackbits(np.frombuffer(rng.bytes((n * k + 7) // 8), dtype=np.uint8))
    z = bits[:n * k].reshape(n, k).astype(float)
    z *= 2.0
    z -= 1.0
    return z


def probe_vectors(factor: object, z: np.ndarray) -> np.ndarray | None:
    """W = B⁻ᵀZ through the factor's triangular solve, or None when it has none."""
    root = getattr(factor, "root_solve", None)
    return None if root is None else root(z)


def _no_entries(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    return np.zeros(len(rows))


@dataclass
class StochasticTraces:
    """The stochastic-trace phase of one fit: its probes' generator and what it did."""

    probes: int = PROBES
    seed: int = SEED
    chunk: int = CHUNK
    active: bool = True
    rng: np.random.Generator = field(init=False)
    evaluations: int = 0
    _forms: list | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.probes < 2 or self.chunk < 1:
            raise ValueError("stochastic traces need probes >= 2 (and chunk >= 1)")
        self.rng = np.random.default_rng(self.seed)

    def score_ai(self, mme: object, st: object
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """(score estimate, exact AI, covariance of the score estimate) at ``st``, or None
        when ``st``'s factor has no triangular solve."""
        parts, ai = mme.ai_parts(st)  # type: ignore[attr-defined]
        s = self.probe_scores(mme, st, parts)
        if s is None:
            return None
        self.evaluations += 1
        cov = np.atleast_2d(np.cov(s)) / s.shape[1]
        return s.mean(axis=1), ai, cov

    def probe_scores(self, mme: Any, st: Any, parts: tuple) -> np.ndarray | None:
        """(n_θ, K): the score from each probe alone (their mean is unbiased for the exact
        score; :mod:`asr_py.reml.probe_traces`), None without a triangular solve. Probes
        in blocks of ``chunk`` columns (memory: N x chunk doubles)."""
        prob = mme.problem
        if self._forms is None:
            self._forms = [term_forms(b.template) for b in prob.random] + [
                None if mme.scaled else term_forms(prob.residual)]
        e, us, preps, r_t1, _ = parts
        nt = prob.n_theta
        base = np.zeros(nt)  # t_k = base_k − (probe's w'M_kw): base = tr(Σ⁻¹Σ̇_k) − exact part
        g_forms = []
        for j, (b, term, tv) in enumerate(zip(prob.random, mme.terms, st.terms)):
            t = term.trace_terms(tv, preps[j], np.zeros(tv.g.size), us[j], _no_entries)
            base[b.offset:b.offset + t.size] = t
            g_forms.append(self._forms[j].at(mme.theta_of(st.theta, j)))
        ro = prob.residual_offset
        if mme.scaled:  # R = σ² diag(1/w): x'diag(w)x/σ⁴
            s2, lam = st.r_scale, mme.rw
            base[ro] = mme.n / s2 - float(e @ mme.rinv_times(st, e)) / s2

            def r_forms(x: np.ndarray) -> np.ndarray:
                lx = x if lam is None else lam[:, None] * x
                return np.einsum("ik,ik->k", x, lx)[None, :] / s2**2
        else:
            r_forms = self._forms[-1].at(st.theta[ro:])
            base[ro:] = r_t1 - r_forms(e[:, None])[:, 0]
        out = np.empty((nt, self.probes))
        for a in range(0, self.probes, self.chunk):
            k = min(self.chunk, self.probes - a)
            w = probe_vectors(st.factor, rademacher(self.rng, mme.N, k))
            if w is None:
                return None
            q = np.empty((nt, k))
            for j, (b, gf) in enumerate(zip(prob.random, g_forms)):
                o = mme.u_offsets[j]
                q[b.offset:b.offset + b.template.n_params] = gf(w[o:o + b.template.n])
            q[ro:] = r_forms(np.asarray(mme.W @ w))
            out[:, a:a + k] = -0.5 * (base[:, None] - q)
        return out


def noise_gain(ai: np.ndarray, cov: np.ndarray, free: np.ndarray) -> float:
    """tr(AI⁻¹Σ_s)/2 over the free parameters: the gain an AI step would predict from the
    score's noise alone (E[ε'AI⁻¹ε]/2 for ε ~ (0, Σ_s))."""
    idx = np.flatnonzero(free)
    if idx.size == 0:
        return 0.0
    a = ai[np.ix_(idx, idx)]
    try:
        x = np.linalg.solve(a, cov[np.ix_(idx, idx)])
    except np.linalg.LinAlgError:
        return float("inf")
    return 0.5 * float(np.trace(x))


def noise_dominates(gain: float, ai: np.ndarray, cov: np.ndarray, free: np.ndarray,
                    ratio: float = SWITCH_RATIO) -> bool:
    """True when the AI step's predicted gain is not well above the score noise's."""
    return not (np.isfinite(gain) and gain > ratio * noise_gain(ai, cov, free))


def wanted(option: bool | None, n_equations: int, backend: str | None,
           signed: bool) -> bool:
    """Whether a fit uses the stochastic-trace phase: ``option`` True/False forces it (where
    the factor has a triangular solve), None ('auto') from :data:`MIN_EQUATIONS` equations
    with a supernodal sparse backend; never for the indefinite ('U') path."""
    if signed:
        return False
    if option is None:
        option = DEFAULT
    if option is not None:
        return bool(option)
    return n_equations >= MIN_EQUATIONS and backend in AUTO_BACKENDS
