"""Random terms (Z and G templates) and the residual template R.

Random term ``p1:p2:...``: Z is the Khatri-Rao product of the parts' blocks; G = [σ²] Σ_1 ⊗ Σ_2
⊗ ... where Σ_i is the part's structure (plain factor: identity; known matrix: K) and the scale
σ² is added when no part carries a variance (ASReml's rule; a plain factor alone is ``idv``).
``at(f, levels):g`` makes one term per level, each with its own parameters.
``str(~ a + b, ~ us(2):id(f))`` joins the columns of a and b and gives them one structure.
``a + and(b, times = c)`` overlays b on the term written before it (ASReml's and()):
Z_a ← [Z_a 0] + c · Z_b P over the union of the levels, one G for both (gamete/parent models).
``spl(x)`` (asr_py.model.splines) and ``mbf(obj)`` (covariates by key) are parts like any other.

Residual: the records are cells of the residual term's factors (``units``, ``trait``, ``Row``,
``Col``); R = S [σ²] (Σ_1 ⊗ Σ_2 ...) S' with S selecting the observed cells. ``dsum(~ ... | f)``
gives one such section per level of f.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace

import numpy as np
import scipy.sparse as sp

from asr_py.errors import FormulaError
from asr_py.formula.ast import (
    Arg,
    BinOp,
    Call,
    Expr,
    Formula,
    Name,
    Node,
    Paren,
    Term,
    TermList,
)
from asr_py.formula.expand import expand
from asr_py.model.and_parts import last_part
from asr_py.model.at_label import at_label
from asr_py.model.blocks import (
    KNOWN_MATRIX_FUNCS,
    Block,
    Context,
    combine_labels,
    factor_block,
    is_factor_expr,
    khatri_rao,
    literal,
    part_block,
)
from asr_py.model.factor_levels import with_r_factor_levels
from asr_py.model.fixed import at_levels, part_factors
from asr_py.model.fixed_and import and_times
from asr_py.model.numeric_random import numeric_term_note
from asr_py.model.residual_levels import whole_data_levels
from asr_py.model.size import check_term_size
from asr_py.model.str_order import order_warning
from asr_py.vcov.base import CovTemplate, get_structure
from asr_py.warning_classes import AsrWarning, user_stacklevel


@dataclass
class RandomTerm:
    """A compiled random term."""

    label: str
    Z: sp.csc_matrix
    template: CovTemplate
    param_names: list[str]
    levels: list[str]
    factors: tuple[str, ...]
    blocks: list[Block] = field(default_factory=list, repr=False)
    init: np.ndarray | None = None
    #: ``at(f, level):g``: (f's column, the level's label); Z is g's Z on f == level's records
    at: tuple[str, str] | None = None
    #: ``str(~ ..., ~ rr(n, k):...)`` (also fa) written with k zero placeholder columns for the
    #: factor scores: their labels (``x0``, ``x00``), the names of the score levels in
    #: asreml's extended design (:mod:`asr_py.results.rr_design`); () otherwise
    score_labels: tuple[str, ...] = ()


@dataclass
class ResidualTerm:
    """The compiled residual: template over the records and parameter names."""

    label: str
    template: CovTemplate
    param_names: list[str]
    sections: list[tuple[str, list[Block]]] = field(default_factory=list, repr=False)
    init: np.ndarray | None = None
    #: the term each section's parameter names start with (``units:trait``; a dsum section:
    #: ``Site_A!units:trait``), one per section
    section_terms: list[str] = field(default_factory=list)


def _kron(templates: list[CovTemplate], scale: bool) -> CovTemplate:
    from asr_py.vcov.kronecker import Kronecker

    if len(templates) == 1 and not scale:
        return templates[0]
    return Kronecker(list(templates), scale=scale)


def _identity(b: Block) -> CovTemplate:
    return get_structure("id")(b.labels, name=b.name)


def _names(label: str, blocks: list[Block], scale: bool, scale_name: str) -> list[str]:
    out = [scale_name] if scale else []
    for b in blocks:
        t = b.template
        if t is not None:
            out += [f"{label}!{s}" for s in t.param_names]
    return out


def _init(blocks: list[Block], scale: bool) -> np.ndarray | None:
    given = [b.extra["scale_init"] for b in blocks if "scale_init" in b.extra]
    if given and (not scale or len(given) > 1):
        where = given[1][1] if len(given) > 1 else given[0][1]
        raise FormulaError(
            f"init in {where} has nothing to start: " + (
                "another part of the term already gives the term's variance a start value"
                if scale else "the term's variances come from its other parts"),
            hint="give init= on one part of the term, the one carrying its variance(s)")
    if not any(b.init is not None for b in blocks) and not given:
        return None
    parts = [np.array([given[0][0] if given else np.nan])] if scale else []
    for b in blocks:
        if b.template is not None:
            parts.append(b.init if b.init is not None else np.full(b.template.n_params, np.nan))
    return np.concatenate(parts)


def term_from_blocks(label: str, blocks: list[Block], factors: tuple[str, ...],
                     Z: sp.spmatrix | None = None) -> RandomTerm:
    """Assemble Z and the template of a random term from its evaluated parts."""
    templates = [b.template if b.template is not None else _identity(b) for b in blocks]
    scale = not any(t.has_variance for t in templates)
    template = _kron(templates, scale)
    names = _names(label, blocks, scale, label)
    if Z is None:
        check_term_size(label, [b.k for b in blocks], blocks[0].mat.shape[0])
        Z = khatri_rao(blocks)
    levels = combine_labels(blocks)
    Z = sp.csc_matrix(Z)
    if len(blocks) == 1 and blocks[0].mat.shape == Z.shape and sp.issparse(blocks[0].mat):
        # one part: its n x k matrix is Z; keep one copy (the CSC one the engine uses) rather
        # than the part's CSR beside it (issue 16, memory: 16 bytes per record and factor)
        blocks[0].mat = Z
    return RandomTerm(label, Z, template, names, levels, factors, blocks,
                      _init(blocks, scale))


def _label(blocks: list[Block]) -> str:
    return ":".join(b.label for b in blocks)


def build_random(ctx: Context, terms: TermList) -> list[RandomTerm]:
    """Compile every random term; ``and(f)`` terms are overlaid on the term written before
    them (see :func:`overlay`)."""
    compiled: list[tuple[int, Term, list[RandomTerm]]] = []
    ands: list[tuple[int, Term, Call]] = []
    # ide(id) takes the ids of a vm(id, K) term, which may be in an interaction the
    # expansion puts after it (~ vm(g, K):corh(env) + ide(g)): ide terms are compiled last
    ide_last = sorted(range(len(terms.terms)), key=lambda i: any(
        isinstance(p, Call) and p.func == "ide" for p in terms.terms[i].parts))
    for i in ide_last:
        t = terms.terms[i]
        if len(t.parts) == 1 and isinstance(t.parts[0], Call) and t.parts[0].func == "and":
            ands.append((i, t, t.parts[0]))
        else:
            compiled.append((i, t, _random_term(ctx, t)))
    compiled.sort(key=lambda c: c[0])
    ands.sort(key=lambda c: c[0])
    if not ands:
        return [rt for _, _, rts in compiled for rt in rts]
    if any(isinstance(p, Call) and p.func == "and" for t in terms.terms if len(t.parts) > 1
           for p in t.parts):
        bad = next(p for t in terms.terms if len(t.parts) > 1 for p in t.parts
                   if isinstance(p, Call) and p.func == "and")
        raise ctx.error(bad, "and() must be a term on its own: ~ mother + and(father)")
    # written order (the expansion sorts terms by their number of parts)
    order = sorted(range(len(terms.terms)), key=lambda i: (_start(terms.terms[i]), i))
    slot = {i: j for j, (i, _, _) in enumerate(compiled)}
    target: dict[int, int] = {}  # term index -> index in `compiled` it contributes to
    for pos, i in enumerate(order):
        t = terms.terms[i]
        if i in slot:
            target[i] = slot[i]
            continue
        call = t.parts[0]
        assert isinstance(call, Call)
        if pos == 0:
            raise ctx.error(call, "and() has no previous term to add its design to",
                            "write the term to overlay first: ~ mother + and(father)")
        prev = order[pos - 1]
        j = target[prev]
        _, pt, rts = compiled[j]
        if len(rts) != 1:
            raise ctx.error(call, f"and() cannot overlay the term '{pt}', which makes "
                            f"{len(rts)} terms", "and() follows a single-factor term")
        compiled[j] = (compiled[j][0], pt, [overlay(ctx, rts[0], call)])
        target[i] = j
    return [rt for _, _, rts in compiled for rt in rts]


def _start(t: Term) -> int:
    starts = [p.span.start for p in t.parts if p.span is not None]
    return min(starts) if starts else -1


#: structures of a previous term that and() can extend to new levels
_AND_STRUCTURES = (None, "id", "idv", "diag", "idh")


def overlay(ctx: Context, prev: RandomTerm, call: Call) -> RandomTerm:
    """``and(f, times = c)``: ASReml's overlay, Z_prev ← [Z_prev 0] + c · Z_f P.

    The and() term shares the previous term's effects: its indicator columns are mapped
    (P) onto the previous term's levels, new levels are appended (plain factors, id, idv,
    diag) and must already be levels for a known matrix (vm, ped, giv, ide). G is the
    previous term's structure over the union of levels, its parameter names unchanged.
    Over an interaction ending in a factor (``us(trait):sire + and(us(trait):dam)``) the
    overlay acts on the last part (:mod:`asr_py.model.and_parts`).
    """
    pos = call.positional()
    named = call.named()
    if not pos:
        raise ctx.error(call, "and() needs a factor: and(father)")
    times = and_times(ctx, pos, named)
    if prev.label != _label(prev.blocks):
        raise ctx.error(call, f"and() cannot overlay '{prev.label}': the previous term must "
                        "be a factor (f, idv(f), diag(f), vm(f, K), ...) or an interaction "
                        "ending in one (us(trait):f)",
                        "write and() right after a one-factor random term")
    leading = list(prev.blocks[:-1])
    pb = prev.blocks[-1]
    if not pb.is_factor or pb.structure not in _AND_STRUCTURES + ("vm", "ped", "giv", "ide"):
        raise ctx.error(call, f"and() cannot overlay '{prev.label}' (structure "
                        f"{pb.structure or 'covariate'}): the previous term must be a factor "
                        "with an identity, diagonal or known-matrix structure")
    arg = pos[0] if not leading else last_part(ctx, call, pos[0], prev.label, leading)
    b = part_block(ctx, arg)
    if not b.is_factor or (b.template is not None and b.template.n_params > 0):
        raise ctx.error(arg, f"and() takes a plain factor, '{arg}' is not one",
                        "the structure comes from the previous term: ~ idv(mother) + and(father)")
    Zb = b.mat.tocsc()
    used = np.diff(Zb.indptr) > 0
    base = tuple(prev.levels) if not leading else tuple(pb.labels)
    index = {lv: i for i, lv in enumerate(base)}
    new = [lv for lv, u in zip(b.labels, used) if u and lv not in index]
    if new and pb.known:
        raise ctx.error(arg, f"and(): {len(new)} levels of '{arg}' are not ids of the matrix "
                        f"in {prev.label}: " + ", ".join(new[:5]) + (" ..." if len(new) > 5
                                                                     else ""),
                        "every level must be a row of the known matrix")
    levels = list(base) + new
    index.update({lv: len(base) + i for i, lv in enumerate(new)})
    cols = np.array([index.get(lv, -1) for lv in b.labels])
    keep = np.nonzero(used)[0]
    P = sp.csr_matrix((np.ones(keep.size), (keep, cols[keep])), shape=(b.k, len(levels)))
    last = prev.Z if not leading else pb.mat   # the term is KR(leading..., last) (and_parts)
    Zp = sp.hstack([last, sp.csc_matrix((last.shape[0], len(new)))], format="csr")
    Z = (Zp + times * (b.mat.tocsr() @ P)).tocsr()
    Z.eliminate_zeros()
    template = pb.template
    if new and pb.template is not None:
        template = get_structure(pb.structure or "id")(tuple(levels), name=pb.name)
        if pb.init is not None and pb.init.size != template.n_params:
            raise ctx.error(call, f"and() adds {len(new)} levels to {prev.label}, so its init= "
                            f"values no longer fit ({pb.init.size} for {template.n_params} "
                            "parameters)", "give init= for the union of the levels, or none")
    block = Block(Z, tuple(levels), pb.name, pb.label, True, template=template, known=pb.known,
                  structure=pb.structure, init=pb.init, extra=dict(pb.extra, overlay=str(call)))
    if leading:
        return term_from_blocks(prev.label, [*leading, block], prev.factors,
                                khatri_rao([*leading, block]).tocsc())
    return term_from_blocks(prev.label, [block], prev.factors, Z)


def _random_term(ctx: Context, t: Term) -> list[RandomTerm]:
    parts = list(t.parts)
    if len(parts) == 1 and isinstance(parts[0], Formula):
        return [x for tt in expand(parts[0], "random").terms for x in _random_term(ctx, tt)]
    if len(parts) == 1 and isinstance(parts[0], Call) and parts[0].func == "str":
        return [_str_term(ctx, parts[0])]
    if any(isinstance(p, Call) and p.func == "str" for p in parts):
        raise ctx.error(t.parts[0], "str() must be a term on its own")
    at_pos = [i for i, p in enumerate(parts) if isinstance(p, Call) and p.func == "at"]
    if at_pos:
        i = at_pos[0]
        call = parts[i]
        assert isinstance(call, Call)
        base, idx = at_levels(ctx, call)
        f = str(call.positional()[0])
        rest = parts[:i] + parts[i + 1:]
        if not rest:
            raise ctx.error(call, "at() needs another part in a random term: at(f, l):g")
        res = []
        for j in idx:
            mask = np.asarray(base.mat[:, j].todense()).ravel()
            sub = _random_term(ctx, Term(tuple(rest)))
            for rt in sub:
                lab = f"{at_label(f, base.labels[j])}:{rt.label}"   # at(f, 'l'):g
                Z = sp.csc_matrix(sp.diags(mask) @ rt.Z)
                names = [lab + n[len(rt.label):] if n.startswith(rt.label) else n
                         for n in rt.param_names]
                res.append(RandomTerm(lab, Z, rt.template, names, rt.levels,
                                      (f,) + rt.factors, rt.blocks, rt.init,
                                      at=(base.name, str(base.labels[j]))))
        return res
    with whole_data_levels(ctx, tuple(parts)):
        blocks = [part_block(ctx, p) for p in parts]
    if all(isinstance(p, Name) for p in parts) and not any(b.is_factor for b in blocks):
        note = numeric_term_note([p for p in parts if isinstance(p, Name)], ctx.frame)
        ctx.warnings.append(note)
        warnings.warn(note, AsrWarning, stacklevel=user_stacklevel())
    factors = tuple(f for p in parts for f in part_factors(p))
    return [term_from_blocks(_label(blocks), blocks, factors)]


def _written_names(node: Node) -> list[Name]:
    """The variable names written anywhere in ``node``."""
    out: list[Name] = []
    stack: list[object] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, Name):
            out.append(item)
        elif isinstance(item, Node):
            stack.extend(item._pieces())
    return out


def _str_term(ctx: Context, call: Call) -> RandomTerm:
    """``str(~ a + b, ~ us(2):id(f))``: shared structure over the columns of several terms."""
    pos = call.positional()
    if len(pos) != 2 or not all(isinstance(p, Formula) for p in pos):
        raise ctx.error(call, "str() needs two formulas: str(~ terms, ~ structure)")
    cols_f, struct_f = pos
    assert isinstance(cols_f, Formula) and isinstance(struct_f, Formula)
    # effects are coupled by their positions: the R factor's levels, unused ones included,
    # as asreml (factor_levels.py)
    with with_r_factor_levels(ctx, [n.name for n in _written_names(call)]):
        return _str_built(ctx, call, cols_f, struct_f)


def _str_built(ctx: Context, call: Call, cols_f: Formula, struct_f: Formula) -> RandomTerm:
    """:func:`_str_term` once the levels of its factors are set."""
    zs: list[sp.csr_matrix] = []
    labels: list[tuple[str, ...]] = []
    grids: list[list[int]] = []
    plain: list[Block] = []
    cterms = expand(cols_f, "random").terms
    for tt in sorted(cterms, key=_start):  # written order: and() adds to the term before it
        if len(tt.parts) == 1 and isinstance(tt.parts[0], Call) and tt.parts[0].func == "and":
            if not zs:
                raise ctx.error(tt.parts[0], "and() has no previous term to add its design to",
                                "str(~ vm(g, K) + vm(n1, K) + and(vm(n2, K)), ...)")
            zs[-1] = _str_overlay(ctx, tt.parts[0], zs[-1], labels[-1])
            continue
        bl = [_plain(ctx, p) for p in tt.parts]
        if any(b.template is not None for b in bl):
            raise ctx.error(cols_f, "the first formula of str() lists plain terms, no structures")
        zs.append(khatri_rao(bl).tocsr())
        labels.append(bl[0].labels if len(bl) == 1 else ())
        grids.append([b.k for b in bl])
        plain = bl
    Z = sp.hstack(zs, format="csc")
    sterms = expand(struct_f, "random").terms
    if len(sterms) != 1:
        raise ctx.error(struct_f, "the second formula of str() must be one term, e.g. us(2):id(f)")
    blocks = [part_block(ctx, p) for p in sterms[0].parts]
    dim = int(np.prod([b.k for b in blocks]))
    n_cols = Z.shape[1]
    Z, n_scores = _drop_score_columns(ctx, call, sterms[0].parts, blocks, Z)
    if dim != Z.shape[1]:
        numeric = sorted({n.name for n in _written_names(struct_f) if n.name in ctx.frame.columns
                          and not is_factor_expr(ctx, n)})
        hint = "the structure's sizes must multiply to the number of effects"
        if numeric:
            hint += (f"; {', '.join(numeric)} {'is' if len(numeric) == 1 else 'are'} numeric, so "
                     "a covariate (one column): make a factor column (astype(str) or "
                     "'category') or write fac(...)")
        raise ctx.error(call, f"str(): the terms have {Z.shape[1]} columns but the structure "
                        f"{sterms[0]} has dimension {dim}", hint)
    note = None if Z.shape[1] != n_cols else order_warning(
        grids, str(cols_f), [b.k for b in blocks], str(struct_f))
    if note is not None:
        ctx.warnings.append(note)
        warnings.warn(note, AsrWarning, stacklevel=2)
    label = "+".join(str(tt) for tt in expand(cols_f, "random").terms)
    factors = tuple(f for tt in expand(cols_f, "random").terms for p in tt.parts
                    for f in part_factors(p))
    term = term_from_blocks(label, blocks, factors, Z)
    if len(zs) == 1:
        _name_by_columns(term, plain, blocks, n_scores)
    return term


def _name_by_columns(term: RandomTerm, plain: list[Block], blocks: list[Block],
                     n_scores: int) -> None:
    """A ``str(~ mbf(Co):G, ~ us(n):id(G))`` term (one term in the first formula): its
    effects are named by that term's columns (``pf_sum:G01``, as asreml's design
    ``mbf(Co)_pf_sum:G_G01``) when its parts match the structure's part for part; with k
    score placeholders (``rr(n, k)``) their labels are kept as the score levels' names."""
    sizes = [b.k for b in plain]
    sizes[0] -= n_scores
    if sizes != [b.k for b in blocks]:
        return
    first = plain[0].labels
    if n_scores:
        term.score_labels = tuple(str(x) for x in first[len(first) - n_scores:])
    named = [replace(plain[0], labels=tuple(first[:len(first) - n_scores])), *plain[1:]]
    term.levels = combine_labels(named)


