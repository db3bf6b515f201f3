"""The fixed-effects design X.

Each term is the row-wise product of its parts. A factor part is coded by treatment contrasts
(first level dropped) when the term without that factor is in the model - the intercept being
the empty term - and by full indicators otherwise (R's marginality rule); ``at(f, ...)`` parts
are always indicators. Parts formulaic builds (``C(f, contr.sum)``, ``center(x)``, ``bs(x)``...,
see :mod:`asr_py.model.formulaic_parts`) follow the same rule: a ``C()`` part is coded by its
formulaic contrasts where another factor would get treatment contrasts, by full indicators
otherwise. In a multivariate model a ``trait`` term replaces the intercept (as in
ASReml). Columns that are still linearly dependent on earlier ones are dropped in order and
listed as aliased, as ASReml does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.linalg.lapack import dtrtrs as _dtrtrs

from asr_py.formula.ast import Call, Expr, Name, Paren, Term, TermList
from asr_py.model.alias_origin import origin_free
from asr_py.model.alias_sparse import aliased_by_null_space
from asr_py.model.at_label import at_label, at_name_of, split_at_term
from asr_py.model.blocks import (
    BASIS_FUNCS,
    FACTOR_FUNCS,
    MAX_POLY_ORDER,
    Block,
    Context,
    _check_order,
    basis_block,
    check_finite,
    combine_labels,
    covariate_block,
    factor_block,
    indicator,
    is_factor_expr,
    khatri_rao,
    literal,
    orthopoly,
    whole_number,
)
from asr_py.model.data import level_labels, numeric_value
from asr_py.model.fixed_and import and_factors, overlay_fixed, split_and_terms
from asr_py.model.formulaic_parts import FORMULAIC_FUNCS, formulaic_block
from asr_py.model.size import check_fixed_size, numeric_looking, term_columns
from asr_py.reml.sparse_x import null_basis_from_aliasing, prefer_sparse_x

_R_TRANSFORMS = ("log", "log10", "log2", "sqrt", "exp", "abs", "I", "as.numeric", "as.double")


@dataclass
class FixedTerm:
    """A fixed term: its label, the factors it involves, and its columns in the kept X.

    ``factors`` are the data columns of all its parts; ``factor_parts`` those that enter as
    factors (a factor column, ``fac(x)``, ``at(f)``, ``C(f, ...)``, ``trait``), the others
    being covariates (``x``, ``center(x)``, ``bs(x)``).
    """

    label: str
    factors: tuple[str, ...]
    columns: list[int] = field(default_factory=list)
    all_columns: list[str] = field(default_factory=list)
    factor_parts: tuple[str, ...] = ()
    #: the term's name as asreml 4.2 prints it (Wald rows): an at() level quoted, by name,
    #: ``at(AMF, 'AMF_plus'):x`` (:mod:`asr_py.model.at_label`); "" = the label
    name: str = ""


@dataclass
class FixedDesign:
    """X with aliased columns removed, column names, and the term each column belongs to.

    ``X`` is a scipy.sparse CSC matrix when the design is large and mostly zeros
    (:func:`asr_py.reml.sparse_x.prefer_sparse_x`: thousands of factor levels), else an
    ndarray; :func:`asr_py.reml.sparse_x.as_dense` gives an array either way."""

    X: np.ndarray | sp.csc_matrix
    names: list[str]
    terms: list[FixedTerm]
    aliased: list[str]
    intercept: bool
    all_names: list[str] = field(default_factory=list)
    #: X with every column (aliased ones too), kept only when some are aliased: the source of
    #: :attr:`null_basis`, computed on first use (an SVD of X; predict's estimability checks
    #: need it, a fit does not)
    all_X: np.ndarray | sp.csc_matrix | None = field(default=None, repr=False)
    _null: np.ndarray | None = field(default=None, repr=False)

    @property
    def null_basis(self) -> np.ndarray:
        """Orthonormal basis of the null space of the full X (zero columns: none aliased)."""
        if self._null is None:
            if self.all_X is None or not self.aliased:
                self._null = np.zeros((len(self.all_names), 0))
            elif sp.issparse(self.all_X):  # from the aliasing: no SVD of a large X
                kept = set(self.names)
                self._null = null_basis_from_aliasing(
                    self.all_X, np.array([nm in kept for nm in self.all_names]))
            else:
                self._null = _null_basis(self.all_X)
        return self._null


def part_key(p: Expr) -> str:
    """Key of a part for the marginality rule: at(f, ...) and fac(f) count as f."""
    if isinstance(p, Paren):
        return part_key(p.expr)
    if isinstance(p, Call) and p.func in ("at",) + FACTOR_FUNCS and p.args:
        return part_key(p.args[0].value)
    return str(p)


def part_factors(p: Expr) -> tuple[str, ...]:
    """Data factors a part involves (for predict/classify)."""
    if isinstance(p, Paren):
        return part_factors(p.expr)
    if isinstance(p, Name):
        return (p.name,)
    if isinstance(p, Call) and p.args:
        return part_factors(p.args[0].value)
    return ()


def fixed_part(ctx: Context, p: Expr, contrast: bool) -> Block:
    """Evaluate one part of a fixed term."""
    if isinstance(p, Paren):
        return fixed_part(ctx, p.expr, contrast)
    if isinstance(p, Call):
        if p.func == "at":
            return at_block(ctx, p)
        if p.func in FACTOR_FUNCS:
            b = factor_block(ctx, p)
            return _contrast(b) if contrast and b.name not in ctx.full_coded else b
        if p.func in BASIS_FUNCS:  # pol()/leg() keep their training basis (Context.stateful)
            return basis_block(ctx, p)
        if p.func == "poly":
            pos = p.positional()
            k_expr = pos[1] if len(pos) > 1 else p.named().get("degree")
            x = numeric_value(pos[0], ctx.frame, ctx.text, ctx.formula)
            k = 1
            if k_expr is not None:
                k = whole_number(ctx, k_expr, "the degree of poly()", 1, MAX_POLY_ORDER)
                if f"{p}|poly" not in ctx.stateful:  # training data (not predict's grid)
                    _check_order(ctx, k_expr, "poly", k, x[ctx.records.row])
            M = _stateful_poly(ctx, f"{p}|poly", x, k)[ctx.records.row]
            labels = tuple(f"{p}{j}" for j in range(1, k + 1))
            return Block(sp.csr_matrix(M), labels, str(p), str(p), False)
        if p.func == "scale":
            x = numeric_value(p.args[0].value, ctx.frame, ctx.text, ctx.formula)
            key = f"{p}|scale"
            if key not in ctx.stateful:  # training mean and sd, reused on new data
                ctx.stateful[key] = (np.nanmean(x), np.nanstd(x, ddof=1))
            mean, sd = ctx.stateful[key]
            z = (x - mean) / sd
            return Block(sp.csr_matrix(z[ctx.records.row].reshape(-1, 1)), (str(p),), str(p),
                         str(p), False)
        if p.func in _R_TRANSFORMS:
            return covariate_block(ctx, p)
        if p.func in FORMULAIC_FUNCS:
            return formulaic_block(ctx, p, contrast)
        if p.func == "mv":
            raise ctx.error(p, "mv is not needed", "missing responses are handled automatically")
        raise ctx.error(p, f"{p.func}() cannot be used in the fixed formula")
    if isinstance(p, Name):
        if is_factor_expr(ctx, p):
            b = factor_block(ctx, p)
            return _contrast(b) if contrast and b.name not in ctx.full_coded else b
        return covariate_block(ctx, p)
    return covariate_block(ctx, p)


def _poly_state(x: np.ndarray, k: int) -> dict[str, np.ndarray]:
    """R's ``poly(x, k)$coefs`` (alpha, norm2) of the training x, and x itself."""
    alpha = np.zeros(k)
    norm2 = np.zeros(k + 2)
    norm2[0] = 1.0
    p_prev, p_cur = np.zeros_like(x), np.ones_like(x)
    for j in range(k + 1):
        norm2[j + 1] = p_cur @ p_cur
        if j == k:
            break
        alpha[j] = (x * p_cur) @ p_cur / norm2[j + 1]
        beta = norm2[j + 1] / norm2[j] if j > 0 else 0.0
        p_prev, p_cur = p_cur, (x - alpha[j]) * p_cur - beta * p_prev
    return {"x": x.copy(), "alpha": alpha, "norm2": norm2}


