"""Monte Carlo AI-REML of the univariate animal model, every solve by PCG (C never formed).

Model: y = X b + Z u + e, u ~ N(0, A sigma_a^2), e ~ N(0, I sigma_e^2), theta = (sigma_a^2,
sigma_e^2); MME C x = W'y / sigma_e^2 with C = W'W / sigma_e^2 + (0 (+) A^{-1} / sigma_a^2).

REML score (V = ZAZ' sigma_a^2 + I sigma_e^2, P = V^{-1} - V^{-1}X(X'V^{-1}X)^{-}X'V^{-1}):

    s_i = 1/2 (y'P V_i P y - tr(P V_i)),   Q_a(y) = y'P V_a P y = u'A^{-1}u / sigma_a^4,
                                          Q_e(y) = y'P P y     = e'e / sigma_e^4,

with u, e the BLUP and residuals of y. The traces are the expectations of the same quadratics
for data simulated from the model at the current theta, tr(P V_i) = E Q_i(y*), y* ~ N(0, V)
(Garcia-Cortes, Moreno, Varona & Altarriba 1992, Theor. Appl. Genet. 84:285 and 1995, Genet.
Sel. Evol. 27:477; here in the Newton-type form of Matilainen, Mantysaari, Lidauer, Stranden &
Thompson 2012, Genet. Sel. Evol. 44:40 / Matilainen et al. 2013, PLoS ONE 8:e80821): K data
sets y*_k = Z u*_k + e*_k (u* by the pedigree recursion, :mod:`asr_py.large.simulate`; X b
drops out since P X = 0) are solved together with y as one block of K + 1 right-hand sides by
PCG (:func:`asr_py.large.pcg.pcg_block`, one pass over the records per iteration for all).
Equivalently tr(A^{-1} C^{uu}) = q sigma_a^2 - sigma_a^4 E Q_a(y*) (the MC-EM trace).

Newton step: the average information AI_ij = 1/2 w_i'P w_j with the working variates
w_a = Z u / sigma_a^2, w_e = e / sigma_e^2; P w = (w - W C^{-1}W'w / sigma_e^2) / sigma_e^2,
so AI costs one more PCG solve with two right-hand sides (no Monte Carlo in it). theta <-
theta + AI^{-1} s, halved while it leaves the parameter space (an EM step if AI is not
positive definite). The draws (u*, e* in standard units) are kept for the whole run (common
random numbers): the estimate is then the exact root of a fixed Monte Carlo score, and the
iteration converges to it like exact AI-REML. Its Monte Carlo error, from the spread of the
K simulated quadratics (covariance Sigma_Q), is

    Var_MC(theta) = AI^{-1} (Sigma_Q / (4 K)) AI^{-1}   (~ Var(theta-hat) / K).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from asr_py.errors import DataError, ModelError
from asr_py.genetics.relmatrix import RelMatrix
from asr_py.large.block import (
    Affine,
    BlockChunk,
    block_chunk,
    block_count,
    block_cross,
    block_diag,
    block_products,
)
from asr_py.large.blup import _ainv, _levels_task, _pieces
from asr_py.large.chunks import Coding, code_chunk
from asr_py.large.pcg import pcg_block
from asr_py.large.runner import LocalRunner, read_piece
from asr_py.large.simulate import PedigreeSampler
from asr_py.reml.memory import peak_bytes
from asr_py.warning_classes import AsrWarning, ConvergenceWarning

__all__ = ["McReml", "reml_mc", "mc_traces"]

NAMES = ("sigma2_a", "sigma2_e")


@dataclass
class McReml:
    """Result of :func:`reml_mc`.

    Attributes:
        estimates: sigma2_a, sigma2_e (a Series); mc_se: their Monte Carlo standard errors;
            se: approximate sampling standard errors (sqrt diag AI^{-1}, as asreml reports).
        converged: the last Newton step was below ``tol`` (relative); iterations: REML
            iterations; history: one row per iteration (theta, score, step, PCG iterations).
        trace_ainv_cuu: the Monte Carlo estimate of tr(A^{-1} C^{uu}) at the estimates,
            with its standard error ``trace_se``.
        blup, fixed: BLUP and fixed effects of y at the estimates (from the last solve).
        n_samples, n_records, n_equations, seconds, peak_memory (bytes).
        boundary: the components left at their floor (1e-6 x var(y)) because their score
            pointed below it; ai: the average-information matrix of the last iteration.
    """

    estimates: pd.Series
    mc_se: pd.Series
    se: pd.Series
    converged: bool
    iterations: int
    history: pd.DataFrame
    trace_ainv_cuu: float
    trace_se: float
    blup: pd.Series
    fixed: pd.DataFrame
    n_samples: int
    n_records: int
    n_equations: int
    seconds: float
    peak_memory: int
    boundary: list[str] = field(default_factory=list)
    ai: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((2, 2)))

    @property
    def h2(self) -> float:
        """sigma2_a / (sigma2_a + sigma2_e)."""
        return float(self.estimates.iloc[0] / self.estimates.sum())

    def summary(self) -> str:
        state = "converged" if self.converged else "NOT converged"
        lines = [
            "Monte Carlo AI-REML (PCG, stochastic traces), univariate animal model",
            f"  records {self.n_records}, animals {len(self.blup)}, equations "
            f"{self.n_equations}, samples K = {self.n_samples}",
            f"  {state} in {self.iterations} iterations; time {self.seconds:.1f} s, peak "
            f"memory {self.peak_memory / 2**20:.0f} MiB",
            "  component     estimate     MC s.e.   s.e. (AI)",
        ]
        for k in self.estimates.index:
            lines.append(f"  {k:<10} {self.estimates[k]:11.5g} {self.mc_se[k]:11.3g} "
                         f"{self.se[k]:11.3g}")
        lines.append(f"  h2 = {self.h2:.4f}; tr(A^-1 C^uu) = {self.trace_ainv_cuu:.6g} "
                     f"(MC s.e. {self.trace_se:.3g})")
        for b in self.boundary:
            lines.append(f"  {b} is at the boundary (estimate near zero)")
        return "\n".join(lines)


@dataclass
class _Model:
    """The coded records (chunks), A^{-1}, the pedigree sampler and the fixed draws."""

    runner: LocalRunner
    coding: Coding
    ainv: Any
    ainv_diag: np.ndarray
    ustd: np.ndarray          # u* / sigma_a: (n, K), ~ N(0, A) per column
    count: np.ndarray         # diag of W'W (records by fixed level, by animal)
    n_records: int
    ymean: float
    yvar: float

    @property
    def p(self) -> int:
        return self.coding.n_fixed

    @property
    def n(self) -> int:
        return len(self.coding.ids)

    def products(self, d: Affine) -> np.ndarray:
        """W'D, summed over the chunks: (p + n, m)."""
        out = self.runner.map(block_products, d)
        total = out[0]
        for part in out[1:]:
            total += part
        return total

    def solve(self, d: Affine, theta: np.ndarray, x0: np.ndarray | None,
              tol: float, maxit: int) -> tuple[np.ndarray, Any]:
        """C X = W'D / sigma_e^2 by block PCG: (X = [B; U] (p + n, m), info)."""
        sa, se = theta
        p = self.p
        rhs = self.products(d) / se

        def matvec(x: np.ndarray) -> np.ndarray:
            out = self.products(Affine(V=x))
            out /= se
            au = self.ainv @ x[p:]
            au /= sa
            out[p:] += au
            return out

        dinv = 1.0 / (self.count / se + np.concatenate([np.zeros(p), self.ainv_diag / sa]))

        def precond(r: np.ndarray) -> np.ndarray:
            return r * dinv[:, None]

        if x0 is not None and x0.shape != rhs.shape:
            x0 = None
        x, info, _ = pcg_block(matvec, rhs, precond, x0=x0, tol=tol, maxit=maxit)
        return x, info

    def cross(self, d1: Affine, d2: Affine, diag: bool = False) -> np.ndarray:
        return sum(self.runner.map(block_cross, d1, d2, diag))