def _plain(ctx: Context, p: Expr) -> Block:
    """A part of str()'s first formula as a design: vm(animal, A) + vm(dam, A) are each a
    design onto the matrix's ids (asreml 4's direct-maternal model); the matrix itself
    belongs to the structure formula."""
    b = part_block(ctx, p)
    return replace(b, template=None) if _is_known_matrix(p) else b


def _str_overlay(ctx: Context, call: Call, Z: sp.csr_matrix, levels: tuple[str, ...]
                 ) -> sp.csr_matrix:
    """``and(f, times = c)`` inside str(): Z_prev ← Z_prev + c · Z_f P, P mapping f's levels
    onto the previous term's (every used level of f must be one of them: the structure's
    size is fixed)."""
    pos, named = call.positional(), call.named()
    if not pos or not levels:
        raise ctx.error(call, "and() in str() adds a factor's design to the one-factor term "
                        "before it", "str(~ vm(g, K) + vm(n1, K) + and(vm(n2, K)), ...)")
    times = and_times(ctx, pos, named)
    b = _plain(ctx, pos[0])
    if not b.is_factor or b.template is not None:
        raise ctx.error(pos[0], f"and() takes a plain factor, '{pos[0]}' is not one")
    Zb = b.mat.tocsc()
    used = np.diff(Zb.indptr) > 0
    index = {lv: i for i, lv in enumerate(levels)}
    missing = [lv for lv, u in zip(b.labels, used) if u and lv not in index]
    if missing:
        raise ctx.error(pos[0], f"and(): {len(missing)} levels of '{pos[0]}' are not levels "
                        "of the term before it: " + ", ".join(missing[:5]),
                        "inside str() the overlaid factor must use the previous term's levels")
    keep = np.nonzero(used)[0]
    cols = np.array([index[b.labels[i]] for i in keep], dtype=np.int64)
    P = sp.csr_matrix((np.ones(keep.size), (keep, cols)), shape=(b.k, len(levels)))
    out = (Z + times * (b.mat.tocsr() @ P)).tocsr()
    out.eliminate_zeros()
    return out


