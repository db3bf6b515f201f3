"""asreml fit component translated scripts read: ``fit$design`` (``fit$G.param``: rgparam.py).

``fit$design`` (``asreml.options(design = TRUE)``):

The design matrix [X Z], one row per record asreml keeps (records with a missing response
too, asreml's default ``na.method(y = "include")``: see
:func:`asr_py.compat.estimatev.all_rows_model`), in data order: X's columns named
as the fixed effects (``fit.coef_fixed``'s index), each random term's Z columns as its
effects are named (``fit.coef_random``'s index, ``term_level``), so a script's
``grepl("Smarthouse:spl(vLanes)", colnames(fit$design), fixed = TRUE)`` picks that term's
columns. Dense: scripts form Z Zᵀ from it. A spline term ``spl(x)`` (asr_py: Z_s with the
known covariance K, G = σ²_s K) appears as asreml gives it, with identity covariance: Z_s L,
K = L Lᵀ, so ``σ²_s Z Zᵀ`` is its part of V (asremlPlus's test41EstimateV.r forms V so).
A random term's columns are named ``<term>_<levels>`` (asreml 4.1: test41EstimateV.r finds a
spline's columns by ``grepl("Smarthouse:spl(vLanes)", colnames(fit$design), fixed = TRUE)``);
a ``str(~ a + b, ~ us(2):id(n))`` term's columns by a and b, each over its n effects.
asreml 4.2 names each factor with its level instead, ``Tree_1:x``, ``spl(x)_2:Tree_1``,
``at(expt, 1):dev(vrow)_3`` (an at() factor and a covariate carry no level, a spline's
columns are numbered 1, 2, ...; test42Orange.r, test42MET.r's ``replaceColnames``): R's
``match()`` of such a name against the design's column names finds its column too
(:data:`ASREML42_NAMES`), so scripts of either version run.

"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from asr_py.compat.vpnames import asreml_term_label
from asr_py.errors import AsrError
from asr_py.formula.toplevel import split_top

__all__ = ["ASREML42_NAMES", "r_design"]

#: asreml 4.2's name of a design column -> the name r_design gives it (asreml 4.1's
#: ``term_levels``); filled by r_design, read by match() (runtime.r_match) so a script of
#: either version finds the columns (module docstring)
ASREML42_NAMES: dict[str, str] = {}


def r_design(fit: Any) -> pd.DataFrame:
    """The design matrix [X Z] of ``fit`` as a DataFrame (module docstring)."""
    model = getattr(fit, "model", None)
    if model is None or not hasattr(model, "fixed"):
        raise AsrError("fit$design: not an asr_py fit", hint="use it on an asr.asreml() fit")
    from asr_py.compat.estimatev import all_rows_model
    from asr_py.results.design import fixed_design_columns, random_terms_written_order
    from asr_py.results.rr_design import extended_design

    model = all_rows_model(fit) or model
    parts = [fixed_design_columns(model)]           # asreml 4.1's layout: asr_py.results.design
    for t in random_terms_written_order(fit, model.random):
        z = t.Z.toarray() if sp.issparse(t.Z) else np.asarray(t.Z, dtype=float)
        root = _spline_root(t.template)
        if root is not None and root.shape[0] == z.shape[1]:
            z = z @ root
        levels = list(t.levels)
        pos = next((i for i, s in enumerate(model.random) if s is t), None)
        ext = extended_design(fit, pos, z, levels) if pos is not None else None
        if ext is not None:           # fa/rr: zero columns for the factor scores (rr_design)
            z, levels = ext
        lab = asreml_term_label(model, t)                       # fa(f, k):g as asreml
        names = _str_names(t.label, levels, z.shape[1]) or (
            [f"{lab}_{lv}" for lv in levels] if len(levels) == z.shape[1] else [
                f"{lab}_{i + 1}" for i in range(z.shape[1])])
        new = _str_names42(t.label, levels, z.shape[1]) or _asreml42_names(
            t.label, levels, z.shape[1]) or []
        if _mbf_str(t) and len(new) == len(names):
            # str(~ mbf(Co):G, ...): the scripts that write it (asreml 4.2: m-hrachov's C_inv
            # script) read the columns by 4.2's names (``mbf(Co)_z0:G_G01``, ``mbf(Co)_x0``)
            names, new = new, names
        ASREML42_NAMES.update({a: b for a, b in zip(new, names) if a != b})
        parts.append(pd.DataFrame(z, columns=names))
    out = pd.concat(parts, axis=1)
    rows = np.asarray(model.records.row)
    order = np.argsort(rows, kind="stable")
    if not np.array_equal(order, np.arange(rows.size)):     # data order, as estimateV's V
        out = out.iloc[order].reset_index(drop=True)
    return out


def _mbf_str(term: Any) -> bool:
    """A ``str()`` term over one term with an ``mbf()`` part (``str(~ mbf(Co):G, ...)``)."""
    label = str(term.label)
    return "mbf(" in label and len(split_top(label, "+")) == 1 and \
        any(str(f).startswith("mbf(") for f in split_top(label))


def _spline_root(template: Any) -> np.ndarray | None:
    """L with G = σ² L Lᵀ for a term whose covariance is σ² (I ⊗ ... ⊗ K_spl), K_spl a spline's
    known matrix; None for any other term."""
    from asr_py.vcov.identity import Identity
    from asr_py.vcov.known import KnownMatrix
    from asr_py.vcov.kronecker import Kronecker
    from asr_py.vcov.wrapper import Wrapper

    while isinstance(template, Wrapper):
        template = template.template
    parts = template.parts if isinstance(template, Kronecker) else [template]
    roots, spline = [], False
    for part in parts:
        if isinstance(part, KnownMatrix) and str(part.name).startswith("spl(") and \
                not part.given_inverse:
            roots.append(part.root())
            spline = True
        elif isinstance(part, Identity) and not getattr(part, "n_params", 0):
            roots.append(np.eye(part.n))
        else:
            return None
    if not spline:
        return None
    out = roots[0]
    for r in roots[1:]:
        out = np.kron(out, r)
    return out


def _str_names(label: str, levels: list[str], ncol: int) -> list[str] | None:
    """Column names of a ``str(~ a + b, ~ us(k):id(n))`` term as asreml's design names them,
    each block of n columns by its own term (``a_<level>``, then ``b_<level>``), so a script's
    ``grep("a", colnames(fit$design))`` finds a's n columns only. None for other terms."""
    comps = split_top(label, "+")
    if len(comps) < 2 or ncol % len(comps) or len(levels) != ncol:
        return None
    n = ncol // len(comps)
    return [f"{comps[i // n]}_{str(levels[i]).split(':', 1)[-1]}" for i in range(ncol)]