def _residual(d: Affine, x: np.ndarray) -> Affine:
    """D - W x."""
    return Affine(d.a, -x if d.V is None else d.V - x, d.S)


def _join(d1: Affine, d2: Affine, k: int, rows: int) -> Affine:
    """The columns of d1 then those of d2 (absent parts as zeros)."""
    m1, m2 = d1.width(), d2.width()

    def part(a: np.ndarray | None, b: np.ndarray | None, shape: tuple[int, ...]
             ) -> np.ndarray | None:
        if a is None and b is None:
            return None
        return np.concatenate([np.zeros(shape + (m1,)) if a is None else a,
                               np.zeros(shape + (m2,)) if b is None else b], axis=-1)

    return Affine(part(d1.a, d2.a, ()), part(d1.V, d2.V, (rows,)), part(d1.S, d2.S, (k,)))


def _load(piece: Any, cols: list[str], coding: Coding, k: int,
          rng: np.random.Generator) -> BlockChunk:
    where = "" if isinstance(piece, pd.DataFrame) else f" in {piece}"
    return block_chunk(code_chunk(read_piece(piece, cols), coding, where), coding.n_fixed,
                       len(coding.ids), k, rng)


def _setup(data: Any, trait: str, animal: str, factors: tuple[str, ...], ainv: RelMatrix,
           pedigree: pd.DataFrame, k: int, seed: int, chunk_rows: int) -> _Model:
    ainv_m, ids = _ainv(ainv)
    sampler = PedigreeSampler.build(pedigree, ainv)
    cols = [animal, *factors, trait]
    pieces = _pieces(data, cols, chunk_rows)
    seen = [_levels_task(pc, cols, (trait,), factors) for pc in pieces]
    levels, offsets, row = {}, {}, 1
    for f in factors:
        levels[f] = np.unique(np.concatenate([s[f] for s in seen]))
        offsets[f] = row
        row += max(len(levels[f]) - 1, 0)
    coding = Coding((trait,), animal, factors, levels, offsets, ids)
    ss = np.random.SeedSequence(seed)
    s_u, s_e = ss.spawn(2)
    chunk_rngs = [np.random.default_rng(s) for s in s_e.spawn(len(pieces))]
    runner = LocalRunner()
    runner.items = [_load(pc, cols, coding, k, g) for pc, g in zip(pieces, chunk_rngs)]
    runner.items = [c for c in runner.items if c.y.size]
    n_records = int(sum(runner.map(block_count)))
    if n_records == 0:
        raise DataError(f"no record has the trait '{trait}' observed")
    ysum = sum(float(c.y.sum()) for c in runner.items)
    yss = sum(float((c.y ** 2).sum()) for c in runner.items)
    ymean = ysum / n_records
    yvar = max(yss / n_records - ymean ** 2, 0.0)
    if not np.isfinite(yvar) or yvar <= 0:
        raise DataError(f"trait '{trait}' has no variation (variance {yvar:g})",
                        hint="REML needs a trait that varies")
    count = sum(runner.map(block_diag))
    z = np.random.default_rng(s_u).standard_normal((len(ids), k))
    ustd = sampler.sample(z)
    return _Model(runner, coding, ainv_m, np.asarray(ainv_m.diagonal()).ravel(), ustd,
                  count, n_records, ymean, yvar)


