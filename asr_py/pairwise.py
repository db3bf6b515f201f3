"""Start values for a multivariate fit from the bivariate fits of every pair of traits
(``asreml(..., mv_start='pairwise')``; the advice for hard multi-trait fits in the seed blog).

For t >= 3 traits, each pair (a, b) is fitted with the same formulas and options, the response
``cbind(y_a, y_b)``. Per random term (and the residual) with a structure over ``trait``, its
t x t matrix is assembled from the pairs' 2 x 2 matrices and made positive definite
(:func:`asr_py.reml.staged.assemble_pairwise`: variances averaged over pairs, covariances
from their pair, correlations shrunk toward 0 when needed), then turned into that
structure's parameters (:func:`asr_py.model.spec.fit_template`, exact for us/diag). Parameters
outside the trait structures (a scale, a spatial correlation) are averaged over the pairs;
parameters the user fixed ('F') keep their values. What was done goes to ``diagnostics``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from itertools import combinations
from typing import Any

import numpy as np

from asr_py.errors import ModelError
from asr_py.formula.ast import Arg, Call
from asr_py.model.spec import Model, fit_template
from asr_py.reml.staged import assemble_pairwise
from asr_py.vcov.base import to_dense


def _pair_fixed(model: Model, a: int, b: int) -> str:
    """The fixed formula with the response cbind(y_a, y_b)."""
    f = model.formula.fixed
    lhs = f.lhs
    if not isinstance(lhs, Call) or lhs.func != "cbind":
        raise ModelError("mv_start='pairwise' needs a cbind(...) response")
    args = lhs.positional()
    return f"{Call('cbind', (Arg(args[a]), Arg(args[b])))} ~ {f.rhs}"


def pairwise_start(model: Model, call: dict[str, Any],
                   progress: Callable[[str], None] | None = None
                   ) -> tuple[np.ndarray, list[str]]:
    """(θ0 for the full model, report lines) from the bivariate fits of every pair.
    ``progress`` receives one line per pair fit (trace=True). A UserWarning says so when an
    assembled matrix had to be made positive definite."""
    from asr_py.api import asreml

    traits = model.records.traits
    t = len(traits)
    layout = model.param_layout()
    mats: list[dict[tuple[int, int], np.ndarray]] = [{} for _ in layout]
    rest: list[list[np.ndarray]] = [[] for _ in layout]
    kw = {k: v for k, v in call.items() if k not in ("fixed", "mv_start", "trace")}
    iters, failed = 0, []
    for a, b in combinations(range(t), 2):
        fit = asreml(_pair_fixed(model, a, b), mv_start="auto", trace=False, **kw)
        pl = fit.model.param_layout()
        if len(pl) != len(layout) or any(
                (p.trait is None) != (f.trait is None)
                or p.n - _width(p.trait) != f.n - _width(f.trait) for p, f in zip(pl, layout)):
            raise ModelError(f"mv_start='pairwise': the model of traits {traits[a]}, "
                             f"{traits[b]} has other terms than the full model",
                             hint="use mv_start='univariate' or 'auto' for this model")
        th = fit.result.theta
        for k, p in enumerate(pl):
            tp = th[p.offset:p.offset + p.n]
            if p.trait is not None and p.trait_template is not None:
                mats[k][(a, b)] = to_dense(p.trait_template.matrix(tp[p.trait]))
            rest[k].append(np.delete(tp, _indices(p.trait)))
        iters += fit.result.n_iter
        if not fit.converged:
            failed.append(f"{traits[a]}/{traits[b]}")
        if progress is not None:
            progress(f"pair {traits[a]}/{traits[b]}: loglik {fit.loglik:.6f}, "
                     f"{fit.result.n_iter} iterations"
                     + ("" if fit.converged else ", not converged"))
    theta = model.theta0.copy()
    notes = [f"mv_start='pairwise': started from the {t * (t - 1) // 2} bivariate fits of "
             f"every pair of traits ({iters} iterations"
             + (f"; not converged: {', '.join(failed)}" if failed else "") + ")"]
    for k, f in enumerate(layout):
        tp = theta[f.offset:f.offset + f.n].copy()
        keep = np.delete(np.arange(f.n), _indices(f.trait))
        if keep.size:
            tp[keep] = np.mean(rest[k], axis=0)
        if f.trait is not None and f.trait_template is not None:
            asm = assemble_pairwise(t, mats[k])
            th_tr = fit_template(f.trait_template, asm.matrix, tp[f.trait])
            got = to_dense(f.trait_template.matrix(th_tr))
            exact = np.allclose(got, asm.matrix, rtol=1e-6,
                                atol=1e-9 * float(np.abs(asm.matrix).max()))
            tp[f.trait] = th_tr
            notes.append(_describe(f.label, t, asm, exact, traits))
            if asm.shrink > 0 or asm.floored:
                warnings.warn(f"mv_start='pairwise': {notes[-1]}", UserWarning, stacklevel=3)
        theta[f.offset:f.offset + f.n] = tp
    fixed = np.array([c == "F" for c in model.constraints])
    theta[fixed] = model.theta0[fixed]
    return theta, notes


def _width(sl: slice | None) -> int:
    return 0 if sl is None else sl.stop - sl.start


def _indices(sl: slice | None) -> list[int]:
    return [] if sl is None else list(range(sl.start, sl.stop))


def _describe(label: str, t: int, asm: Any, exact: bool, traits: tuple[str, ...]) -> str:
    out = (f"{label}: {t} x {t} trait matrix assembled from the pairs (variances averaged, "
           "covariances from their pair); ")
    if asm.shrink > 0:
        out += (f"it was not positive definite (smallest eigenvalue of its correlation matrix "
                f"{asm.min_eig:.3g}): correlations shrunk by {100 * asm.shrink:.3g}% toward 0")
    else:
        out += (f"positive definite as assembled (smallest eigenvalue of its correlation "
                f"matrix {asm.min_eig:.3g})")
    if asm.floored:
        out += ("; variance(s) of " + ", ".join(traits[i] for i in asm.floored)
                + " at 0 in the pairs started slightly above 0")
    if not exact:
        out += "; the structure cannot represent it exactly: its closest fit is used"
    return out


__all__ = ["pairwise_start"]
