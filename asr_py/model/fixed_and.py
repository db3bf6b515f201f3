"""``and()`` in the fixed formula: ASReml's overlay of a factor's design onto the term before it.

``y ~ YearPl + MaH1 + and(MaH2)`` fits one term MaH1 whose design is the sum of the two
factors' indicators over the union of their levels,

    X_MaH1 = [X₁ 0] + c · X₂ P,

P mapping MaH2's levels onto MaH1's (levels MaH2 alone has are appended), c the ``times``
argument (1 by default). The two haplotypes of a marker, the mother and father of a cross:
one effect per level, counted once per appearance. The overlaid term is coded like any factor
term (its first level dropped where R's marginality rule gives treatment contrasts) and its
columns checked for aliasing as the others; asreml 3's Wald table for such a term has one row
under the first factor's name with the union's levels less one as its df.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from asr_py.formula.ast import Call, Expr, Paren, Term
from asr_py.model.blocks import Block, Context, factor_block, literal

__all__ = ["and_call", "and_times", "split_and_terms", "overlay_fixed"]


def and_call(t: Term) -> Call | None:
    """The ``and(...)`` call when ``t`` is a term made of it alone, else None."""
    if len(t.parts) != 1:
        return None
    p: Expr = t.parts[0]
    while isinstance(p, Paren):
        p = p.expr
    return p if isinstance(p, Call) and p.func == "and" else None


def _start(t: Term) -> int:
    starts = [p.span.start for p in t.parts if p.span is not None]
    return min(starts) if starts else -1


def split_and_terms(ctx: Context, terms: Sequence[Term]
                    ) -> tuple[list[Term], dict[int, list[Call]]]:
    """The terms without their ``and()`` terms, and for each remaining term's index the
    and() calls written right after it (in the formula's text order: the expansion sorts
    terms by degree). A FormulaError when and() is part of an interaction or has no
    one-factor term before it."""
    order = sorted(range(len(terms)), key=lambda i: (_start(terms[i]), i))
    kept: list[int] = []
    pending: dict[int, list[Call]] = {}
    prev: int | None = None
    for i in order:
        t = terms[i]
        call = and_call(t)
        if call is None:
            for p in t.parts:
                inner = p.expr if isinstance(p, Paren) else p
                if isinstance(inner, Call) and inner.func == "and":
                    raise ctx.error(inner, "and() must be a term on its own: "
                                    "y ~ mother + and(father)")
            kept.append(i)
            prev = i
            continue
        if prev is None:
            raise ctx.error(call, "and() has no previous term to add its design to",
                            "write the term to overlay first: y ~ mother + and(father)")
        if len(terms[prev].parts) != 1:
            raise ctx.error(call, f"and() cannot overlay '{terms[prev]}': in the fixed "
                            "formula the term before it must be one factor",
                            "write and() right after a one-factor term: y ~ m + and(f)")
        pending.setdefault(prev, []).append(call)
    out = [terms[i] for i in sorted(kept)]
    index = {old: new for new, old in enumerate(sorted(kept))}
    return out, {index[i]: calls for i, calls in pending.items()}


def and_times(ctx: Context, pos: Sequence[Expr], named: dict[str, Expr]) -> float:
    """and()'s multiplier c: its ``times`` argument (second positional or named), 1 if
    absent (fixed and random and() alike)."""
    t_expr = named.get("times", pos[1] if len(pos) > 1 else None)
    if t_expr is None:
        return 1.0
    val = literal(ctx, t_expr)
    if isinstance(val, bool) or not isinstance(val, (int, float)) or not np.isfinite(val):
        raise ctx.error(t_expr, f"and(): times must be a number, got '{t_expr}'",
                        "e.g. and(father, times = 0.5)")
    return float(val)


def overlay_fixed(ctx: Context, prev: Block, prev_expr: Expr, calls: list[Call]) -> Block:
    """``prev`` (the full indicator block of a one-factor fixed term) with each and() factor's
    indicators added: X ← [X 0] + c · X_f P over the union of levels (module docstring)."""
    if not prev.is_factor:
        raise ctx.error(prev_expr, f"and() overlays a factor, '{prev_expr}' is a covariate",
                        "and() joins two factors sharing levels: y ~ mother + and(father)")
    labels = list(prev.labels)
    X = prev.mat.tocsr()
    for call in calls:
        pos = call.positional()
        if not pos:
            raise ctx.error(call, "and() needs a factor: and(father)")
        times = and_times(ctx, pos, call.named())
        b = factor_block(ctx, pos[0])
        used = np.diff(b.mat.tocsc().indptr) > 0
        index = {lv: j for j, lv in enumerate(labels)}
        new = [lv for lv, u in zip(b.labels, used) if u and lv not in index]
        index.update({lv: len(labels) + j for j, lv in enumerate(new)})
        labels += new
        keep = np.nonzero(used)[0]
        cols = np.array([index[b.labels[j]] for j in keep], dtype=np.int64)
        P = sp.csr_matrix((np.ones(keep.size), (keep, cols)), shape=(b.k, len(labels)))
        X = sp.hstack([X, sp.csr_matrix((X.shape[0], len(new)))], format="csr")
        X = (X + times * (b.mat.tocsr() @ P)).tocsr()
        X.eliminate_zeros()
    return Block(X, tuple(labels), prev.name, prev.label, True)


def and_factors(calls: list[Call]) -> tuple[str, ...]:
    """The data factors the and() calls of a term add (for predict's grid)."""
    from asr_py.model.fixed import part_factors

    return tuple(f for c in calls if c.positional() for f in part_factors(c.positional()[0]))