def _poly_predict(x: np.ndarray, st: dict[str, np.ndarray]) -> np.ndarray:
    """R's ``predict(poly(...), x)``: the training orthonormal polynomials at new x."""
    alpha, norm2 = st["alpha"], st["norm2"]
    k = alpha.size
    Z = np.ones((x.size, k + 1))
    Z[:, 1] = x - alpha[0]
    for i in range(1, k):
        Z[:, i + 1] = (x - alpha[i]) * Z[:, i] - norm2[i + 1] / norm2[i] * Z[:, i - 1]
    return (Z / np.sqrt(norm2[1:]))[:, 1:]


def _stateful_poly(ctx: Context, key: str, x: np.ndarray, k: int) -> np.ndarray:
    """orthopoly(x, k) on the training x; on other x the training basis (state in ctx)."""
    st = ctx.stateful.get(key)
    if st is None:
        M = orthopoly(x, k)
        ctx.stateful[key] = _poly_state(x, k)
        return M
    if st["x"].shape == x.shape and np.array_equal(st["x"], x, equal_nan=True):
        return orthopoly(x, k)
    return _poly_predict(x, st)


def _is_factor_part(ctx: Context, p: Expr) -> bool:
    """True when a fixed part is coded as a factor (its levels, not its values, matter)."""
    if isinstance(p, Paren):
        return _is_factor_part(ctx, p.expr)
    if isinstance(p, Call):
        return p.func in ("at", "C") + FACTOR_FUNCS
    return isinstance(p, Name) and is_factor_expr(ctx, p)