def _start(v: Any, name: str, default: float) -> float:
    if v is None:
        return default
    a = np.asarray(v, dtype=float)
    if a.size != 1 or not np.isfinite(a).all() or float(a.ravel()[0]) <= 0:
        raise ModelError(f"{name} (start value) must be one positive number for a univariate "
                         f"model, got {v!r}", hint=f"e.g. {name}=1.0, or leave it out")
    return float(a.ravel()[0])


def _check(traits: Any, animal: str, factors: tuple[str, ...], k: int, maxit: int,
           tol: float, pcg_tol: float, chunk_rows: int) -> str:
    traits = (traits,) if isinstance(traits, str) else tuple(traits)
    if len(traits) != 1:
        raise ModelError(f"reml_mc fits one trait, got {len(traits)}: {list(traits)}",
                         hint="fit the traits one at a time (multivariate Monte Carlo REML "
                         "is not provided); asr.asreml fits multivariate models exactly")
    if len(set((*traits, animal, *factors))) != 2 + len(factors):
        raise ModelError("traits, animal and fixed name the same column twice")
    if not isinstance(k, (int, np.integer)) or k < 2:
        raise ModelError(f"n_samples must be an integer >= 2 (the Monte Carlo error is "
                         f"estimated from their spread), got {k!r}", hint="e.g. 20-100")
    if maxit < 1 or chunk_rows < 1 or not tol > 0 or not 0 < pcg_tol < 1e-2:
        raise ModelError("maxit and chunk_rows must be >= 1, tol > 0 and 0 < pcg_tol < 1e-2")
    return traits[0]