def _str_names42(label: str, levels: list[str], ncol: int) -> list[str] | None:
    """asreml 4.2's names of a str() term's columns (``Tree_1``, ``Tree_1:x``)."""
    comps = split_top(label, "+")
    if len(comps) < 2 or ncol % len(comps) or len(levels) != ncol:
        return None
    n = ncol // len(comps)
    return [_name42(split_top(comps[i // n]), str(levels[i]).split(":", 1)[-1].split(":"), {})
            for i in range(ncol)]


def _name42(factors: list[str], parts: list[str], spline_no: dict[tuple[int, str], int]
            ) -> str:
    """One design column's name as asreml 4.2 gives it: each factor with its level,
    ``Tree_1:x``, ``spl(x)_2:Tree_1``, ``at(Site, S1):Genotype_G1`` (an at() factor and a
    covariate carry no level; a spline's columns are numbered 1, 2, ...)."""
    out, k = [], 0
    for pos, f in enumerate(factors):
        if f.startswith("at("):
            out.append(f)
            continue
        lev = parts[k] if k < len(parts) else None
        k += 1
        if lev is None or lev == f:
            out.append(f)
        elif f.startswith("spl("):
            key = (pos, lev)
            if key not in spline_no:
                spline_no[key] = 1 + sum(1 for p, _ in spline_no if p == pos)
            out.append(f"{f}_{spline_no[key]}")
        elif lev.startswith(f + "_"):
            out.append(lev)
        else:
            out.append(f"{f}_{lev}")
    return ":".join(out)


def _asreml42_names(label: str, levels: list[str], ncol: int) -> list[str] | None:
    """The columns of a term as asreml 4.2 names them (:func:`_name42`); None when its
    levels do not split into one part per factor."""
    if len(levels) != ncol:
        return None
    factors = split_top(label)
    plain = [f for f in factors if not f.startswith("at(")]
    numbered: dict[tuple[int, str], int] = {}
    out = []
    for lv in levels:
        parts = str(lv).split(":")
        if len(parts) != len(plain):
            return None
        out.append(_name42(factors, parts, numbered))
    return out if len(set(out)) == len(out) else None