def _contrast(b: Block) -> Block:
    """Treatment contrasts: drop the first level's column."""
    return Block(b.mat[:, 1:], b.labels[1:], b.name, b.label, True)


def at_levels(ctx: Context, call: Call) -> tuple[Block, list[int]]:
    """The factor of ``at(f, levels)`` and the selected level indices (all if none given)."""
    pos = call.positional()
    if not pos:
        raise ctx.error(call, "at() needs a factor: at(f) or at(f, levels)")
    base = factor_block(ctx, pos[0])
    if len(pos) < 2:
        return base, list(range(base.k))
    want = literal(ctx, pos[1])
    want = want if isinstance(want, list) else [want]
    idx = []
    for w in want:
        if isinstance(w, str):
            if w not in base.labels:
                raise ctx.error(pos[1], f"level '{w}' is not a level of {pos[0]}",
                                "levels are: " + ", ".join(base.labels[:10]))
            idx.append(base.labels.index(w))
        else:  # a number: the level's position (1-based), as ASReml
            if isinstance(w, bool) or not isinstance(w, (int, float, np.number)) \
                    or not np.isfinite(w):
                raise ctx.error(pos[1], f"at(): {w!r} is not a level of {pos[0]}",
                                "give levels by name or 1-based position: at(f, 'A'), at(f, 2)")
            i = int(w)
            if str(w) in base.labels or _num(w) in base.labels:
                idx.append(base.labels.index(str(w) if str(w) in base.labels else _num(w)))
            elif 1 <= i <= base.k:
                idx.append(i - 1)
            else:
                raise ctx.error(pos[1], f"{pos[0]} has no level {_num(w)}",
                                f"a number is a level's label or its 1-based position "
                                f"(1 to {base.k}); levels are: " + ", ".join(base.labels[:10]))
    return base, idx


def _num(w: object) -> str:
    f = float(w)  # type: ignore[arg-type]
    return str(int(f)) if f.is_integer() else repr(f)


def at_block(ctx: Context, call: Call) -> Block:
    """``at(f, levels)`` in a fixed term: indicator columns of the selected levels."""
    base, idx = at_levels(ctx, call)
    f = str(call.positional()[0])
    labels = tuple(at_label(f, base.labels[i]) for i in idx)
    return Block(base.mat[:, idx], labels, f, str(call), True)


@dataclass
class FixedColumns:
    """All candidate columns of X (before aliasing) with their names and owning term
    (``X``: an ndarray, or scipy.sparse CSC when asked for)."""

    X: np.ndarray | sp.csc_matrix
    names: list[str]
    owner: list[int]
    terms: list[FixedTerm]
    intercept: bool