def _is_known_matrix(p: Expr) -> bool:
    while isinstance(p, Paren):
        p = p.expr
    return isinstance(p, Call) and p.func in KNOWN_MATRIX_FUNCS


def _drop_score_columns(ctx: Context, call: Call, parts: tuple, blocks: list,
                        Z: sp.csc_matrix) -> tuple[sp.csc_matrix, int]:
    """asreml 4's ``str(~ ..., ~ rr(n, k):id(g))`` (also fa) takes n + k terms: the last k
    are placeholders for the k factor scores (zero columns such as ``G:x0``, ``G:x00``; the
    scores' design asreml builds from the loadings itself). The marginal model of the data
    is that of the first n terms, so the placeholders are dropped from Z (they must be zero);
    returns Z and the number k of placeholders dropped (0: none). asreml's extended design
    keeps them as the scores' columns (ASReml's XFA: "the design matrix for f augmented with
    k columns of zeros for the k factors"), :mod:`asr_py.results.rr_design`."""
    first = parts[0] if parts else None
    if not (isinstance(first, Call) and first.func in ("rr", "fa", "facv", "xfa", "sfa")):
        return Z, 0
    pos = first.positional()
    kval = first.named().get("k", pos[1] if len(pos) > 1 else None)
    try:
        k = int(float(str(kval))) if kval is not None else 1
    except ValueError:
        return Z, 0
    n = blocks[0].k
    rest = int(np.prod([b.k for b in blocks[1:]]))
    if Z.shape[1] != (n + k) * rest:
        return Z, 0
    extra = Z[:, n * rest:]
    if extra.count_nonzero():
        raise ctx.error(call, f"str(): the structure {first.func}(.., {k}) takes {n} terms "
                        f"plus {k} placeholder(s) for its factor scores, but the last "
                        f"{k} term(s) are not zero",
                        "asreml's placeholders are zero columns (e.g. x0 = 0)")
    return sp.csc_matrix(Z[:, :n * rest]), k


