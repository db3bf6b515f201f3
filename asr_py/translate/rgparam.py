"""asreml 4's ``fit$G.param`` / ``fit$R.param`` of a fitted model: its nested list.

asreml keeps, per random term (``G.param``) and per residual section (``R.param``), a list
named by the term (``names(fit$G.param)`` are the random terms, test41MET.r loops over them)
holding

* ``variance``: the term's scale, ``list(model, size, initial, con)``: ``model`` is ``"idv"``
  when the term has its own variance parameter (``~ L``: σ²_L; ``ar1(L):G``: the scale of
  the correlation model; the residual's ``units!R``) and ``"id"`` when its factors carry the
  variances (``us(L):G``), then ``initial`` is 1, fixed (``con = "F"``); ``size`` is the
  number of effects of the term (``diag(rep(initial, size))`` is a simple term's G); a
  ``str(~ ..., ~ rr(n, k):id(g))`` (fa) term counts asreml's k score placeholders too,
  (n + k) x g (the C_inv script's ``size / n_terms`` with ``n_terms = n + k`` is g);
* one element per factor of its variance model, named by the factor (a ``str()`` term's
  ``us(3)`` by its argument, ``"3"``): ``list(model, facnam, levels, initial, con)``, with
  ``model`` asreml's function (``id``, ``us``, ``ar1``, ``fa``, ``vm``, ...), ``levels`` the
  factor's levels (an ``fa(Site, k)``/``rr`` factor's followed by ``Comp1..Compk``, the
  columns its loadings add: scripts drop them with ``levels[-grep("Comp", levels)]``) and
  ``initial`` its parameters as a named vector, asreml's names (``L:G!L_l2:l1`` of
  ``us(L)``, lower triangle by rows, the order ``G[upper.tri(G, diag = TRUE)] <- initial``
  fills; ``L:G!L!cor``; ``G+z1:G!us(3)_2:1``), ``con`` their constraint codes.

The values are the fit's estimates (asreml updates ``G.param`` so ``update()`` and
``asreml(G.param = fit$G.param)`` start from them). Evidence of the layout: asremlPlus's
estimateV (R/estimateV.v3.R ``G.param[[term]][[var]]$model/$levels/$initial``,
``variance$model == "idv"``, ``R.param[[term]]$variance$size``), m-hrachov's "Proof that
asreml C_inv is similar to ours.R" (``G.param[[term]]$variance$size``,
``G.param[["G+z1:G+z2:G"]][["3"]]$initial`` named ``..._row:col``), diogro/mouseGrowthF6
(``G.param$`trait:vm(fID, Ainv)`$trait$initial``), Kaio-Olimpio/Enviromic_Prediction (an fa
factor's ``levels`` with its ``Comp`` levels). Element access: ``$``/``[[name]]``/
``[[k]]`` (a dict in data order).
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from asr_py.compat.vpnames import asreml_term_label
from asr_py.errors import AsrError

__all__ = ["r_gparam"]

#: vcov class of a residual part -> asreml's function (random terms record theirs on the block)
_CLASS_MODEL = {"Identity": "id", "IdentityV": "idv", "Diagonal": "diag", "Unstructured": "us",
                "AR1": "ar1", "AR2": "ar2", "AR3": "ar3", "SAR": "sar", "SAR2": "sar2",
                "MA1": "ma1", "MA2": "ma2", "ARMA11": "arma", "FactorAnalytic": "fa",
                "ReducedRank": "rr", "CompoundSymmetry": "cor", "GeneralCorrelation": "corg",
                "BandedCorrelation": "corb", "Exponential": "exp", "Gaussian": "gau",
                "KnownMatrix": "vm", "AR1V": "ar1v"}


def r_gparam(fit: Any, residual: bool = False) -> dict[str, dict[str, dict[str, Any]]]:
    """``fit$G.param`` (``residual=True``: ``fit$R.param``) as {term: its list} (module
    docstring)."""
    model = getattr(fit, "model", None)
    if model is None or not hasattr(model, "random"):
        raise AsrError("fit$G.param: not an asr_py fit", hint="use it on an asr.asreml() fit")
    p = fit.params
    out: dict[str, dict[str, dict[str, Any]]] = {}
    if residual:
        res = model.residual
        sections = list(getattr(res, "sections", []) or [])
        heads = list(getattr(res, "section_terms", []) or [])
        if len(sections) > 1 and len(heads) == len(sections):
            for (name, blocks), head in zip(sections, heads):
                out[str(name)] = _entry(p, head, blocks, model.records.n)
        else:
            blocks = sections[0][1] if sections else []
            out[res.label] = _entry(p, res.label, blocks, model.records.n)
        return out
    for term in model.random:
        out[asreml_term_label(model, term)] = _entry(p, term.label, list(term.blocks),
                                                     len(term.levels))
    return out


def _entry(p: pd.DataFrame, label: str, blocks: list[Any], size: int
           ) -> dict[str, dict[str, Any]]:
    """One term's list: ``variance``, then its factors (module docstring)."""
    comp = [str(c) for c in p["Component"]]
    val = pd.to_numeric(p["Value"], errors="coerce").to_numpy(float)
    con = [str(c) for c in p["Constraint"]] if "Constraint" in p else ["P"] * len(comp)
    mine = [i for i, c in enumerate(comp) if c == label or c.startswith(label + "!")]
    scale = [i for i in mine if comp[i] in (label, label + "!R")]
    if scale:
        variance = {"model": "idv", "size": size, "initial": _named(comp, val, scale),
                    "con": _named(comp, con, scale)}
    else:
        variance = {"model": "id", "size": size,
                    "initial": pd.Series([1.0], index=[label]),
                    "con": pd.Series(["F"], index=[label])}
    out: dict[str, dict[str, Any]] = {"variance": variance}
    taken = set(scale)
    for b in blocks:
        head = f"{label}!{b.name}"
        rows = [i for i in mine if i not in taken and (
            comp[i] == head or comp[i].startswith(head + "_") or comp[i].startswith(head + "!"))]
        taken.update(rows)
        fn = _model_of(b)
        name = _facnam(str(b.name), fn)
        levels = [str(v) for v in b.labels]
        if fn in ("fa", "rr", "facv", "xfa", "sfa"):
            k = len({m.group(1) for i in rows if (m := re.search(r"!fa(\d+)$", comp[i]))})
            levels += [f"Comp{j + 1}" for j in range(k)]
        out[name] = {"model": fn, "facnam": name, "levels": levels,
                     "initial": _named(comp, val, rows), "con": _named(comp, con, rows)}
    first = blocks[0] if blocks else None
    if first is not None and _model_of(first) in ("fa", "rr", "facv", "xfa", "sfa") and \
            str(first.name).startswith(_model_of(first) + "(") and getattr(first, "k", 0):
        # str(~ ..., ~ rr(n, k):id(g)): asreml's term has n + k effects per level of the
        # rest, the last k the factor scores' placeholders (asr_py drops their zero columns:
        # model/random._drop_score_columns), so its size is (n + k) x rest
        scores = sum(1 for v in out[_facnam(str(first.name), _model_of(first))]["levels"]
                     if str(v).startswith("Comp"))
        variance["size"] = (int(first.k) + scores) * (size // int(first.k))
    return out


def _named(comp: list[str], values: Any, rows: list[int]) -> pd.Series:
    """R's named vector of ``values`` at ``rows``, named by their components."""
    vals = [values[i] for i in rows]
    return pd.Series(vals, index=[comp[i] for i in rows],
                     dtype=float if all(isinstance(v, float) for v in vals) else object)


def _model_of(block: Any) -> str:
    """asreml's variance function of one factor: the block's, else its template's class
    (a residual part), else ``id``."""
    if getattr(block, "structure", None):
        return str(block.structure)
    if getattr(block, "known", False):
        return "vm"
    t = getattr(block, "template", None)
    return _CLASS_MODEL.get(type(t).__name__, "id") if t is not None else "id"


def _facnam(name: str, fn: str) -> str:
    """The element's name: the factor, or a ``str()`` vmodel's ``us(3)`` argument ``3``."""
    m = re.fullmatch(rf"{re.escape(fn)}\((.+)\)", name)
    return m.group(1).strip() if m else name