def fixed_columns(ctx: Context, terms: TermList, multivariate: bool,
                  extra_terms: tuple[Term, ...] = (), sparse: bool = False) -> FixedColumns:
    """Every column of X for ``terms`` (plus sparse-formula ``extra_terms``), none dropped;
    ``sparse``: X as scipy.sparse CSC (never densified), else an ndarray."""
    # a sparse-formula term that is also in the fixed formula (or twice in sparse) is
    # fitted once, as asreml does (sparse= only says where a fixed term is solved)
    seen = {frozenset(map(str, t.parts)) for t in terms.terms}
    extra = []
    for t in extra_terms:
        k = frozenset(map(str, t.parts))
        if k not in seen:
            seen.add(k)
            extra.append(t)

    def levels(call: Call) -> tuple[tuple[str, ...], list[int]]:
        base, idx = at_levels(ctx, call)
        return base.labels, idx

    split = [s for t in list(terms.terms) + extra for s in split_at_term(t, levels)]
    all_terms, ands = split_and_terms(ctx, split)  # and(f) joins the term before it
    keys = {frozenset(part_key(p) for p in t.parts) for t in all_terms}
    has_trait = frozenset({"trait"}) in keys
    intercept = terms.intercept and not (multivariate and has_trait)
    if intercept:
        keys.add(frozenset())
    n = ctx.records.n
    cols: list[sp.spmatrix] = []
    names: list[str] = []
    owner: list[int] = []
    fterms: list[FixedTerm] = []
    if intercept:
        fterms.append(FixedTerm("(Intercept)", ()))
        cols.append(sp.csc_matrix(np.ones((n, 1))))
        names.append("(Intercept)")
        owner.append(0)
    parts: list[list[Block]] = []
    # R's rule (model.matrix): a factor is coded by contrasts when the term without it comes
    # earlier in the formula (the intercept first); with terms by degree that is "is in the
    # model", with keep_order it is not (y ~ at(E):r + E codes r by full indicators)
    before = {frozenset()} if intercept else set()
    if multivariate and has_trait:
        before.add(frozenset({"trait"}))
    before |= {frozenset(part_key(p) for p in t.parts) for t in extra_terms}  # as before
    for ti_, t in enumerate(all_terms):  # the parts first (cheap), to size the design
        key = [part_key(p) for p in t.parts]
        blocks = []
        for i, p in enumerate(t.parts):
            rest = frozenset(key[:i] + key[i + 1:])
            if ti_ in ands:  # the full indicators, overlaid, then coded as a factor
                b = overlay_fixed(ctx, fixed_part(ctx, p, contrast=False), p, ands[ti_])
                blocks.append(_contrast(b) if rest in before and b.name not in
                              ctx.full_coded else b)
                continue
            blocks.append(fixed_part(ctx, p, contrast=rest in before))
        parts.append(blocks)
        before.add(frozenset(key))
    check_fixed_size(n, [("(Intercept)", 1)] * intercept + [
        (str(t), term_columns([b.k for b in bl])) for t, bl in zip(all_terms, parts)],
        nnz=n * intercept + sum(_term_nnz(bl) for bl in parts),
        numeric_like=[b.name for bl in parts for b in bl
                      if b.is_factor and numeric_looking(b.name, b.labels)])
    for tj, (t, blocks) in enumerate(zip(all_terms, parts)):
        M = khatri_rao(blocks)
        if not np.all(np.isfinite(M.data)):
            check_finite(ctx, t.parts[0], M.toarray(), f"the fixed term {t}")
        _check_scale(ctx, t, M)
        labels = combine_labels(blocks) if len(blocks) > 1 else list(blocks[0].labels)
        if len(blocks) == 1 and blocks[0].is_factor and _at_call_part(t.parts[0]) is None:
            labels = [f"{t}_{lv}" for lv in blocks[0].labels]
        elif len(blocks) > 1:
            labels = [_interaction_label(blocks, lab) for lab in labels]
        ti = len(fterms)
        facs = tuple(f for p in t.parts for f in part_factors(p)) + and_factors(
            ands.get(tj, []))
        fparts = tuple(f for p in t.parts if _is_factor_part(ctx, p) for f in part_factors(p)
                       ) + and_factors(ands.get(tj, []))
        fterms.append(FixedTerm(str(t), facs, all_columns=labels, factor_parts=fparts,
                                name=at_name_of(t, levels)))
        cols.append(sp.csc_matrix(M))
        names.extend(labels)
        owner.extend([ti] * M.shape[1])
    X = sp.hstack(cols, format="csc") if cols else sp.csc_matrix((n, 0))
    return FixedColumns(X if sparse else X.toarray(), names, owner, fterms, intercept)