# ---------------------------------------------------------------------------------------------
# residual
# ---------------------------------------------------------------------------------------------


def _residual_part(ctx: Context, p: Expr) -> Block:
    """A part of a residual term. A bare numeric column is a factor there, as in asreml
    (``residual = ~ plots`` with integer plot numbers is ``~ id(plots)``): a residual
    variance model is over levels, a covariate has no meaning in it."""
    if isinstance(p, Name) and not is_factor_expr(ctx, p) and p.name in ctx.frame.columns:
        return factor_block(ctx, p)
    return part_block(ctx, p)


def _codes(ctx: Context, b: Block, where: Expr) -> np.ndarray:
    m = b.mat.tocsr()
    counts = np.diff(m.indptr)
    if (counts != 1).any() or not b.is_factor:
        raise ctx.error(where, f"residual part '{b.label}' must be a factor with one level per "
                        "record", "residual terms are built from factors such as units, trait, "
                        "Row, Col")
    return m.indices.astype(np.int64)


def _grid_by_order(ctx: Context, blocks: list[Block], rows: np.ndarray,
                   by_level: tuple[str, str] | None) -> np.ndarray | None:
    """asreml's cells of a section whose records do not have one cell each, or None.

    ASReml takes the records of a separable residual section, sorted on its factors, as the
    cells of the grid of the levels present (the last factor fastest) and checks only that
    their number is the grid's size. The section's data rows with a missing response are
    records to asreml (na.method(y = 'include')): they count and take their place in the
    sort (ties in data order). With n = prod_f L_f such rows (L_f: levels of factor f in the
    section) row k of the sort is given cell k, written in the codes of each factor's full
    set of levels; with another count there is no grid (None)."""
    rec = ctx.records
    codes = [b.mat.tocsr().indices.astype(np.int64)[rows] for b in blocks]
    pos = rec.row[rows].astype(np.int64) if rec.result_pos is None else rec.result_pos[rows]
    miss = rec.missing_rows
    if miss is not None and len(miss) and rec.result_index is not None:
        if not (rec.result_index.is_unique and miss.index.is_unique):
            return None
        if by_level is not None:                 # dsum: the section factor's level
            f, lab = by_level
            if f not in miss.columns:
                return None
            miss = miss[miss[f].astype(str).to_numpy() == lab]
        extra = []
        for b in blocks:
            if b.name not in miss.columns:
                return None
            index = {str(lv): i for i, lv in enumerate(b.labels)}
            got = [index.get(str(v)) for v in miss[b.name]]
            if any(g is None for g in got):
                return None
            extra.append(np.asarray(got, dtype=np.int64))
        codes = [np.concatenate([c, e]) for c, e in zip(codes, extra)]
        pos = np.concatenate([pos, rec.result_index.get_indexer(miss.index)])
    n = codes[0].size if codes else 0
    present = [np.unique(c) for c in codes]
    if not blocks or int(np.prod([p.size for p in present])) != n:
        return None
    order = np.lexsort((pos, *reversed(codes)))       # first factor slowest, then data order
    grid = np.stack(np.meshgrid(*present, indexing="ij"), axis=-1).reshape(-1, len(blocks))
    full = np.zeros(n, dtype=np.int64)
    for j, b in enumerate(blocks):
        full = full * b.k + grid[:, j]
    cell = np.empty(n, dtype=np.int64)
    cell[order] = full
    return cell[:rows.size]                           # the fitted records' cells


