"""asreml's two-term layout of ``rr(f, k):g + diag(f):g`` in varcomp and the V-numbers.

The pair is fitted as one ``fa(f, k):g`` term (:mod:`asr_py.model.rr_pair`): θ holds the
fa term's n specific variances '!var' (Ψ) and its n·k loadings. asreml lists the two written
terms: the rr term's n '!var' rows held at 0 (bound 'F') and its loadings, then the diag
term's n variances, named as a ``diag(f):g`` term on its own (``<label>!<f>_<level>``) and
equal to Ψ; the diag rows come first when the diag term was written first. Every row of
the layout is a θ entry or a fixed 0, so tables, estimates and Var(θ̂) (vpredict's
``V1..Vk``) are mapped the same way by :func:`pair_rows`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["pair_rows", "pair_table", "pair_vectors"]


def pair_rows(model: Any, names: Sequence[str]) -> list[tuple[str, int | None]]:
    """(name, position in ``names`` or None for a fixed 0) of every row of asreml's layout
    of ``names`` (parameter names in any order, e.g. varcomp's); unchanged without pairs."""
    from asr_py.model.rr_pair import _is_fa_of

    out: list[tuple[str, int | None]] = [(str(n), i) for i, n in enumerate(names)]
    pairs = list(getattr(model, "rr_pairs", []) or [])
    if not pairs:
        return out
    for t in getattr(model, "random", []):
        pair = next((p for p in pairs if _is_fa_of(t, p)), None)
        if pair is None:
            continue
        mine = set(t.param_names)
        var = {x for x in t.param_names if x.endswith("!var")}
        at = [k for k, (n, _) in enumerate(out) if n in mine]
        if not at:
            continue
        lo, hi = min(at), max(at) + 1
        block = out[lo:hi]
        rr = [(n, None) if n in var else (n, src) for n, src in block]
        dg = [(n[:-len("!var")], src) for n, src in block if n in var]
        new = dg + rr if _diag_written_first(pair) else rr + dg
        out = out[:lo] + new + out[hi:]
    return out


def _diag_written_first(pair: Any) -> bool:
    """Whether the diag term of ``pair`` was written before its rr term."""
    d, r = pair.diag.parts[0].span, pair.rr.parts[0].span
    return d is not None and r is not None and d.start < r.start


def pair_table(vc: pd.DataFrame, model: Any) -> pd.DataFrame:
    """``vc`` (a varcomp table indexed by parameter name) in asreml's two-term layout."""
    rows = pair_rows(model, list(vc.index))
    if all(src == k for k, (_, src) in enumerate(rows)) and len(rows) == len(vc):
        return vc
    zero = {c: np.nan for c in vc.columns}
    zero.update({"component": 0.0, "bound": "F", "%ch": 0.0})
    parts = []
    for name, src in rows:
        if src is None:
            parts.append(pd.DataFrame({c: [zero.get(c, np.nan)] for c in vc.columns},
                                      index=[name]))
        else:
            parts.append(vc.iloc[[src]].set_axis([name], axis=0))
    out = pd.concat(parts)
    return out.astype({c: t for c, t in vc.dtypes.items()})


def pair_vectors(model: Any, names: Sequence[str], theta: np.ndarray, vcov: np.ndarray,
                 constraints: Sequence[str] | None
                 ) -> tuple[list[str], np.ndarray, np.ndarray, list[str] | None]:
    """names, θ, Var(θ̂), constraints in asreml's two-term layout (a fixed 0 row: 'F')."""
    rows = pair_rows(model, names)
    if len(rows) == len(names) and all(src == k for k, (_, src) in enumerate(rows)):
        return list(names), np.asarray(theta), np.asarray(vcov), \
            None if constraints is None else list(constraints)
    th = np.asarray(theta, dtype=float)
    V = np.asarray(vcov, dtype=float)
    k = len(rows)
    src = np.array([-1 if s is None else s for _, s in rows])
    has = src >= 0
    t_out = np.zeros(k)
    t_out[has] = th[src[has]]
    v_out = np.zeros((k, k))
    v_out[np.ix_(has, has)] = V[np.ix_(src[has], src[has])]
    cons = None if constraints is None else [
        "F" if s is None else constraints[s] for _, s in rows]
    return [n for n, _ in rows], t_out, v_out, cons


def pair_named_values(model: Any, names: Sequence[str], shown: Sequence[str],
                      values: Sequence[float]) -> tuple[list[str], list[float]]:
    """Values listed under ``shown`` (e.g. asreml's names of ``names``, the fit's parameter
    names, or a scale row's name where ``names`` has a placeholder) in the two-term layout:
    a fixed 0 keeps its shown name, a diag row takes the diag term's name."""
    rows = pair_rows(model, names)
    if len(rows) == len(names) and all(src == k for k, (_, src) in enumerate(rows)):
        return list(shown), list(values)
    out_n, out_v = [], []
    at = {n: k for k, n in enumerate(names)}
    for name, src in rows:
        if src is None:
            out_n.append(str(shown[at[name]]))
            out_v.append(0.0)
        elif name == names[src]:
            out_n.append(str(shown[src]))
            out_v.append(float(values[src]))
        else:  # a diag row: the diag term's own name
            out_n.append(name)
            out_v.append(float(values[src]))
    return out_n, out_v
