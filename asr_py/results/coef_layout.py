"""asreml's layout of the fixed effects: every level of every fixed factor.

asr_py's X drops the reference level of a factor (R's treatment contrasts) and the columns
aliased with earlier ones, so ``fit.coef_fixed`` lists only the estimated effects. asreml
lists every level of each fixed term (the full indicator coding), the reference and aliased
ones with solution 0 and NA standard error and z ratio (``fit$coefficients$fixed``,
``coef(fit)$fixed``, ``summary(fit, coef = TRUE)$coef.fixed``). Scripts rely on it: BLUEs
taken as intercept + effect keep the first genotype (its effect 0).

Order (evidence, public outputs):

* asreml 4.2 (``order='model'``, the default): ``(Intercept)`` first, then the terms in
  model order. The cookbook's ASR002 (cookbook.asreml.vsni.co.uk/asr/asr002.html) prints
  ``(Intercept)``, ``col``, ``row`` for ``yield ~ col + row``; the AGENTproject
  historic_pheno_data_analysis notebooks (asreml 4.2, ``asreml.options(threads=)``) take
  ``coefficients$fixed[1]`` as the intercept and ``[-1, ]`` as the genotype effects, and their
  recorded BLUE files give the first genotype level the intercept (its effect is listed, 0).
* asreml 3 and 4.1 (``order='reverse'``): the terms in reverse model order, ``(Intercept)``
  last (a printed ``summary(m, all = TRUE)$coef.fixed`` in AaronRendahl/Jane-asreml-modeling
  editor_final_ins_glu_predoctors_scripts.R; Biometris/LMMsolver's
  examples/oats_data_blocks_standard_errors.R takes rows 1:24 of ``coef.fixed`` as the 24
  genotypes of ``yield ~ rep + gen``).

Within a term, levels are in level order (the first factor of an interaction varying
slowest), named as asr_py names columns (``gen_G1``, ``env_E1:gen_G2``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from asr_py.model.spec import Model

__all__ = ["full_fixed_names", "fixed_layout"]

_ORDERS = ("model", "reverse")


def _term_labels(model: Model) -> list[tuple[str, list[str]]]:
    """(term label, every column name of its full indicator coding) per fixed term, in model
    order; a term whose full coding cannot be formed keeps its estimated columns' names."""
    from asr_py.model.blocks import combine_labels
    from asr_py.model.fixed import _interaction_label, fixed_part

    fx = model.fixed
    terms = model.terms.get("fixed")
    written = {str(t): t for t in terms.terms} if terms is not None else {}
    out: list[tuple[str, list[str]]] = []
    for ft in fx.terms:
        own = list(ft.all_columns) if ft.label != "(Intercept)" else ["(Intercept)"]
        t = written.get(ft.label)
        full = own
        if t is not None:
            try:
                blocks = [_full_part(model, fixed_part, p) for p in t.parts]
            except Exception:  # noqa: BLE001 - a part that needs its fit-time state: keep ours
                blocks = []
            if blocks:
                if len(blocks) == 1 and blocks[0].is_factor:
                    labs = [f"{t}_{lv}" for lv in blocks[0].labels]
                elif len(blocks) == 1:
                    labs = list(blocks[0].labels)
                else:
                    labs = [_interaction_label(blocks, lab) for lab in combine_labels(blocks)]
                # the full coding must hold every column we estimated, else keep ours
                if set(own) <= set(labs):
                    full = labs
        out.append((ft.label, full))
    return out


def _full_part(model: Model, fixed_part: Any, p: Any) -> Any:
    """A fixed term's part with every level when it is a factor; a covariate part (``x``,
    ``pol(x, 2)``, ``spl(x)``) as the fit coded it (``pol``'s order-0 column is no effect)."""
    b = fixed_part(model.context, p, contrast=True)
    return fixed_part(model.context, p, contrast=False) if b.is_factor else b


def full_fixed_names(model: Model, order: str = "model") -> list[str]:
    """Every fixed coefficient's name in asreml's layout (see the module docstring)."""
    if order not in _ORDERS:
        from asr_py.errors import AsrError

        raise AsrError(f"coefficient order {order!r} is not one of {', '.join(_ORDERS)}",
                       hint="'model' (asreml 4.2: intercept first) or 'reverse' (asreml 3 "
                            "and 4.1: last term first, intercept last)")
    groups = _term_labels(model)
    if order == "reverse":
        groups = groups[::-1]
    names: list[str] = []
    seen: set[str] = set()
    for _, labs in groups:
        for nm in labs:
            if nm not in seen:
                seen.add(nm)
                names.append(nm)
    return names


def fixed_layout(table: pd.DataFrame, model: Model, order: str = "model") -> pd.DataFrame:
    """``table`` (the estimated fixed effects, indexed by name) in asreml's layout: every
    level, those not estimated (reference or aliased) with solution 0 and NaN elsewhere."""
    names = full_fixed_names(model, order)
    known = set(names)                 # once: a set per name was quadratic in the levels
    missing = [nm for nm in table.index if nm not in known]
    names = names + missing          # never drop an estimate
    out = table.reindex(names)
    zero = ~out.index.isin(table.index)
    if "solution" in out.columns:
        out.loc[zero, "solution"] = 0.0
    return out.astype({c: float for c in out.columns if np.issubdtype(table[c].dtype,
                                                                       np.number)})