def _section(ctx: Context, term: Term, rows: np.ndarray, prefix: str,
             by_level: tuple[str, str] | None = None) -> tuple[
        CovTemplate, list[str], np.ndarray | None, list[Block]]:
    """Template over the records ``rows`` for one residual term (one dsum section:
    ``by_level`` = (its factor, its level))."""
    from asr_py.vcov.composite import Subset

    with whole_data_levels(ctx, term.parts):
        blocks = [_residual_part(ctx, p) for p in term.parts]
    label = _label(blocks)
    templates = [b.template if b.template is not None else _identity(b) for b in blocks]
    scale = not any(t.has_variance for t in templates)
    cell = np.zeros(rows.size, dtype=np.int64)
    for b, p in zip(blocks, term.parts):
        cell = cell * b.k + _codes(ctx, b, p)[rows]
    if np.unique(cell).size != cell.size:
        cells, counts = np.unique(cell, return_counts=True)
        top = int(np.argmax(counts))
        where, code = [], int(cells[top])
        for b in reversed(blocks):                  # the crowded cell's levels, by factor
            where.insert(0, f"{b.name}={b.labels[code % b.k]}")
            code //= b.k
        section = f" in section {prefix.rstrip('!')}" if prefix else ""
        what = (f"residual {term}{section}: several records share a cell "
                f"({int((counts > 1).sum())} cells hold {int(counts[counts > 1].sum())} of "
                f"its {cell.size} records; {int(counts[top])} at {', '.join(where)})")
        by_order = _grid_by_order(ctx, blocks, rows, by_level)
        if by_order is None:
            raise ctx.error(term.parts[0], what,
                            "each record needs its own combination of the residual factors: "
                            "check the coordinates of those records, or add units or a "
                            "unique plot index")
        ctx.warnings.append(
            f"{what}; the section has as many records as its grid has cells, so, as asreml "
            "does (it checks only that count and takes the records sorted on the residual "
            "factors as the grid's cells, in order), record k of the sorted section is put in "
            "cell k: the coordinates of those records are probably wrong in the data")
        cell = by_order
    # reduce each part to the levels present in this section (units: this section's rows)
    template = _kron(templates, scale)
    n_cells = int(np.prod([b.k for b in blocks]))
    if not (cell.size == n_cells and np.array_equal(cell, np.arange(n_cells))):
        template = Subset(template, cell)
    names = [f"{prefix}{label}!R"] if scale else []
    for b, t in zip(blocks, templates):
        if b.template is not None:
            names += [f"{prefix}{label}!{s}" for s in t.param_names]
    return template, names, _init(blocks, scale), blocks