def _at_call_part(p: Expr) -> Call | None:
    """The at() call of a part (brackets opened), or None."""
    while isinstance(p, Paren):
        p = p.expr
    return p if isinstance(p, Call) and p.func == "at" else None


def _term_nnz(blocks: list[Block]) -> int:
    """Non-zeros of a term's columns: per record, the product of its parts' non-zeros."""
    per_row = np.ones(0)
    for b in blocks:
        counts = np.diff(sp.csr_matrix(b.mat).indptr).astype(np.float64)
        per_row = counts if per_row.size == 0 else per_row * counts
    return int(per_row.sum())


#: a fixed column whose largest |value| is above this (or non-zero below its inverse)
#: over- or underflows in X'X
MAX_COLUMN_SCALE = 1e150


def _check_scale(ctx: Context, t: Term, M: sp.csr_matrix) -> None:
    """A FormulaError at the term when a column's values over- or underflow in X'X."""
    a = np.abs(M.data)
    a = a[a > 0]
    if a.size == 0 or (a.max() <= MAX_COLUMN_SCALE and a.min() >= 1 / MAX_COLUMN_SCALE):
        return
    top = np.asarray(abs(M).max(axis=0).todense()).ravel()
    bad = (top > MAX_COLUMN_SCALE) | ((top > 0) & (top < 1 / MAX_COLUMN_SCALE))
    if bad.any():
        size = "large" if top[bad][0] > 1 else "small"
        raise ctx.error(t.parts[0], f"the fixed term {t} is too {size} for double precision: "
                        f"its values reach {top[bad][0]:g}",
                        "rescale the covariate (e.g. I(x / 1e6)); the estimates scale back")


def build_fixed(ctx: Context, terms: TermList, multivariate: bool,
                extra_terms: tuple[Term, ...] = ()) -> FixedDesign:
    """Build X for ``terms``, dropping aliased columns in order (see module docstring)."""
    fc = fixed_columns(ctx, terms, multivariate, extra_terms, sparse=True)
    keep = independent_columns(fc.X)
    aliased = [nm for nm, k in zip(fc.names, keep) if not k]
    kept_idx = np.nonzero(keep)[0]
    for new, old in enumerate(kept_idx):
        fc.terms[fc.owner[old]].columns.append(new)
    X = fc.X[:, kept_idx]
    sparse = prefer_sparse_x(X)
    design = FixedDesign(X.tocsc() if sparse else X.toarray(), [fc.names[i] for i in kept_idx],
                         fc.terms, aliased, fc.intercept)
    design.all_names = list(fc.names)
    design.all_X = (fc.X if sparse else fc.X.toarray()) if aliased else None
    return design


def _null_basis(X: np.ndarray) -> np.ndarray:
    """Orthonormal basis of the null space of X (estimability checks in predict)."""
    _, s, vt = np.linalg.svd(X, full_matrices=False)  # thin: O(n p min(n, p))
    tol = s.max() * max(X.shape) * 1e-10 if s.size else 0.0
    rank = int((s > tol).sum())
    if rank == 0:
        return np.eye(X.shape[1])
    # the complement of the row space, from a complete QR of its basis: O(p² rank), not the
    # O(p³) of a full SVD (a 72 x 1001 design: 7 s -> 0.05 s)
    q, _ = np.linalg.qr(vt[:rank].T, mode="complete")
    return q[:, rank:]


def _interaction_label(blocks: list[Block], lab: str) -> str:
    parts = lab.split(":")
    out = []
    for b, v in zip(blocks, parts):
        out.append(f"{b.name}_{v}" if b.is_factor and not v.startswith("at(") else v)
    return ":".join(out)


#: columns handled together by :func:`independent_columns` (one triangular solve with this
#: many right-hand sides, BLAS 3, instead of one solve per column)
ALIAS_BLOCK = 256


