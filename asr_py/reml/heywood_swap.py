"""Other Heywood sets of a factor-analytic fit: exchanges of a zero ψ with a non-zero one.

Σ = ΛΛ' + Ψ often has its REML optimum with some specific variances ψ_i = 0 (Heywood
cases: environment i wholly explained by the factors), and the likelihood can have one
local optimum per *set* of such i. The iteration reaches the one its path leads to; freeing
one zero ψ_i from there returns to the same optimum. The engine sweep's fa(env, 2) METs
(tests/reml/_sweep_cases.py, size 150) seed 3 ended at {ψ0, ψ1, ψ4} = 0, ℓ −819.653374,
0.12 below a dense-V REML optimum at {ψ0, ψ2, ψ4} = 0 (ℓ −819.531497); seed 5 at
{0, 3, 4}, 0.042 below {0, 1, 4}. A fit started with one zero ψ_i raised and one non-zero
ψ_j lowered (:meth:`~asr_py.vcov.base.CovTemplate.exchange_start`, diag(Σ) kept) reaches
the better set in both.

:func:`swap_starts` lists such starts after a fit, for every leaf that offers them: the
held variances i (code 'B') in increasing |∂ℓ/∂θ_i|·Σ_ii (the least pinned first: a
scale-free measure), the free ones j ('P') in increasing θ_j/Σ_jj (the nearest to zero
first), pairs by increasing rank sum (i's rank first on ties), at most :data:`MAX_SWAPS`;
structures of up to :data:`MAX_LEVELS` levels.
The caller (reml/ai.py ``_heywood_swaps``) fits each, abandoning a fit that cannot beat the
target (:class:`asr_py.reml.bound_revisit.FaceWatch`), keeps the best converged one when it
is higher by more than MIN_GAIN, and looks again from there (at most :data:`MAX_ROUNDS`).
Each fit is an ordinary fit of the same problem (same constraints), so what is kept is a
fit like any other.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from asr_py.reml.problem import MixedProblem
from asr_py.reml.result import RemlResult

#: exchange fits tried per round (each is one more fit, most abandoned early)
MAX_SWAPS = 6
#: rounds: a kept exchange is looked at again from its own optimum
MAX_ROUNDS = 2
#: structures of more levels are not examined: there the MAX_SWAPS pairs are a small sample
#: of |held| x |free| (GIS-FA's soybean fa(env, 2), 49 environments: 5 x 44) and each is a
#: whole fit (that fit took 35 s CPU, 98 s with six exchange fits, none better)
MAX_LEVELS = 12


def _diag(m: object) -> np.ndarray:
    d = m.toarray() if sp.issparse(m) else np.asarray(m, dtype=float)  # type: ignore[union-attr]
    return np.diag(d)


def _level(leaf: object, th: np.ndarray, j: int) -> int | None:
    """The level whose diagonal entry variance θ_j moves (∂Σ_ii/∂θ_j > 0), if one."""
    d = _diag(leaf.derivatives(th)[j])  # type: ignore[attr-defined]
    hit = np.flatnonzero(d > 0)
    return int(hit[0]) if hit.size == 1 else None


def swap_starts(problem: MixedProblem, res: RemlResult) -> list[tuple[np.ndarray, str]]:
    """(θ start, label) of the exchange fits after ``res`` (module docstring)."""
    theta = np.asarray(res.theta, dtype=float)
    cons = [str(c).upper() for c in res.constraints]
    score = np.asarray(res.score, dtype=float)
    tmpls = [(b.template, b.offset) for b in problem.random]
    tmpls.append((problem.residual, problem.residual_offset))
    out: list[tuple[np.ndarray, str]] = []
    for tmpl, off in tmpls:
        for leaf, loff in tmpl.leaves():
            s0 = off + loff
            if leaf.n > MAX_LEVELS:
                continue
            kinds = list(leaf.param_kinds)
            var = [j for j, k in enumerate(kinds) if k == "variance"]
            held = [j for j in var if cons[s0 + j] == "B"]
            free = [j for j in var if cons[s0 + j] == "P" and theta[s0 + j] > 0]
            if not held or not free:
                continue
            th = theta[s0:s0 + leaf.n_params]
            if leaf.exchange_start(th, held[0], free[0]) is None:
                continue
            try:
                sii = _diag(leaf.matrix(th))
                lev = {j: _level(leaf, th, j) for j in held + free}
            except (ValueError, np.linalg.LinAlgError, NotImplementedError):
                continue
            if any(v is None for v in lev.values()) or np.any(sii <= 0):
                continue
            hi = sorted(held, key=lambda j: abs(score[s0 + j]) * sii[lev[j]])
            fj = sorted(free, key=lambda j: th[j] / sii[lev[j]])
            pairs = sorted(((a, b) for a in range(len(hi)) for b in range(len(fj))),
                           key=lambda p: (p[0] + p[1], p[0]))
            for a, b in pairs:
                if len(out) >= MAX_SWAPS:
                    return out
                th1 = leaf.exchange_start(th, hi[a], fj[b])
                if th1 is None:
                    continue
                start = theta.copy()
                start[s0:s0 + leaf.n_params] = th1
                out.append((start, f"{problem.names[s0 + hi[a]]} <-> "
                                   f"{problem.names[s0 + fj[b]]}"))
    return out


def note(labels: list[str], gain: float) -> str:
    """The diagnostic of kept exchanges."""
    return (f"a fit started with specific variance(s) exchanged at zero ({'; '.join(labels)}) "
            f"reached another optimum (another Heywood set), {gain:.3g} higher in "
            "log-likelihood (kept)")


__all__ = ["MAX_LEVELS", "MAX_ROUNDS", "MAX_SWAPS", "note", "swap_starts"]
