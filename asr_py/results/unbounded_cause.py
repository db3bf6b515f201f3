"""The records behind an unbounded REML likelihood, in the user's terms (s33unb).

The engine (:mod:`asr_py.reml.unbounded`) finds a block along which ℓ rises without bound
and names the combination of its levels, but it knows no ids. The cause is in the data:
pairs of data rows a, b whose records, trait by trait, no fixed or random effect tells
apart -- equal rows of X and equal rows of Z_j G_j for every random term j (G_j at the start
values, where the variance structures are positive definite: only a relationship matrix's
own null space counts):

    x_a = x_b,  Z_j(a) G_j = Z_j(b) G_j   ⇒   y_a − y_b reaches the residual only.

Two such rows with the same levels of every random term's factors are repeated records
(of an id); with different levels, those levels have identical rows in a relationship
matrix (clones). Both data rows must hold every trait the other holds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from asr_py.model.spec import Model

#: looked for only with at most this many levels over the random terms and records
MAX_LEVELS = 5000
MAX_RECORDS = 20000
#: pairs named in the note at most
SHOW = 6
#: rows of X, Z G equal to this relative precision are equal
RTOL = 1e-9


def _dense(a: object) -> np.ndarray:
    return a.toarray() if hasattr(a, "toarray") else np.asarray(a)  # type: ignore[attr-defined]


def _signatures(model: Model) -> np.ndarray | None:
    """One row per record: its X row and Z_j G_j rows, rounded to RTOL of each block's
    largest entry; None when too large or a G cannot be formed."""
    y = np.asarray(model.y)
    if y.size > MAX_RECORDS or sum(len(t.levels) for t in model.random) > MAX_LEVELS:
        return None
    parts = [np.asarray(model.X, dtype=float).reshape(y.size, -1)]
    off = 0
    for t in model.random:
        k = len(t.param_names)
        try:
            G = _dense(t.template.matrix(np.asarray(model.theta0[off:off + k], dtype=float)))
        except (ValueError, np.linalg.LinAlgError, TypeError):
            return None
        off += k
        parts.append(np.asarray(_dense(t.Z @ G), dtype=float))
    out = []
    for p in parts:
        s = float(np.abs(p).max()) if p.size else 0.0
        out.append(np.round(p / s, 9) if s > 0 else p)
    return np.hstack(out)


def replicate_rows(model: Model) -> list[tuple[int, int]]:
    """(first, later) positions in ``model.records.frame`` of data rows whose records no
    fixed or random effect tells apart (module docstring), each later row paired with the
    first row of its group."""
    rec = model.records
    sig = _signatures(model)
    if sig is None:
        return []
    rows, trait = np.asarray(rec.row), np.asarray(rec.trait)
    by_row: dict[int, dict[int, bytes]] = {}
    for r, (a, t) in enumerate(zip(rows, trait)):
        by_row.setdefault(int(a), {})[int(t)] = sig[r].tobytes()
    groups: dict[tuple, int] = {}
    out = []
    for a in sorted(by_row):
        key = tuple(sorted(by_row[a].items()))
        if key in groups:
            out.append((groups[key], a))
        else:
            groups[key] = a
    return out


def _factors(model: Model) -> list[str]:
    seen: list[str] = []
    for t in model.random:
        for f in t.factors:
            if f in model.records.frame.columns and f not in seen and f != "trait":
                seen.append(f)
    return seen


def cause(model: Model) -> str | None:
    """'Here: ...' naming the repeated records and the levels with identical relationship
    rows behind an unbounded ℓ; None when none are found (or the model is too large)."""
    pairs = replicate_rows(model)
    if not pairs:
        return None
    frame = model.records.frame
    facs = _factors(model)

    def levels(a: int) -> str:
        return ", ".join(f"{f} {frame.iloc[a][f]}" for f in facs) or f"data row {a + 1}"

    reps, clones = [], []
    for a, b in pairs:
        same = all(frame.iloc[a][f] == frame.iloc[b][f] for f in facs)
        ia, ib = _label(frame, a), _label(frame, b)
        if same:
            reps.append(f"{levels(a)} (data index {ia} and {ib})")
        else:
            clones.append(f"{levels(a)} and {levels(b)} (data index {ia} and {ib})")
    parts = []
    if reps:
        parts.append(f"{len(reps)} repeated record(s) that no effect tells apart: "
                     + "; ".join(reps[:SHOW]) + (" ..." if len(reps) > SHOW else ""))
    if clones:
        parts.append(f"{len(clones)} pair(s) of levels with identical rows in a relationship "
                     "matrix (and the same fixed effects): " + "; ".join(clones[:SHOW])
                     + (" ..." if len(clones) > SHOW else ""))
    return "Here: " + ". ".join(parts) + "."


def _label(frame: pd.DataFrame, a: int) -> str:
    return str(frame.index[a])


__all__ = ["cause", "replicate_rows"]
