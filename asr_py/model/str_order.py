"""Does str()'s direct product follow the nesting of its terms' effects?

``str(~ t_1 + ... + t_m, ~ A_1:...:A_r)`` gives the stacked effects u = (u_1', ..., u_m')' the
covariance A_1 ⊗ ... ⊗ A_r, A_1 outermost. The effects are nested as the columns are built:
term outermost (when m > 1), then each term's parts in written order (first part
outermost), so u is a grid of sizes (m, k_1, ..., k_p). The direct product is meaningful
only when its sizes (a_1, ..., a_r) group consecutive sizes of that grid (a_1 = the product
of the first few, a_2 of the next few, ...): then Σ_{ij} of A_1 couples whole sub-grids. If
they do not — ``str(~ id:pol(time, 2), ~ us(3):id(id))``: the effects are (id 82) ×
(pol 3), the structure (3) × (id 82) — each element of A_1 couples effects by their position
only, unrelated effects of different levels share a covariance, and the fit changes with
the order of the factor's levels. asreml checks only the total size (its ``str`` help: "it
cannot check that the order of effects matches the structure definition ... ensuring the
first term of the direct product in vmodel corresponds to the outer factor in the nesting
of the effects"); asr_py fits it as asreml would and warns.
"""

from __future__ import annotations

from collections.abc import Sequence


def groups_nesting(grid: Sequence[int], sizes: Sequence[int]) -> bool:
    """True when ``sizes`` (outer first, 1s ignored) multiply consecutive runs of ``grid``
    (outer first, 1s ignored) exactly: each structure factor spans whole sub-grids."""
    g = [int(x) for x in grid if x != 1]
    s = [int(x) for x in sizes if x != 1]
    i = 0
    for a in s:
        prod = 1
        while prod < a and i < len(g):
            prod *= g[i]
            i += 1
        if prod != a:
            return False
    return i == len(g)


def order_warning(term_grids: Sequence[Sequence[int]], term_text: str,
                  struct_sizes: Sequence[int], struct_text: str) -> str | None:
    """The warning for a str() whose direct product does not group the nesting of its
    terms' effects (None when it does, or when the terms' grids differ so the nesting of
    the stack is not a grid)."""
    if not term_grids:
        return None
    first = [x for x in term_grids[0] if x != 1]
    if any([x for x in g if x != 1] != first for g in term_grids[1:]):
        return None
    grid = ([len(term_grids)] if len(term_grids) > 1 else []) + first
    if groups_nesting(grid, struct_sizes):
        return None
    shown = " × ".join(str(x) for x in grid)
    want = " × ".join(str(x) for x in struct_sizes if x != 1)
    return (f"str({term_text}, {struct_text}): the structure's direct product ({want}) does "
            f"not follow the nesting of the effects ({shown}, outermost first): its first "
            "factor must be the outermost of the effects. As written each covariance couples "
            "effects by position only, the fit depends on the order of the factor levels "
            "and the likelihood can have several local optima; asreml checks only the "
            "size and fits it the same way. Reorder the term's parts (e.g. "
            "str(~ pol(x, 2):id, ~ us(3):id(id)), not str(~ id:pol(x, 2), ...)) or the "
            "structure's factors")
