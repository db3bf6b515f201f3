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

import pandas as pd

from asr_py.formula.toplevel import split_top

__all__ = ["asreml_random_names", "r_coef_random"]


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
    """``fit$coefficients$random`` (solution, std.error, z.ratio) under asreml's names."""
    from asr_py.translate.checks import Untranslated

    if isinstance(fit, Untranslated):
        return fit._use()
    from asr_py.compat.vpnames import asreml_term_label
    from asr_py.results.fa_scores import random_rows

    tab = fit.coef_random
    names: list[str] = []
    for t, levels, _, _ in random_rows(fit):     # an fa term's Comp rows included
        names += asreml_random_names(asreml_term_label(fit.model, t), levels, renamed)
    if len(names) != len(tab):
        return tab
    return tab.set_axis(names, axis=0)