def build_residual(ctx: Context, terms: TermList | None) -> ResidualTerm:
    """Compile the residual formula (default: ``units``; multivariate ``units:us(trait)``)."""

    n = ctx.records.n
    all_rows = np.arange(n)
    if terms is None or not terms.terms:
        parts: tuple[Expr, ...] = (Name("units"),)
        if ctx.records.multivariate:
            parts = (Name("units"), Call("us", (Arg(Name("trait")),)))
        elif ctx.records.asmv is not None:     # asreml's units:us(trait) for asmv data
            from asr_py.model.asmv import default_residual

            parts = default_residual(ctx.records.asmv)
        term = Term(parts)
    elif len(terms.terms) > 1:
        if all(_is_dsum(t) for t in terms.terms):  # dsum(~ A | f, levels = 1) + dsum(...)
            calls = [t.parts[0] for t in terms.terms]
            pieces = [pc for c in calls for pc in _dsum(ctx, c)]  # type: ignore[arg-type]
            return _sections(ctx, pieces, " + ".join(str(c) for c in calls))
        raise ctx.error(terms.terms[1].parts[0], "the residual formula must be a single term",
                        "use dsum(~ ... | f) for sections with different structures")
    else:
        term = terms.terms[0]
    p0 = term.parts[0]
    if _is_dsum(term):
        return _sections(ctx, _dsum(ctx, p0), str(p0))  # type: ignore[arg-type]
    ats = [i for i, p in enumerate(term.parts) if isinstance(p, Call) and p.func == "at"]
    if len(ats) == 1 and len(term.parts) > 1:  # asreml 3 rcov at(), written first or last
        i = ats[0]
        rest = Term(term.parts[:i] + term.parts[i + 1:])
        return _sections(ctx, [(term.parts[i], rest)], f"{term.parts[i]}:{rest}")
    if ctx.records.multivariate and not any(_mentions_trait(p) for p in term.parts):
        raise ctx.error(p0, "a multivariate residual must involve trait",
                        "e.g. residual = ~ units:us(trait) or ~ units:diag(trait)")
    template, names, init, blocks = _section(ctx, term, all_rows, "")
    label = _label(blocks)
    return ResidualTerm(label, template, names, [("", blocks)], init, [label])


