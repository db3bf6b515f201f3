"""``and()`` over an interaction: ``~ corgh(trait):sire + and(corgh(trait):dam)``.

ASReml's overlay adds the design of the and() term to the effects of the term written
before it. When that term is an interaction ``p_1:...:p_{k-1}:f`` (a multi-trait parental
model, the VSN cookbook's half-diallel), the and() term repeats the leading parts and
names another factor ``g`` in the last place. Because the row-wise Kronecker product is
linear in its last factor,

    Z = KR(P_1, ..., P_{k-1}, F) + c · KR(P_1, ..., P_{k-1}, G M)
      = KR(P_1, ..., P_{k-1}, F + c · G M),

with M mapping g's levels onto f's (by label, new ones appended), the overlay is the
one-factor overlay applied to the last part, the leading parts unchanged. This module
checks that the leading parts are the same and hands back the last one.
"""

from __future__ import annotations

from asr_py.formula.ast import BinOp, Call, Expr, Paren
from asr_py.model.blocks import Block, Context, part_block

__all__ = ["colon_parts", "last_part"]


def colon_parts(e: Expr) -> list[Expr]:
    """The ``:``-separated parts of ``e`` as written (``corgh(trait):dam`` -> 2 parts)."""
    if isinstance(e, Paren):
        return colon_parts(e.expr)
    if isinstance(e, BinOp) and e.op == ":":
        return colon_parts(e.left) + colon_parts(e.right)
    return [e]


def last_part(ctx: Context, call: Call, arg: Expr, label: str,
              leading: list[Block]) -> Expr:
    """The last part of ``and(arg)`` over a term whose leading parts are ``leading``;
    an error says what differs when ``arg``'s leading parts are not the same factors over
    the same rows."""
    parts = colon_parts(arg)
    want = ":".join(b.label for b in leading)
    if len(parts) != len(leading) + 1:
        raise ctx.error(call, f"and() over '{label}' needs a term of {len(leading) + 1} "
                        f"parts, the same leading parts and another factor last: "
                        f"and({want}:g)", f"e.g. ~ {label} + and({want}:dam)")
    for p, b in zip(parts[:-1], leading):
        pb = part_block(ctx, p)
        same = (pb.name == b.name and tuple(pb.labels) == tuple(b.labels)
                and pb.mat.shape == b.mat.shape and (pb.mat != b.mat).nnz == 0)
        if not same:
            raise ctx.error(p, f"and() over '{label}': its part '{p}' is not the term's part "
                            f"'{b.label}' (the leading parts must be the same)",
                            f"write and({want}:g)")
    return parts[-1]
