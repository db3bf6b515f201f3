"""``uni(f, k)``: an effect for every record at level k of f (ASReml's model function: "a
factor with a level for every record subject to the factor level of f equalling k ...
equivalent to at(f, k).units", e.g. an extra independent error for one site of a
multi-environment trial); ``uni(f)``: an effect for every record with a level of f.

k is a level's label or its 1-based position, as in ``at()`` (asr_py.model.fixed.at_levels).
The levels of the block are the records' unit numbers ('1'..'n', as ``units``), those of the
other records' rows are zero. Without a variance structure the term is σ² I.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from asr_py.formula.ast import Call
from asr_py.model.blocks import Block, Context

__all__ = ["uni_block"]


def uni_block(ctx: Context, call: Call) -> Block:
    """The block of ``uni(f, k)`` / ``uni(f)`` (module docstring)."""
    from asr_py.model.fixed import at_levels

    pos = call.positional()
    if not pos:
        raise ctx.error(call, "uni() needs a factor: uni(f, k) or uni(f)",
                        "uni(site, 2): an effect per record of site's 2nd level")
    if len(pos) > 2:
        raise ctx.error(pos[2], "uni(): the size argument of standalone ASReml is not needed",
                        "write uni(f, k)")
    at_call = Call("at", call.args[:2], span=call.span)
    base, idx = at_levels(ctx, at_call)
    mat = sp.csr_matrix(base.mat)
    on = np.asarray(mat[:, idx].sum(axis=1)).ravel() > 0
    rows = np.flatnonzero(on)
    if rows.size == 0:
        raise ctx.error(call, f"{call} selects no record")
    n = ctx.records.n
    Z = sp.csr_matrix((np.ones(rows.size), (rows, np.arange(rows.size))), shape=(n, rows.size))
    labels = tuple(str(int(r) + 1) for r in rows)
    return Block(Z, labels, str(call), str(call), True)