def _mentions_trait(p: Expr) -> bool:
    if isinstance(p, Name):
        return p.name == "trait"
    if isinstance(p, Call):
        return any(_mentions_trait(a.value) for a in p.args)
    if isinstance(p, (Paren,)):
        return _mentions_trait(p.expr)
    return False


def _is_dsum(term: Term) -> bool:
    return len(term.parts) == 1 and isinstance(term.parts[0], Call) \
        and term.parts[0].func == "dsum"


def _dsum(ctx: Context, call: Call) -> list[tuple[Call, Term]]:
    """The sections of ``dsum(~ T | f, levels = ...)`` as (``at(f, levels)``, term) pairs.

    One term: one structure for every level listed (all levels without ``levels``). Several
    terms (asreml 4.2): ``dsum(~ T1 + T2 | f, levels = list(L1, L2))``, term k on the levels
    L_k."""
    pos = call.positional()
    if not pos or not isinstance(pos[0], Formula):
        raise ctx.error(call, "dsum() needs a formula: dsum(~ units | site)")
    f = pos[0]
    rhs = f.rhs
    if not (isinstance(rhs, BinOp) and rhs.op == "|"):
        raise ctx.error(call, "dsum() needs '| factor': dsum(~ units | site)")
    inner = Formula(None, rhs.left)
    terms = expand(inner, "residual").terms
    by = rhs.right
    sel = call.named().get("levels")
    if sel is None:
        if len(terms) != 1:
            raise ctx.error(call, f"dsum(): {len(terms)} terms need levels = list(...), one "
                            "set of levels per term",
                            "e.g. dsum(~ ar1(Row):ar1(Col) + units | Site, "
                            "levels = list('A', 'B'))")
        return [(Call("at", (Arg(by),)), terms[0])]
    v = literal(ctx, sel)
    if len(terms) == 1:
        groups = [v if isinstance(v, list) else [v]]
    elif not (isinstance(v, list) and len(v) == len(terms)):
        raise ctx.error(sel, f"dsum(): {len(terms)} terms but "
                        f"{len(v) if isinstance(v, list) else 1} sets of levels",
                        "give one set of levels per term: levels = list(c(1, 2), 3)")
    else:
        groups = [x if isinstance(x, list) else [x] for x in v]
    out = []
    for term, g in zip(terms, groups):
        flat: list[object] = []
        for x in g:
            flat.extend(x if isinstance(x, list) else [x])
        for x in flat:
            if not isinstance(x, str) and (isinstance(x, bool) or not isinstance(
                    x, (int, float, np.number)) or not np.isfinite(x)):
                raise ctx.error(sel, f"dsum(): {x!r} is not a level of {by}",
                                "give levels by name or 1-based position: "
                                "levels = c('A', 'B') or levels = 1:2")
        out.append((Call("at", (Arg(by), Arg(_to_c(flat)))), term))
    return out