def reml_mc(data: pd.DataFrame | str | Sequence[str], *, traits: str | Sequence[str],
            animal: str, ainv: RelMatrix, pedigree: pd.DataFrame, fixed: Sequence[str] = (),
            G: Any = None, R: Any = None, n_samples: int = 50, seed: int = 1,
            maxit: int = 30, tol: float = 1e-4, pcg_tol: float = 1e-9,
            pcg_maxit: int = 5000, chunk_rows: int = 1_000_000,
            verbose: bool = False) -> McReml:
    """Variance components of ``y ~ 1 + fixed``, ``~ vm(animal, ainv)`` by Monte Carlo
    AI-REML, every solve by PCG iterating on the data (see the module docstring).

    Args:
        data, traits, animal, fixed, ainv, chunk_rows: as for :func:`asr_py.blup_pcg` (one
            trait; ``chunk_rows`` default 10^6: in memory, fewer chunks are faster).
        pedigree: the pedigree frame (id, sire, dam) ``ainv`` was built from: the simulated
            breeding values follow it.
        G, R: start values of sigma2_a and sigma2_e (default: half the variance of y each).
        n_samples: K simulated data sets; the Monte Carlo standard error falls like
            1/sqrt(K) (about the sampling s.e. / sqrt(K)).
        seed: the draws (fixed for the whole run): the same seed, data and chunk_rows give
            the same estimates.
        maxit, tol: most REML iterations; converged when every Newton step |dtheta_i| <=
            tol * theta_i. pcg_tol, pcg_maxit: PCG stopping rule of every solve.
    """
    t0 = time.perf_counter()
    factors = tuple(fixed)
    trait = _check(traits, animal, factors, n_samples, maxit, tol, pcg_tol, chunk_rows)
    with threadpool_limits(1):
        m = _setup(data, trait, animal, factors, ainv, pedigree, int(n_samples), seed,
                   chunk_rows)
        theta = np.array([_start(G, "G", m.yvar / 2), _start(R, "R", m.yvar / 2)])
        return _iterate(m, theta, int(n_samples), maxit, tol, pcg_tol, pcg_maxit, verbose,
                        t0)


def _main_block(m: _Model, theta: np.ndarray, k: int) -> Affine:
    """[y, y*_1 .. y*_K]: y*_k = sigma_a Z u*_k + sigma_e e*_k."""
    sa, se = np.sqrt(theta)
    a = np.zeros(k + 1)
    a[0] = 1.0
    v = np.zeros((m.p + m.n, k + 1))
    v[m.p:, 1:] = sa * m.ustd
    s = np.zeros((k, k + 1))
    s[:, 1:] = se * np.eye(k)
    return Affine(a=a, V=v, S=s)


def _quadratics(m: _Model, theta: np.ndarray, d: Affine, x: np.ndarray) -> np.ndarray:
    """(2, m): Q_a = u'A^{-1}u / sigma_a^4 and Q_e = e'e / sigma_e^4 per column."""
    u = x[m.p:]
    qa = np.einsum("ij,ij->j", u, m.ainv @ u) / theta[0] ** 2
    res = _residual(d, x)
    qe = m.cross(res, res, diag=True) / theta[1] ** 2
    return np.vstack([qa, qe])


def _working(m: _Model, theta: np.ndarray, x0: np.ndarray) -> Affine:
    """Working variates of y (solution x0 = [b; u]): w_a = Z u / sigma_a^2 and
    w_e = (y - X b - Z u) / sigma_e^2."""
    sa, se = theta
    v = np.zeros((m.p + m.n, 2))
    v[m.p:, 0] = x0[m.p:] / sa
    v[:, 1] = -x0 / se
    return Affine(a=np.array([0.0, 1.0 / se]), V=v)