def independent_columns(X: np.ndarray | sp.spmatrix, tol: float = 1e-9,
                        block: int = ALIAS_BLOCK) -> np.ndarray:
    """Flags of the columns kept when dropping, in order, each column dependent on earlier ones.

    Sequential Gram-Schmidt on X'X through an incremental Cholesky factor: column j is aliased
    when its squared residual after projection on the kept columns is < tol x its squared norm
    (its centred norm, with an intercept first and a covariate far from 0:
    :mod:`asr_py.model.alias_origin`).
    Columns are taken ``block`` at a time: the block's Schur complement against the columns
    kept before it comes from one triangular solve with ``block`` right-hand sides, and the
    sequential rule runs inside the block on that complement (the same residuals, in the same
    order; a 3 212-column design: 45 s -> about 1 s). ``X`` may be dense or scipy.sparse; a
    large sparse X goes through its null space instead
    (:func:`asr_py.model.alias_sparse.aliased_by_null_space`, the same columns).
    """
    p = X.shape[1]
    keep = np.zeros(p, dtype=bool)
    if p == 0:
        return keep
    from scipy.linalg import solve_triangular

    X = origin_free(X)  # s34user: a covariate far from 0 (5e6 ± 100) is not the intercept
    if sp.issparse(X) and prefer_sparse_x(X):  # thousands of factor columns: no p x p factor
        quick = aliased_by_null_space(X, tol)
        if quick is not None:
            return quick
    if sp.issparse(X):
        xs = sp.csc_matrix(X, dtype=float)
        G = (xs.T @ xs).tocsc()
        diag = G.diagonal()
    else:
        Xd = np.asarray(X, dtype=float)
        G = Xd.T @ Xd
        diag = np.diag(G).copy()
    L = np.zeros((min(p, 64), min(p, 64)))  # the kept columns' factor, grown as needed
    kept: list[int] = []
    for start in range(0, p, block):
        cols = np.arange(start, min(p, start + block))
        gb = G[:, cols].toarray() if sp.issparse(G) else G[:, cols]
        m0 = len(kept)
        if m0:
            V = solve_triangular(L[:m0, :m0], gb[kept], lower=True, check_finite=False)
            S = gb[cols] - V.T @ V
        else:
            V = np.zeros((0, cols.size))
            S = np.array(gb[cols], dtype=float)
        local: list[int] = []  # positions in the block of its kept columns
        Lb = np.zeros((cols.size, cols.size))
        for i, j in enumerate(cols):
            d = diag[j]
            if d <= 0:
                continue
            if local:
                w = solve_lower(Lb[: len(local), : len(local)], S[local, i])
                r = S[i, i] - w @ w
            else:
                w = np.empty(0)
                r = S[i, i]
            if r > tol * d:
                k = len(local)
                Lb[k, :k] = w
                Lb[k, k] = np.sqrt(r)
                local.append(i)
                keep[j] = True
        if local:  # the block's kept rows of the whole factor: [V' | Lb]
            m1 = m0 + len(local)
            if m1 > L.shape[0]:
                size = min(p, max(m1, 2 * L.shape[0]))
                grown = np.zeros((size, size))
                grown[:m0, :m0] = L[:m0, :m0]
                L = grown
            L[m0:m1, :m0] = V[:, local].T
            L[m0:m1, m0:m1] = Lb[: len(local), : len(local)]
            kept.extend(int(c) for c in cols[local])
    return keep


def solve_lower(L: np.ndarray, b: np.ndarray) -> np.ndarray:
    """x = L⁻¹b for a non-singular lower-triangular L: LAPACK's trtrs called exactly as
    ``scipy.linalg.solve_triangular(L, b, lower=True, check_finite=False)`` calls it (the
    same digits), without that wrapper's validation and batching, which cost more than the
    solve for the small systems :func:`independent_columns` solves once per column."""
    if L.dtype != np.float64 or b.dtype != np.float64 or L.ndim != 2 or b.size == 0:
        from scipy.linalg import solve_triangular

        return solve_triangular(L, b, lower=True, check_finite=False)
    if L.flags.f_contiguous:
        x, info = _dtrtrs(L, b, lower=1, trans=0)
    else:  # trtrs expects Fortran order: solve the transposed system, as scipy does
        x, info = _dtrtrs(L.T, b, lower=0, trans=1)
    if info > 0:
        raise np.linalg.LinAlgError(f"singular matrix: resolution failed at diagonal {info - 1}")
    if info < 0:
        raise ValueError(f"illegal value in the {-info}-th argument of trtrs")
    return x


def factor_levels_used(frame: pd.DataFrame, name: str) -> tuple[str, ...]:
    """Levels of a data column (R order)."""
    return level_labels(frame[name])


__all__ = ["FixedDesign", "FixedTerm", "build_fixed", "independent_columns", "indicator",
           "solve_lower"]
