"""asreml's ``Csparse``: elements of the inverse coefficient matrix C⁻¹ for named terms.

asreml-R (``asreml.options(Csparse = ~ t1 + t2)``; ASReml's ``!CINV t``) returns, for each
term listed, the cells of C⁻¹ within that term's block in sparse form ``i j Cij`` (i >= j,
the indices counted within the term), one row per cell, named by the term. C is the
mixed-model coefficient matrix over [β; u]; C⁻¹ is on the scale of Var(β̂) and
PEV = Var(u − û) (σ² included), as ``Cfixed`` and the standard errors of the solutions.

ASReml reports only the cells it formed (those on its factor's sparsity pattern); here every
cell of the term's lower triangle is reported, so the cells asreml gives are a subset and
agree in value. A term of ``str(~ a + b, ...)`` is named by its parts (``a``, ``b``), as in
asreml's design matrix. A ``str(~ mbf(Co):G, ~ rr(9, 2):id(G))`` term written with 2 zero
placeholder covariates for its factor scores covers its extended effects, u and then the
scores, as asreml's design lays them out (:mod:`asr_py.results.rr_design`): 11 x 25 rows
over 25 genotypes.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.formula.toplevel import split_top
from asr_py.results.rr_design import extended_cinv, extended_terms, has_score_columns

if TYPE_CHECKING:  # pragma: no cover
    from asr_py.results.fit import AsremlFit

__all__ = ["csparse", "term_labels"]


def _plus_terms(text: str) -> list[str]:
    """``text``'s non-empty terms split on + outside brackets."""
    return [p for p in split_top(text, "+", strip=True) if p]


def _norm(label: str) -> str:
    return re.sub(r"\s+", "", label)


def term_labels(terms: str | list[str] | tuple[str, ...]) -> list[str]:
    """The term labels of a Csparse formula (``'~ G + z1:G'``) or list of labels."""
    if isinstance(terms, str):
        return [_norm(t) for t in _plus_terms(terms.strip().lstrip("~"))]
    return [_norm(str(t)) for t in terms]


def _columns(fit: AsremlFit) -> dict[str, np.ndarray]:
    """Each nameable term -> its positions in C (fixed first, then the random terms)."""
    model, res = fit.model, fit.result
    p = len(res.beta)
    cols: dict[str, np.ndarray] = {}
    fixed = list(model.fixed.names)
    for j, name in enumerate(fixed):
        cols.setdefault(_norm(name), np.array([j]))
    off = p
    for t, u in zip(model.random, res.u):
        k = u.size
        idx = np.arange(off, off + k)
        cols[_norm(t.label)] = idx
        parts = _plus_terms(t.label)
        if len(parts) > 1 and len(t.levels) == k:      # str(~ a + b, ...): its parts
            for j, part in enumerate(parts, start=1):
                sel = [i for i, lv in enumerate(t.levels) if str(lv).startswith(f"{j}:")]
                if sel:
                    cols.setdefault(_norm(part), idx[sel])
        off += k
    return cols


def csparse(fit: AsremlFit, terms: str | list[str] | tuple[str, ...]) -> pd.DataFrame:
    """asreml's ``fit$Csparse`` for ``terms``: columns ``row``, ``column``, ``Cij`` (the
    lower triangle of C⁻¹ within each term's block, row by row, indices from 1 within the
    term), indexed by the term's label."""
    labels = term_labels(terms)
    if not labels:
        raise AsrError("Csparse: no terms given", hint="e.g. Csparse = '~ G + z1:G'")
    res = fit.result
    if getattr(res, "factor", None) is None:
        raise AsrError("Csparse: this fit holds no factor of the coefficient matrix C",
                       hint="refit the model (a fit restored from a file has no C)")
    cols = _columns(fit)
    missing = [t for t in labels if t not in cols]
    if missing:
        raise AsrError(f"Csparse: {', '.join(missing)} is not a term of the model",
                       hint="terms of this fit: " + ", ".join(list(cols)[:30]))
    n = len(res.beta) + sum(u.size for u in res.u)
    frames = []
    whole = {_norm(t.label): i for i, t in enumerate(fit.model.random)
             if has_score_columns(fit, i)}
    ext = extended_terms(fit) if any(t in whole for t in labels) else {}
    for t in labels:
        idx = cols[t]
        if whole.get(t) in ext:        # an fa/rr term: u and its factor scores (rr_design)
            block = extended_cinv(fit, whole[t])
            idx = np.arange(block.shape[0])
        else:
            e = np.zeros((n, idx.size))
            e[idx, np.arange(idx.size)] = 1.0
            block = res.solve_c(e)[idx]
            block = 0.5 * (block + block.T)
        i, j = np.tril_indices(idx.size)
        frames.append(pd.DataFrame({"row": i + 1, "column": j + 1, "Cij": block[i, j]},
                                   index=pd.Index([t] * i.size)))
    return pd.concat(frames)
