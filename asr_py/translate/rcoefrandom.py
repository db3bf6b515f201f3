"""asreml's names of the random coefficients, for translated scripts.

asreml names each random effect by its factors, each with its own level:
``trait_Brix:vm(gid, Ginv)_GS1_10`` (asreml 3: ``trait_Brix:ped(gid)_GS1_10``), like the fixed
ones (``A_1:B_2``); :attr:`asr_py.AsremlFit.coef_random` labels a term once and joins its
levels (``trait:vm(gid, gid_ginv)_Brix:GS1_10``). Scripts grep these names
(``pred[grep("trait_Brix", names(pred))]``, ``gsub("trait_Brix:ped\\\\(gid\\\\)_", "", ...)``),
so ``fit$coefficients$random`` is given asreml's names; a term the translation rewrote
(asreml 3's ``ped(gid)`` with ``ginverse = list(gid = Ginv)`` became ``vm(gid, gid_ginv)``)
shows the script's own text again. An ``fa(f, k)``/``rr(f, k)`` factor is named by its call,
as asreml names it, and its factor scores follow the effects (``fa(Site, 2)_S1:Genotype_G01``
.., ``fa(Site, 2)_Comp1:Genotype_G01``; :mod:`asr_py.results.fa_scores`).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.formula.toplevel import split_top

__all__ = ["asreml_random_names", "r_coef_random", "random_terms"]


def asreml_random_names(label: str, levels: list[str],
                        renamed: dict[str, str] | None = None) -> list[str]:
    """``factor_level:factor_level`` names of one random term's effects; a term whose level
    labels do not split into one level per factor keeps ``label_level``."""
    parts = [(renamed or {}).get(p.strip(), p.strip()) for p in split_top(label)]
    shown = ":".join(parts)
    out = []
    for lv in levels:
        pieces = str(lv).split(":", len(parts) - 1) if len(parts) > 1 else [str(lv)]
        if len(pieces) == len(parts):
            out.append(":".join(f"{p}_{v}" for p, v in zip(parts, pieces)))
        else:
            out.append(f"{shown}_{lv}")
    return out


def r_coef_random(fit: Any, renamed: dict[str, str] | None = None) -> pd.DataFrame:
    """``fit$coefficients$random`` (solution, std.error, z.ratio) under asreml's names. The
    ``rr(f, k):g + diag(f):g`` pair fitted as one fa term is listed as asreml lists its two
    terms: the rr term's common effects (Λ ⊗ I)f̂ and scores, then the diag term's δ̂
    (:func:`asr_py.results.fa_scores.pair_parts`)."""
    from asr_py.translate.checks import Untranslated

    if isinstance(fit, Untranslated):
        return fit._use()
    frames = [tab for _, tab in random_terms(fit, renamed)]
    if not frames:
        return fit.coef_random
    return pd.concat(frames)


def random_terms(fit: Any, renamed: dict[str, str] | None = None
                 ) -> list[tuple[str, pd.DataFrame]]:
    """(asreml's term label, its rows of :func:`r_coef_random`) per random term, in order."""
    from asr_py.compat.vpnames import asreml_term_label
    from asr_py.model.rr_pair import _is_fa_of
    from asr_py.results.fa_scores import pair_parts, random_rows

    out = []
    offset = 0
    pairs = list(getattr(fit.model, "rr_pairs", []) or [])
    for i, (t, levels, sol, se, score) in enumerate(random_rows(fit)):
        split = pair_parts(fit, i, offset) if any(_is_fa_of(t, p) for p in pairs) else None
        n_u = int(np.asarray(fit.result.u[i]).size)
        offset += n_u
        if split is not None:
            (common, c_se), (spec, s_se) = split
            sol, se = sol.copy(), se.copy()
            sol[~score], se[~score] = common, c_se
        label = asreml_term_label(fit.model, t)
        names = asreml_random_names(label, levels, renamed)
        out.append((":".join((renamed or {}).get(p.strip(), p.strip())
                             for p in split_top(label)), _table(sol, se, names)))
        if split is not None:
            own = [lv for lv, f in zip(levels, score) if not f]
            out.append((str(t.label), _table(spec, s_se,
                                              asreml_random_names(t.label, own, renamed))))
    return out


def _table(sol: np.ndarray, se: np.ndarray, names: list[str]) -> pd.DataFrame:
    with np.errstate(all="ignore"):
        z = sol / se
    return pd.DataFrame({"solution": sol, "std.error": se, "z.ratio": z}, index=names)