def _ai(m: _Model, theta: np.ndarray, w: Affine, xw: np.ndarray) -> np.ndarray:
    """AI_ij = 1/2 w_i'P w_j = 1/2 w_i'(w_j - W xw_j) / sigma_e^2 (xw: the MME solutions
    of the working variates at theta)."""
    ai = 0.5 * m.cross(w, _residual(w, xw)) / theta[1]
    return 0.5 * (ai + ai.T)


def _iterate(m: _Model, theta: np.ndarray, k: int, maxit: int, tol: float, pcg_tol: float,
             pcg_maxit: int, verbose: bool, t0: float) -> McReml:
    """Newton-AI iterations. The working variates of iteration t are solved in the block of
    iteration t + 1 (two more columns there, no separate solve), so AI at theta_{t+1} uses
    the working variates of theta_t (a quasi-Newton metric; equal at convergence); only the
    first iteration solves them separately."""
    hist: list[dict[str, Any]] = []
    x_prev: np.ndarray | None = None
    w_prev: Affine | None = None
    converged = False
    pcg_failed = False
    rows = m.p + m.n
    floor = 1e-6 * m.yvar                             # lower bound of a variance
    for it in range(1, maxit + 1):
        d = _main_block(m, theta, k)
        if w_prev is not None:
            d = _join(d, w_prev, k, rows)
        # far from the estimate (last step > 1 %) the score need not be exact to 1e-9
        far = not hist or max(abs(hist[-1]["step_a"]) / theta[0],
                              abs(hist[-1]["step_e"]) / theta[1]) > 1e-2
        x, info = m.solve(d, theta, x_prev, max(pcg_tol, 1e-7) if far else pcg_tol,
                          pcg_maxit)
        pcg_failed |= not info.converged
        x_prev = x
        its, ai_its = info.iterations, 0
        q = _quadratics(m, theta, Affine(d.a[:k + 1], d.V[:, :k + 1], d.S[:, :k + 1]),
                        x[:, :k + 1])
        score = 0.5 * (q[:, 0] - q[:, 1:].mean(axis=1))
        sig_q = np.cov(q[:, 1:])
        if w_prev is not None:
            ai = _ai(m, theta, w_prev, x[:, k + 1:])
        else:
            w0 = _working(m, theta, x[:, 0])
            xw, info_w = m.solve(w0, theta, None, max(pcg_tol, 1e-7), pcg_maxit)
            ai, ai_its = _ai(m, theta, w0, xw), info_w.iterations
        w_prev = _working(m, theta, x[:, 0])
        # a component at its floor whose score still points down stays there (boundary)
        fixed = (theta <= floor * (1 + 1e-9)) & (score < 0)
        free = ~fixed
        step = np.zeros(2)
        try:
            np.linalg.cholesky(ai)
            step[free] = np.linalg.solve(ai[np.ix_(free, free)], score[free])
            kind = "AI"
        except np.linalg.LinAlgError:   # the EM step: 2 theta_i^2 s_i / (q animals, N records)
            step[free] = (2 * theta ** 2 * score / np.array([m.n, m.n_records]))[free]
            kind = "EM"
        new = theta + step
        halvings = 0
        while (new < floor).any() and halvings < 5:
            step = step / 2
            new = theta + step
            halvings += 1
        new = np.maximum(new, floor)                  # still below: onto the boundary
        step = new - theta
        rel = np.abs(step) / theta
        hist.append(dict(iteration=it, sigma2_a=theta[0], sigma2_e=theta[1],
                         score_a=score[0], score_e=score[1], step_a=step[0],
                         step_e=step[1], kind=kind, halvings=halvings,
                         pcg_iterations=its, pcg_iterations_ai=ai_its, columns=d.width(),
                         seconds=time.perf_counter() - t0))
        if verbose:
            print(f"reml_mc {it:3d}: sigma2_a {theta[0]:.6g} sigma2_e {theta[1]:.6g} "
                  f"step {rel.max():.2e} ({kind}), pcg {its}+{ai_its} x {d.width()} "
                  f"columns, {time.perf_counter() - t0:.1f} s", flush=True)
        theta = new
        if rel.max() <= tol:
            converged = True
            break
    aiinv = np.linalg.inv(ai)
    cov_mc = aiinv @ (sig_q / (4 * k)) @ aiinv
    # trace at the last evaluation point theta_ev: tr(A^-1 C^uu) = q s_a - s_a^2 E Q_a(y*)
    ev_a = hist[-1]["sigma2_a"]
    tr = m.n * ev_a - ev_a ** 2 * q[0, 1:].mean()
    tr_se = ev_a ** 2 * q[0, 1:].std(ddof=1) / np.sqrt(k)
    if not converged:
        warnings.warn(f"reml_mc did not converge in {maxit} iterations (last relative step "
                      f"{rel.max():.2g} > tol = {tol:g}); raise maxit",
                      ConvergenceWarning, stacklevel=3)
    if pcg_failed:
        warnings.warn(f"a PCG solve of reml_mc did not reach pcg_tol = {pcg_tol:g} in "
                      f"{pcg_maxit} iterations: the score is approximate",
                      ConvergenceWarning, stacklevel=3)
    boundary = [nm for nm, v in zip(NAMES, theta) if v <= floor * (1 + 1e-9)]
    if boundary:
        warnings.warn(f"reml_mc: {', '.join(boundary)} is at its lower bound ({floor:.3g} = "
                      "1e-6 x the variance of y): the REML estimate is on the boundary "
                      "(no variance of that kind detected)", AsrWarning, stacklevel=3)
    idx = pd.Index(NAMES)
    return McReml(
        estimates=pd.Series(theta, index=idx),
        mc_se=pd.Series(np.sqrt(np.diag(cov_mc)), index=idx),
        se=pd.Series(np.sqrt(np.diag(aiinv)), index=idx),
        converged=converged, iterations=len(hist), history=pd.DataFrame(hist),
        trace_ainv_cuu=float(tr), trace_se=float(tr_se),
        blup=pd.Series(x[m.p:, 0], index=m.coding.ids, name="blup"),
        fixed=_fixed(m.coding, x[:m.p, 0]), n_samples=k, n_records=m.n_records,
        n_equations=m.p + m.n, seconds=time.perf_counter() - t0, peak_memory=peak_bytes(),
        boundary=boundary, ai=ai)