def _to_c(values: list[object]) -> Expr:
    from asr_py.formula.ast import Number, String

    args = tuple(Arg(String(v) if isinstance(v, str) else Number(float(v)))  # type: ignore[arg-type]
                 for v in values)
    return Call("c", args)


def _sections(ctx: Context, pieces: list[tuple[Call, Term]], label: str) -> ResidualTerm:
    """Residual sections: for each (``at(f, levels)``, term), the records of each level get
    that term's structure; every record must be in exactly one section, all of one ``f``."""
    from asr_py.vcov.composite import DirectSum

    first = pieces[0][0]
    f = str(first.positional()[0])
    codes = None
    owner: dict[int, int] = {}
    levels: list[tuple[int, Term]] = []
    for k, (at, term) in enumerate(pieces):
        if str(at.positional()[0]) != f:
            raise ctx.error(at, f"dsum(): the sections are by {f} and by "
                            f"{at.positional()[0]}", "split the residual by one factor")
        base, idx = at_levels(ctx, at)
        if codes is None:
            codes = _codes(ctx, base, at)
        for j in idx:
            if j in owner:
                raise ctx.error(at, f"dsum(): level {base.labels[j]} of {f} is in two sections",
                                "give each level to one term only")
            owner[j] = k
            levels.append((j, term))
    assert codes is not None
    covered = np.isin(codes, list(owner))
    if not covered.all():
        raise ctx.error(first, f"{int((~covered).sum())} records are in no residual section",
                        "list every level of the section factor (or none for all)")
    templates, names, indices, inits, secs, sterms = [], [], [], [], [], []
    for j, term in levels:
        rows = np.nonzero(codes == j)[0]
        if rows.size == 0:
            continue
        lab = base.labels[j]
        t, nm, ini, blocks = _section(ctx, term, rows, f"{f}_{lab}!", (f, str(lab)))
        templates.append(t)
        names += nm
        indices.append(rows)
        inits.append(ini if ini is not None else np.full(t.n_params, np.nan))
        secs.append((lab, blocks))
        sterms.append(f"{f}_{lab}!{_label(blocks)}")
    template = DirectSum(templates, indices, ctx.records.n)
    init = np.concatenate(inits) if any(np.isfinite(i).any() for i in inits) else None
    return ResidualTerm(label, template, names, secs, init, sterms)


def is_factor_part(ctx: Context, e: Expr) -> bool:
    """Whether a part evaluates to a factor (for warnings in explain)."""
    return is_factor_expr(ctx, e)


__all__ = ["RandomTerm", "ResidualTerm", "build_random", "build_residual", "FormulaError"]
