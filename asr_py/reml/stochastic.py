"""Stochastic traces for the REML score while an AI-REML fit is far from its optimum
(issue 16, goal 3: fewer selected inverses per fit).

The score's traces are sums ``tr(C⁻¹M) = Σ_ij M_ij (C⁻¹)_ij`` over the pattern of a sparse
``M`` (∂C/∂θ_k's pieces), which the exact path reads from a Takahashi selected inverse (about
three numeric factorizations' flops on the large animal models). Here C⁻¹ on that pattern is
replaced by the unbiased estimate (Hutchinson 1990)

    Ĉ⁻¹ = (1/K) Σ_k w_k w_k',   w_k = B⁻ᵀ z_k,   C = BB' (B = P'L, CHOLMOD's PCP' = LL'),

with Rademacher probes z_k (E[zz'] = I, so E[ww'] = B⁻ᵀB⁻¹ = C⁻¹): one triangular solve
with K right-hand sides per evaluation. The score is linear in Ĉ⁻¹, so it is unbiased too;
its noise is measured from G groups of K/G probes (the spread of the G group scores). The
AI matrix needs solves only and stays exact, so the AI step is exact up to the score's
noise; ``fit_reml`` (:mod:`asr_py.reml.ai`) switches to exact traces once that noise matters
(:func:`noise_dominates`) and ends every fit with exact traces.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from asr_py.reml.solver import on_pattern

#: probes per evaluation and the groups their noise is measured over
PROBES = 16
GROUPS = 4
#: the probes' seed (a fit is reproducible; ``fit_reml(stochastic_seed=)`` changes it)
SEED = 16_003
#: 'auto' uses stochastic traces from this many equations, with a backend that has a
#: triangular solve and a supernodal selected inverse ('sparse', 'sparse-nd'). Measured
#: (one BLAS thread, load 7-10, benchmarks/README.md): at 20 000-50 000 equations a phase
#: evaluation costs about what a selected inverse does (no gain, fits within the noise);
#: at 100 004 (bivariate 50k animals) 6 % less fit time, 3 of 7 selected inverses saved
MIN_EQUATIONS = 100_000
AUTO_BACKENDS = ("sparse", "sparse-nd")
#: switch to exact traces when the AI step's predicted gain s'AI⁻¹s/2 is below this multiple
#: of the gain the score's noise alone would predict, tr(AI⁻¹Σ_s)/2
SWITCH_RATIO = 20.0
#: the process-wide choice when a fit passes ``stochastic_traces=None``: None ('auto', the
#: rule of :func:`wanted`), True or False (``benchmarks/bench_goals.py --stochastic``)
DEFAULT: bool | None = None
#: entries of C⁻¹ estimated per chunk (memory: chunk x K/G doubles twice)
CHUNK = 65_536


class ProbeInverse:
    """Ĉ⁻¹ = (1/K) W W' (W = [w_1 ... w_K]) with the entry interface of a
    :class:`~asr_py.reml.solver.Factor` (``inverse_entries``, ``inverse_on``); with
    ``groups`` = G, :meth:`group` g is the estimate from probes g·K/G .. (g+1)·K/G − 1, the
    entries of all groups computed in one pass (cached per ``rows`` array)."""

    #: mme._cinv_at reads entries directly (no selected-inverse pattern)
    entries_direct = True

    def __init__(self, w: np.ndarray, groups: int = 1) -> None:
        # single precision for the gathers (half the memory traffic): its rounding (~1e-7
        # relative) is far below the probes' sampling noise
        self.w = np.ascontiguousarray(w, dtype=np.float32)
        self.n, self.k = self.w.shape
        self.groups = groups
        self._cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def grouped_entries(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """(m, G): each group's mean of w[rows[i], k] w[cols[i], k]."""
        rows = np.asarray(rows, dtype=np.int64)
        cols = np.asarray(cols, dtype=np.int64)
        g = self.groups
        out = np.empty((rows.size, g))
        for a in range(0, rows.size, CHUNK):
            b = min(a + CHUNK, rows.size)
            prod = self.w[rows[a:b]] * self.w[cols[a:b]]
            out[a:b] = prod.reshape(b - a, g, self.k // g).sum(axis=2, dtype=np.float64)
        return out / (self.k // g)

    def inverse_entries(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Ĉ⁻¹[rows[i], cols[i]] = mean_k w[rows[i], k] w[cols[i], k] (all probes)."""
        return self.grouped_entries(rows, cols).mean(axis=1)

    def inverse_on(self, pattern: object) -> sp.csc_matrix:
        """Ĉ⁻¹ on the nonzero pattern of ``pattern``."""
        return on_pattern(pattern, self.inverse_entries)  # type: ignore[arg-type]

    def group(self, g: int) -> _Group:
        """The estimate from group g's probes."""
        return _Group(self, g)


class _Group:
    """Group g of a :class:`ProbeInverse` (entries on a repeated ``rows`` array cached)."""

    entries_direct = True

    def __init__(self, parent: ProbeInverse, g: int) -> None:
        self.parent, self.g = parent, g

    def inverse_entries(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        cache = self.parent._cache
        hit = cache.get(id(rows))
        if hit is None or hit[0] is not rows:
            hit = (rows, self.parent.grouped_entries(rows, cols))
            cache[id(rows)] = hit
        return hit[1][:, self.g]

    def inverse_on(self, pattern: object) -> sp.csc_matrix:
        return on_pattern(pattern,  # type: ignore[arg-type]
                          lambda r, c: self.parent.grouped_entries(r, c)[:, self.g])


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


@dataclass
class StochasticTraces:
    """The stochastic-trace phase of one fit: its probes' generator and what it did."""

    probes: int = PROBES
    groups: int = GROUPS
    seed: int = SEED
    active: bool = True
    rng: np.random.Generator = field(init=False)
    evaluations: int = 0

    def __post_init__(self) -> None:
        if self.probes < 2 or self.groups < 2 or self.probes % self.groups:
            raise ValueError("stochastic traces need probes >= 2 in groups >= 2 of equal size")
        self.rng = np.random.default_rng(self.seed)

    def score_ai(self, mme: object, st: object
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """(score estimate, exact AI, covariance of the score estimate) at ``st``, or None
        when ``st``'s factor has no triangular solve."""
        w = probe_vectors(st.factor, rademacher(self.rng, mme.N, self.probes))  # type: ignore[attr-defined]
        if w is None:
            return None
        parts, ai = mme.ai_parts(st)  # type: ignore[attr-defined]
        est = ProbeInverse(w, self.groups)
        s = np.array([mme.score_from(st, parts, est.group(g))  # type: ignore[attr-defined]
                      for g in range(self.groups)])
        self.evaluations += 1
        cov = np.atleast_2d(np.cov(s, rowvar=False)) / self.groups
        return s.mean(axis=0), ai, cov


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