def _fixed(coding: Coding, b: np.ndarray) -> pd.DataFrame:
    rows = [("(Intercept)", "")]
    for f in coding.factors:
        rows += [(f, str(lev)) for lev in coding.levels[f][1:]]
    return pd.DataFrame([(t, lv, float(v)) for (t, lv), v in zip(rows, b)],
                        columns=["term", "level", "effect"])


def mc_traces(data: pd.DataFrame, *, traits: str, animal: str, ainv: RelMatrix,
              pedigree: pd.DataFrame, G: float, R: float, fixed: Sequence[str] = (),
              n_samples: int = 50, seed: int = 1, pcg_tol: float = 1e-9) -> dict[str, float]:
    """The Monte Carlo estimates at given (sigma2_a = G, sigma2_e = R), no iteration:
    tr(A^{-1} C^{uu}) = q sigma_a^2 - sigma_a^4 mean Q_a(y*) and tr(P) = mean Q_e(y*)
    (Q_e = e*'e* / sigma_e^4), with their standard errors over the K samples."""
    factors = tuple(fixed)
    trait = _check(traits, animal, factors, n_samples, 1, 1.0, pcg_tol, 10**9)
    theta = np.array([_start(G, "G", 1.0), _start(R, "R", 1.0)])
    with threadpool_limits(1):
        m = _setup(data, trait, animal, factors, ainv, pedigree, n_samples, seed, 10**9)
        d = _main_block(m, theta, n_samples)
        x, _ = m.solve(d, theta, None, pcg_tol, 5000)
        q = _quadratics(m, theta, d, x)[:, 1:]
    sk = np.sqrt(n_samples)
    return {"trace_ainv_cuu": m.n * theta[0] - theta[0] ** 2 * q[0].mean(),
            "trace_ainv_cuu_se": theta[0] ** 2 * q[0].std(ddof=1) / sk,
            "trace_p": q[1].mean(), "trace_p_se": q[1].std(ddof=1) / sk}
