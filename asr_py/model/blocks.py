"""Evaluate one ``:``-separated part of a term on the records: a *block*.

A block is an ``n_records x k`` sparse matrix with column labels (indicators of a factor's
levels, a covariate, a polynomial basis), the name used in parameter names, and, in random
and residual terms, the variance structure the user put on it. A term's design matrix is the
row-wise Kronecker (Khatri-Rao) product of its blocks, first block outermost, which matches
the Kronecker order of the covariance templates G = Σ_1 ⊗ Σ_2 ⊗ ....
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from asr_py.errors import DataError, FormulaError, MatrixError
from asr_py.formula.ast import Arg, BinOp, Bool, Call, Expr, Name, Number, Paren, String
from asr_py.formula.functions import ALTERNATIVES, is_variance_structure, variance_base
from asr_py.model.asreml_pol import PolBasis
from asr_py.model.data import (
    as_labels,
    column,
    is_factor_column,
    level_labels,
    make_factor,
    numeric_value,
)
from asr_py.model.records import Records
from asr_py.model.trait_factor import TRAIT, is_response_trait
from asr_py.model.unit_labels import UnitLabels
from asr_py.vcov.base import CovTemplate

#: functions whose first argument is a factor with a variance structure on it
KNOWN_MATRIX_FUNCS = ("vm", "ide", "ped", "giv")
FACTOR_FUNCS = ("fac", "factor", "as.factor", "dev")
BASIS_FUNCS = ("pol", "leg", "lin", "spl")


@dataclass
class Block:
    """One evaluated part of a term."""

    mat: sp.csr_matrix  # CSC once a one-part random term shares it as its Z
    labels: tuple[str, ...]
    name: str
    label: str
    is_factor: bool
    template: CovTemplate | None = None
    known: bool = False
    structure: str | None = None
    init: np.ndarray | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def k(self) -> int:
        return len(self.labels)


@dataclass
class Context:
    """What evaluating a part needs: the records, matrices passed by the user, options."""

    records: Records
    matrices: dict[str, Any]
    factors: frozenset[str] = frozenset()
    text: str = ""
    formula: str = "fixed"
    pedigree: Any = None
    group: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    #: log|K| of known matrices by id(matrix), when the user's object carries it
    logdets: dict[int, float] = field(default_factory=dict)
    #: factor levels by column name: recorded when compiling, reused to re-materialise
    levels: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: fitted state of stateful parts (formulaic ModelSpecs) by part text: recorded when
    #: compiling, reused to re-materialise on new data (asr_py.model.formulaic_parts)
    stateful: dict[str, Any] = field(default_factory=dict)
    #: known-matrix templates by call text (vm(id, K) names one matrix of ``matrices``): one
    #: per matrix, shared by the terms at(f):vm(id, K) makes, so that its rank and
    #: eigendecomposition are computed once
    known: dict[str, Any] = field(default_factory=dict)
    #: factors whose missing values are included (na_action x='include': those records get
    #: empty design rows); coded with every level, never treatment contrasts, so that the
    #: missing records form a class of their own (asr_py.model.na_include)
    full_coded: frozenset[str] = frozenset()
    #: knot points of spl(x) by covariate name (asreml's knot.points; asr_py.model.splines)
    knot_points: dict[str, Any] = field(default_factory=dict)
    #: per-record level codes of factor columns coded so far: name -> (records, levels,
    #: codes), valid while ``records`` is this context's (a context made by replace() for
    #: other records, e.g. a predict grid's, starts empty); a column named in several terms
    #: (Site in the fixed, random and residual formulas) is coded once
    factor_codes: dict[str, tuple[Records, tuple[str, ...], np.ndarray]] = field(
        default_factory=dict, init=False, repr=False, compare=False)

    @property
    def frame(self) -> pd.DataFrame:
        return self.records.frame

    def error(self, node: Expr | Arg, msg: str, hint: str | None = None) -> FormulaError:
        return FormulaError.at(msg, node.span, text=self.text, formula=self.formula, hint=hint)

    def record_values(self, name: Name) -> pd.Series:
        """A data column's values for each record."""
        col = column(self.frame, name.name, name, self.text, self.formula)
        return col.iloc[self.records.row]


# ---------------------------------------------------------------------------------------------
# elementary blocks
# ---------------------------------------------------------------------------------------------


def indicator(codes: np.ndarray, k: int) -> sp.csr_matrix:
    """n x k indicator matrix of integer codes (code −1 gives an empty row), built in CSR
    form directly (at most one entry per row: row pointers are the running count of coded
    records), the arrays a COO-to-CSR conversion gives."""
    n = codes.size
    ok = codes >= 0
    idx = np.int32 if max(n, k) < np.iinfo(np.int32).max else np.int64
    indptr = np.zeros(n + 1, dtype=idx)
    np.cumsum(ok, out=indptr[1:])
    return sp.csr_matrix((np.ones(int(indptr[-1])), codes[ok].astype(idx), indptr),
                         shape=(n, k))


def require_covariate(ctx: Context, call: Call, arg: Expr) -> None:
    """``dev(x)`` takes the spline's numeric covariate; asreml refuses a factor (an R
    factor: a pandas categorical column), even one whose labels are numbers (asremlPlus's
    test41Orange.r: "cannot have a factor in dev"). ``spl()`` of a factor is accepted, as
    asreml does (test3REMLRTIC.r fits ``spl(Col)`` with ``Col`` a factor): its numeric
    labels are the covariate."""
    if isinstance(arg, Name) and arg.name in ctx.frame.columns and \
            isinstance(ctx.frame[arg.name].dtype, pd.CategoricalDtype):
        raise ctx.error(arg, f"{call.func}(): '{arg.name}' is a factor; {call.func}() needs "
                        "the spline's numeric covariate",
                        f"give the numeric column (e.g. {call.func}(x)), or convert it: "
                        f"d['{arg.name}'] = d['{arg.name}'].astype(str).astype(float)")


def factor_block(ctx: Context, expr: Expr, name: str | None = None) -> Block:
    """A factor part: ``Block``, ``trait``, ``units``, ``fac(x)``."""
    rec = ctx.records
    if isinstance(expr, Name) and is_response_trait(expr.name, rec):
        return Block(indicator(rec.trait, len(rec.traits)), rec.traits, TRAIT, TRAIT, True)
    if isinstance(expr, Name) and expr.name == "units" and rec.unit is not None:
        # asmv: the long data's units, several rows each (asr_py.model.asmv)
        return Block(indicator(rec.unit, rec.n_units), UnitLabels(rec.n_units), "units",
                     "units", True)
    if isinstance(expr, Name) and expr.name == "units":
        nrow = len(rec.frame)
        # '1'..'n' made on demand: n strings are 60 MB at 10^6 records (issue 16, memory)
        return Block(indicator(rec.row, nrow), UnitLabels(nrow), "units", "units", True)
    if isinstance(expr, Call) and expr.func == "fac" and len(expr.positional()) == 2:
        from asr_py.model.coordinates import pair_factor_block

        return pair_factor_block(ctx, expr)  # fac(x, y): the distinct (x, y) pairs
    if isinstance(expr, Call) and expr.func in FACTOR_FUNCS and expr.args:
        if expr.func == "dev":
            require_covariate(ctx, expr, expr.args[0].value)
        b = factor_block(ctx, expr.args[0].value)
        b.label = str(expr) if expr.func == "dev" else b.label
        return b
    if isinstance(expr, Paren):
        return factor_block(ctx, expr.expr, name)
    if not isinstance(expr, Name):
        raise ctx.error(expr, f"'{expr}' is not a factor", "give a data column name")
    levels = ctx.levels.get(expr.name)
    seen = ctx.factor_codes.get(expr.name)
    if seen is not None and seen[0] is rec and levels is not None and seen[1] == levels:
        codes = seen[2]
    else:
        vals = ctx.record_values(expr)
        if levels is None:
            levels = level_labels(vals)
            ctx.levels[expr.name] = levels
        # codes through the distinct values (no per-record label objects: issue 16, memory)
        codes = make_factor(vals, levels).codes
        codes.flags.writeable = False  # shared by the blocks of every term naming it
        ctx.factor_codes[expr.name] = (rec, levels, codes)
    return Block(indicator(codes, len(levels)), levels, expr.name, expr.name, True)


def covariate_block(ctx: Context, expr: Expr) -> Block:
    """A numeric covariate part (column or arithmetic expression)."""
    full = numeric_value(expr, ctx.frame, ctx.text, ctx.formula)
    vals = full[ctx.records.row]
    check_finite(ctx, expr, vals)
    top = float(np.max(np.abs(vals))) if vals.size else 0.0
    if top > 1e150 or 0 < top < 1e-150:
        raise ctx.error(expr, f"{expr} is too {'large' if top > 1 else 'small'} for double "
                        f"precision: its values reach {top:g}",
                        "rescale the covariate (e.g. I(x / 1e6)); the estimates scale back")
    label = expr.name if isinstance(expr, Name) else str(expr)
    return Block(sp.csr_matrix(vals.reshape(-1, 1)), (label,), label, label, False)


def check_finite(ctx: Context, expr: Expr | Arg, vals: np.ndarray, what: str = "") -> None:
    """A FormulaError at ``expr`` when a covariate (or basis) has infinite or NaN values on
    the records: missing data values are dropped before, so these come from a transform
    (log of a negative number, 1/0, x^1000) or infinite values in the data."""
    bad = ~np.isfinite(vals)
    if not bad.any():
        return
    rows = np.unique(np.nonzero(bad)[0] if bad.ndim == 1 else np.nonzero(bad.any(axis=1))[0])
    labels = [str(x) for x in ctx.frame.index[ctx.records.row[rows[:5]]]]
    value = vals[bad][0]
    cause = ("NaN: a transform outside its domain, e.g. log or sqrt of a negative number"
             if np.isnan(value) else "infinite: 1/0, log(0), an overflow or inf in the data")
    recs = f"{rows.size} record" + ("s" if rows.size > 1 else "")
    where = f"data index {', '.join(labels)}{' ...' if rows.size > 5 else ''}"
    raise ctx.error(expr, f"{what or expr} has non-finite values on {recs} ({where}): {cause}",
                    "fix or drop those rows (missing values, NA, are dropped automatically)")


def is_factor_expr(ctx: Context, expr: Expr) -> bool:
    """Factor by R's rules (column dtype, ``factors=``, fac()/factor())."""
    if isinstance(expr, Paren):
        return is_factor_expr(ctx, expr.expr)
    if isinstance(expr, Name):
        if expr.name == "units" or is_response_trait(expr.name, ctx.records):
            return True
        if expr.name in ctx.factors:
            return True
        col = column(ctx.frame, expr.name, expr, ctx.text, ctx.formula)
        return is_factor_column(col)
    if isinstance(expr, Call):
        return expr.func in FACTOR_FUNCS
    return False


def khatri_rao(blocks: list[Block]) -> sp.csr_matrix:
    """Row-wise Kronecker product of the blocks' matrices, first block outermost.

    Row r of the result is kron(A[r], B[r]); built directly from the CSR index arrays in
    O(nnz) time and memory (column a·k_B + b, value A[r,a]·B[r,b]).
    """
    out = blocks[0].mat.tocsr()
    for b in blocks[1:]:
        out = _kr2(out, b.mat.tocsr())
    out.eliminate_zeros()
    return out


def _kr2(A: sp.csr_matrix, B: sp.csr_matrix) -> sp.csr_matrix:
    n = A.shape[0]
    kb = B.shape[1]
    a_cnt = np.diff(A.indptr)
    b_cnt = np.diff(B.indptr)
    row_a = np.repeat(np.arange(n), a_cnt)
    reps = b_cnt[row_a]
    total = int(reps.sum())
    idx_a = np.repeat(np.arange(A.indices.size), reps)
    grp_start = np.repeat(np.cumsum(reps) - reps, reps)
    within = np.arange(total) - grp_start
    idx_b = np.repeat(B.indptr[:-1][row_a], reps) + within
    cols = A.indices[idx_a].astype(np.int64) * kb + B.indices[idx_b]
    data = A.data[idx_a] * B.data[idx_b]
    indptr = np.concatenate([[0], np.cumsum(a_cnt * b_cnt)])
    return sp.csr_matrix((data, cols, indptr), shape=(n, A.shape[1] * kb))


def combine_labels(blocks: list[Block]) -> list[str]:
    """Column labels of a Khatri-Rao product: 'a1:b1', 'a1:b2', ..."""
    labels = [""]
    for b in blocks:
        labels = [f"{x}:{y}" if x else y for x in labels for y in b.labels]
    return labels


# ---------------------------------------------------------------------------------------------
# polynomial bases
# ---------------------------------------------------------------------------------------------


def orthopoly(x: np.ndarray, degree: int) -> np.ndarray:
    """R's ``poly(x, degree)``: orthonormal polynomial columns of degree 1..degree."""
    xc = x - x.mean()
    uniq = np.unique(x)
    if degree >= uniq.size:
        raise DataError(f"pol()/poly(): degree {degree} needs at least {degree + 1} distinct "
                        f"values, the covariate has {uniq.size}")
    V = np.vander(xc, degree + 1, increasing=True)
    Q, R = np.linalg.qr(V)
    Z = Q * np.diag(R)
    norm2 = (Z**2).sum(axis=0)
    return (Z / np.sqrt(norm2))[:, 1:]


def legendre(x: np.ndarray, order: int,
             span: tuple[float, float] | None = None) -> np.ndarray:
    """Normalised Legendre polynomials of order 0..order on x rescaled to [−1, 1] (ASReml leg).

    Column j is sqrt((2j+1)/2) P_j(z), z = 2(x − lo)/(hi − lo) − 1 with (lo, hi) = ``span``
    (default: the range of x; pass the training range to evaluate at new x).
    """
    lo, hi = (np.nanmin(x), np.nanmax(x)) if span is None else span
    z = 2 * (x - lo) / (hi - lo) - 1 if hi > lo else np.zeros_like(x)
    cols = [np.ones_like(z), z]
    for j in range(2, order + 1):
        cols.append(((2 * j - 1) * z * cols[j - 1] - (j - 1) * cols[j - 2]) / j)
    out = np.column_stack(cols[: order + 1])
    return out * np.sqrt((2 * np.arange(order + 1) + 1) / 2)


def basis_block(ctx: Context, call: Call) -> Block:
    """``pol(x, k)``, ``leg(x, k)``, ``lin(x)``: covariate bases."""
    pos = call.positional()
    if not pos:
        raise ctx.error(call, f"{call.func}() needs a covariate")
    x_full = numeric_value(pos[0], ctx.frame, ctx.text, ctx.formula)
    x = x_full[ctx.records.row]
    check_finite(ctx, pos[0], x)
    xname = str(pos[0])
    if call.func == "lin":
        return Block(sp.csr_matrix(x.reshape(-1, 1)), (f"lin({xname})",), f"lin({xname})",
                     str(call), False)
    if call.func == "spl":
        raise ctx.error(call, f"spl() is a random term: the linear trend of {xname} is fixed "
                        "and the smooth deviation from it random",
                        f"write fixed = y ~ {xname} and random = ~ spl({xname})")
    k = 1
    if len(pos) > 1:
        k = whole_number(ctx, pos[1], f"the order of {call.func}()", -MAX_POLY_ORDER,
                         MAX_POLY_ORDER, f"{call.func}(x, k): polynomials of order 1..k "
                         "(k > 0 includes the intercept polynomial, k < 0 omits it)")
        key = f"{call}|{call.func}"
        if key not in ctx.stateful:  # training data (not predict's grid)
            _check_order(ctx, pos[1], call.func, abs(k), x)
    if call.func == "pol":
        # asreml: pol(x, t) has the intercept polynomial for t > 0 (t + 1 columns: pol(time, 2)
        # is 3), not for t < 0 (|t| columns); in a fixed formula with an intercept it is aliased
        with_int = k > 0
        k = abs(k)
        key = f"{call}|pol"  # the training basis, reused on new data (predict's grid)
        if key not in ctx.stateful:
            ctx.stateful[key] = PolBasis.fit(x_full, k)
        M = ctx.stateful[key](x_full)[ctx.records.row]
        # asreml's names: the call as R deparses it, then _order<j> (asreml 3's saved fit of
        # AaronRendahl/Jane-asreml-modeling: pol(time, -2)_order1, pol(time, 2)_order0)
        labels = [f"{_without_init(call)}_order{j}" for j in range(1, k + 1)]
        if with_int:
            M = np.column_stack([np.ones(x.size), M])
            labels = [f"{_without_init(call)}_order0"] + labels
    else:  # leg
        no_int = k < 0
        k = abs(k)
        key = f"{call}|leg"  # the training range, reused on new data (predict's grid)
        if key not in ctx.stateful:
            ctx.stateful[key] = (float(np.nanmin(x_full)), float(np.nanmax(x_full)))
        M = legendre(x_full, k, ctx.stateful[key])[ctx.records.row]
        labels = [f"{call.func}({xname}, {k})_{j}" for j in range(0, k + 1)]
        if no_int:
            M, labels = M[:, 1:], labels[1:]
    name = _without_init(call)
    return Block(sp.csr_matrix(M), tuple(labels), name, name, False,
                 extra=scale_init(ctx, call))


def _without_init(call: Call) -> str:
    """The call as written without its ``init =`` (term and component names, as a
    structure's init is not part of its name)."""
    return str(Call(call.func, tuple(a for a in call.args if a.name != "init")))


def scale_init(ctx: Context, call: Call) -> dict[str, Any]:
    """``init = v`` of a part without parameters of its own (vm, ide, ped, giv, pol, leg):
    the start value of the term's one variance σ² (its scale), as ``{'scale_init': (v,
    expression)}``; {} when not given or ``init = NA``."""
    e = call.named().get("init")
    if e is None or (isinstance(e, Name) and e.name == "NA"):
        return {}
    v = init_values(ctx, e)
    if v.size != 1:
        raise ctx.error(e, f"init for {call.func}() has {v.size} values, the term has one "
                        "variance to start", f"write {call.func}(..., init = 0.5)")
    return {"scale_init": (float(v[0]), str(call))}


def _number(ctx: Context, e: Expr) -> float:
    if isinstance(e, Number):
        return float(e.value)
    raise ctx.error(e, f"expected a number, got '{e}'")


def whole_number(ctx: Context, e: Expr, what: str, lo: int, hi: int,
                 hint: str | None = None) -> int:
    """The literal ``e`` as a whole number in [lo, hi], or a FormulaError at its position
    (what: e.g. 'the order of leg()')."""
    v = _number(ctx, e)
    if not np.isfinite(v) or v != int(v) or not lo <= v <= hi:
        raise ctx.error(e, f"{what} must be a whole number from {lo} to {hi}, not {e}", hint)
    return int(v)


#: |init| above this many times the response's variance is refused (it overflows the fit)
MAX_INIT_RATIO = 1e12


def init_values(ctx: Context, e: Expr) -> np.ndarray:
    """The ``init = ...`` values of a structure: finite numbers on the data's scale."""
    raw = literal(ctx, e)
    if isinstance(raw, pd.Series | np.ndarray | tuple):
        raw = list(np.asarray(raw, dtype=object).ravel())   # a vector passed by name
    vals = raw if isinstance(raw, list) else [raw]
    for v in vals:
        if isinstance(v, bool) or not isinstance(v, (int, float, np.number)) \
                or not np.isfinite(v):
            raise ctx.error(e, f"init values must be finite numbers, not {v!r}",
                            "e.g. init = 0.5 or init = c(1, 0.1, 1)")
    init = np.atleast_1d(np.asarray(vals, dtype=float))
    y = ctx.records.y
    scale = max(float(np.var(y)) if y.size > 1 else 0.0, 1.0)
    big = np.abs(init) > MAX_INIT_RATIO * scale
    if big.any():
        raise ctx.error(e, f"init value {init[big][0]:g} is far outside the data's scale "
                        f"(the response variance is {scale:.4g})",
                        "start values are variances on the response's scale")
    return init


def _check_order(ctx: Context, where: Expr, func: str, k: int, x: np.ndarray) -> None:
    """A polynomial of order k needs k + 1 distinct x values (else its columns are
    dependent)."""
    n_x = np.unique(x[np.isfinite(x)]).size
    if k >= max(n_x, 1):
        raise ctx.error(where, f"{func}() of order {k} needs at least {k + 1} distinct "
                        f"values of the covariate, it has {n_x}",
                        f"use an order below {max(n_x, 1)}")


def _rep(ctx: Context, e: Call) -> list[Any]:
    """R's ``rep(x, times = 1, each = 1, length.out = NA)`` of literals (asreml scripts write
    ``init = rep(0.5, 4)``): each element ``each`` times, then the whole ``times`` times (or
    element i ``times[i]`` times), then recycled or cut to ``length.out``."""
    pos = [a.value for a in e.args if a.name is None]
    named = {a.name: a.value for a in e.args if a.name is not None}
    bad = set(named) - {"x", "times", "each", "length.out", "len"}
    if bad or len(pos) > 2 or not (pos or "x" in named):
        raise ctx.error(e, f"cannot read the value '{e}'",
                        "write rep(x, times), rep(x, each = k) or rep(x, length.out = n)")
    x_e = named.get("x", pos[0] if pos else None)
    times_e = named.get("times", pos[1] if len(pos) > 1 and "x" not in named else
                        (pos[0] if pos and "x" in named else None))
    x = literal(ctx, x_e)
    x = x if isinstance(x, list) else [x]

    def count(a: Expr | None, default: int) -> Any:
        if a is None:
            return default
        v = literal(ctx, a)
        vs = v if isinstance(v, list) else [v]
        if not all(isinstance(t, (int, float)) and not isinstance(t, bool) and t >= 0
                   and float(t).is_integer() and t <= MAX_RANGE for t in vs):
            raise ctx.error(a, f"rep(): '{a}' must be a whole number from 0 to {MAX_RANGE}")
        return [int(t) for t in vs] if isinstance(v, list) else int(v)

    each = count(named.get("each"), 1)
    if isinstance(each, list):
        raise ctx.error(e, "rep(): each must be one number")
    out = [v for v in x for _ in range(each)]
    times = count(times_e, 1)
    if isinstance(times, list) and len(times) != 1:
        if len(times) != len(out):
            raise ctx.error(e, f"rep(): times has {len(times)} values for {len(out)} elements",
                            "give one number or one per element")
        out = [v for v, t in zip(out, times) for _ in range(t)]
    else:
        out = out * (times[0] if isinstance(times, list) else times)
    length = named.get("length.out", named.get("len"))
    if length is not None:
        n = count(length, 0)
        if isinstance(n, list) or not out:
            raise ctx.error(e, "rep(): length.out must be one number and x not empty")
        out = [out[i % len(out)] for i in range(n)]
    return out


def literal(ctx: Context, e: Expr) -> Any:
    """Evaluate an argument literal: numbers, strings, booleans, c()/list(), ranges a:b."""
    if isinstance(e, Number):
        return e.value
    if isinstance(e, String):
        return e.value
    if isinstance(e, Bool):
        return e.value
    if isinstance(e, Paren):
        return literal(ctx, e.expr)
    if isinstance(e, BinOp) and e.op == ":":
        a, b = literal(ctx, e.left), literal(ctx, e.right)
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and np.isfinite(v)
                   for v in (a, b)) or abs(b - a) > MAX_RANGE:
            raise ctx.error(e, f"the range {e} must run between two finite numbers at most "
                            f"{MAX_RANGE} apart", "e.g. at(Site, 1:3)")
        step = 1 if b >= a else -1
        return list(np.arange(a, b + step, step))
    if isinstance(e, Call) and e.func in ("c", "list"):
        out: list[Any] = []
        for a in e.args:
            v = literal(ctx, a.value)
            out.extend(v if isinstance(v, list) and e.func == "c" else [v])
        return out
    if isinstance(e, Call) and e.func == "rep":
        return _rep(ctx, e)
    if isinstance(e, Name):
        if e.name in ctx.matrices:
            return ctx.matrices[e.name]
        raise ctx.error(e, f"'{e.name}' is not given",
                        f"pass it as a keyword argument: asreml(..., {e.name}=...)")
    raise ctx.error(e, f"cannot read the value '{e}'")


# ---------------------------------------------------------------------------------------------
# known matrices: vm, ide, ped, giv
# ---------------------------------------------------------------------------------------------


def _sparse_form(obj: pd.DataFrame, where: Expr) -> tuple[Any, tuple[str, ...], bool]:
    """asreml's sparse form of a symmetric K or K⁻¹: columns row, column, value (1-based,
    one triangle) with the ids in ``attrs['rowNames']``; whether it is an inverse must be
    said (``attr(K, "INVERSE")``, kept as ``attrs['inverse']``)."""
    ids = tuple(str(i) for i in obj.attrs["rowNames"])
    if "inverse" not in obj.attrs:
        raise MatrixError(f"matrix '{where}' is in sparse form without the INVERSE attribute",
                          hint="say whether it is K or its inverse: "
                               "attr(K, 'INVERSE') <- FALSE (or TRUE)")
    try:
        r = obj.iloc[:, 0].to_numpy(dtype=np.int64) - 1
        c = obj.iloc[:, 1].to_numpy(dtype=np.int64) - 1
        v = obj.iloc[:, 2].to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise MatrixError(f"matrix '{where}' in sparse form must hold row and column "
                          "numbers and values") from None
    n = len(ids)
    if r.size and (min(r.min(), c.min()) < 0 or max(r.max(), c.max()) >= n):
        raise MatrixError(f"matrix '{where}' in sparse form refers to rows outside 1..{n} "
                          f"(its {n} rowNames)")
    if (r < c).any() and (r > c).any():
        raise MatrixError(f"matrix '{where}' in sparse form holds both triangles",
                          hint="the sparse form lists each pair once (the lower triangle)")
    off = r != c
    mat = sp.csc_matrix((np.concatenate([v, v[off]]), (np.concatenate([r, c[off]]),
                                                        np.concatenate([c, r[off]]))),
                        shape=(n, n))
    return mat, ids, bool(obj.attrs["inverse"])


def _matrix_with_ids(ctx: Context, obj: Any, where: Expr) -> tuple[Any, tuple[str, ...], bool]:
    """(matrix, ids, is_inverse) from a RelMatrix-like, DataFrame, or ndarray/sparse."""
    if hasattr(obj, "matrix") and hasattr(obj, "ids"):
        if getattr(obj, "logdet", None) is not None:
            ctx.logdets[id(obj.matrix)] = float(obj.logdet)
        return obj.matrix, tuple(str(i) for i in obj.ids), bool(getattr(obj, "inverse", False))
    if isinstance(obj, pd.DataFrame) and obj.shape[1] == 3 and "rowNames" in obj.attrs:
        return _sparse_form(obj, where)
    if isinstance(obj, pd.DataFrame):
        rows = tuple(str(i) for i in obj.index)
        cols = tuple(str(c) for c in obj.columns)
        if "id" in obj.columns and rows == tuple(str(i) for i in range(len(obj))):
            obj = obj.set_index("id")
            rows = tuple(str(i) for i in obj.index)
            cols = tuple(str(c) for c in obj.columns)
        _check_unique_ids(rows, cols, where)
        if rows != cols:
            if set(rows) == set(cols):
                obj = obj.loc[:, list(obj.index)]
            else:
                raise MatrixError(f"matrix '{where}': row ids and column ids differ",
                                  hint="give a square DataFrame with the same ids on both axes")
        nonnum = [str(c) for c in obj.columns if not pd.api.types.is_numeric_dtype(obj[c])
                  or pd.api.types.is_bool_dtype(obj[c])]
        if nonnum:
            raise MatrixError(f"matrix '{where}' has non-numeric columns: "
                              f"{', '.join(nonnum[:5])}{' ...' if len(nonnum) > 5 else ''}",
                              hint="a relationship matrix holds numbers (ids go in the index "
                                   "and column names); convert it with .astype(float)")
        mat = obj.to_numpy(dtype=float, na_value=np.nan)
        if not np.all(np.isfinite(mat)):
            raise MatrixError(f"matrix '{where}' has missing or infinite values",
                              hint="every entry of a relationship matrix must be a number")
        return mat, rows, bool(obj.attrs.get("inverse", False))
    if sp.issparse(obj) or isinstance(obj, np.ndarray):
        raise MatrixError(
            f"matrix '{where}' has no ids, so data levels cannot be matched to its rows",
            hint="pass a DataFrame with ids as index and columns, or an asr.RelMatrix "
                 "(asr.ainverse / asr.gmatrix give one)")
    raise MatrixError(f"'{where}' is not a matrix (got {type(obj).__name__})")


def _check_unique_ids(rows: tuple[str, ...], cols: tuple[str, ...], where: Expr) -> None:
    """A MatrixError naming the ids a DataFrame matrix lists twice on an axis (the rows of a
    data frame of records, a concatenation): which of its rows belongs to the id is unknown,
    so the data levels cannot be matched."""
    for axis, ids in (("row", rows), ("column", cols)):
        seen: dict[str, int] = {}
        dup: dict[str, list[int]] = {}
        for k, i in enumerate(ids):
            if i in seen:
                dup.setdefault(i, [seen[i]]).append(k)
            else:
                seen[i] = k
        if dup:
            shown = "; ".join(f"'{i}' at {axis}s {', '.join(map(str, ks[:4]))}"
                              for i, ks in list(dup.items())[:3])
            raise MatrixError(
                f"matrix '{where}' lists {len(dup)} {axis} id(s) more than once: {shown}"
                f"{' ...' if len(dup) > 3 else ''} ({len(rows)} x {len(cols)})",
                hint="each id must name one row and one column; if the copies are identical "
                     "keep one: K = K.loc[~K.index.duplicated(), ~K.columns.duplicated()]")


def _sing_g(ctx: Context, call: Call) -> str | None:
    """The ``singG = "PSD"`` option of vm() (named, or its third positional argument as in
    R's ``vm(obj, source, singG)``): None when absent; an error for another value."""
    pos = call.positional()
    val = call.named().get("singG", pos[2] if len(pos) > 2 else None)
    if val is None:
        return None
    if call.func != "vm":
        raise ctx.error(val, f"singG applies to vm(), not to {call.func}()")
    text = val.value if isinstance(val, String) else str(val)
    if text == "PSD":
        return "PSD"
    if text == "NSD":
        raise ctx.error(val, "singG = 'NSD' (an indefinite K) is not supported: K must be a "
                        "covariance matrix", "a singular relationship matrix is positive "
                        "semi-definite: write singG = 'PSD' (or leave it out)")
    raise ctx.error(val, f"singG = {str(val)} is not an option", "use singG = 'PSD' for a "
                    "singular (positive semi-definite) K")


def _vm_ids(ctx: Context, factor: str) -> tuple[str, ...] | None:
    """The ids of a vm(factor, K) term compiled before (None if there is none)."""
    for key, template in ctx.known.items():
        if key.startswith(f"vm({factor},"):
            return tuple(template.levels)
    return None


def _near_ids(missing: list[str], index: dict[str, int]) -> str:
    """'12 of them are ids once surrounding spaces are removed (...); ' when stripping (or
    ignoring case) matches them: data ids written with spaces, which a pedigree's are not."""
    stripped = sum(v.strip() in index for v in missing if v.strip() != v)
    if stripped:
        return (f"{stripped} of them are ids of the matrix once surrounding spaces are "
                f"removed (strip the column: df[col] = df[col].str.strip()); ")
    lower = {k.lower() for k in index}
    cased = sum(v.lower() in lower for v in missing)
    if cased:
        return f"{cased} of them are ids of the matrix in another letter case; "
    return ""


def _id_mismatch_hint(ids: tuple[str, ...], n_matched: int) -> str:
    """What to check when data levels are not ids of a known matrix: the matrix's own ids
    (a few), and when none match and they are row numbers, that it was built without ids."""
    shown = ", ".join(repr(v) for v in list(ids)[:3]) + (" ..." if len(ids) > 3 else "")
    hint = (f"every data id must be a row of the matrix; its {len(ids):,} ids are {shown} "
            "(check id spelling and type)")
    head = list(ids[:3])
    if n_matched == 0 and head and head in ([str(i) for i in range(k, k + len(head))]
                                            for k in (0, 1)):
        hint += ("; no data id matches and the matrix ids are row numbers, the default of a "
                 "matrix built without ids: give them (asr.gmatrix(markers, ids=...), a DataFrame "
                 "with an 'id' column or ids as index and columns)")
    return hint


def _source_matrix(ctx: Context, func: str, fac: Name, src: Expr) -> Any:
    """The matrix named by the second argument of vm(id, K) / ide(id, K) (a keyword of
    asreml()); an error with a caret when it is not a name or not given."""
    if isinstance(src, String) and src.value.isidentifier():
        raise ctx.error(src, f"{func}() takes the matrix by name, not as the string {src}",
                        f"write {func}({fac}, {src.value}) and pass "
                        f"asreml(..., {src.value}=the_matrix)")
    if not isinstance(src, Name) or not src.name.replace(".", "_").isidentifier():
        raise ctx.error(src, f"{func}(): '{src}' is not the name of a matrix",
                        f"write {func}({fac}, K) and pass asreml(..., K=the_matrix)")
    if src.name not in ctx.matrices:
        how = f"{src}=the_matrix" if src.name.isidentifier() else \
            f"**{{'{src}': the_matrix}} (an R name with a dot is not a Python keyword)"
        raise ctx.error(src, f"matrix '{src}' is not given",
                        f"pass it as a keyword argument: asreml(..., {how})")
    return ctx.matrices[src.name]


def known_block(ctx: Context, call: Call) -> Block:
    """vm(id, K), ide(id), ped(id), giv(id): the levels are the matrix ids (all of them)."""
    from asr_py.vcov.known import KnownMatrix

    pos = call.positional()
    if not pos or not isinstance(pos[0], Name):
        raise ctx.error(call, f"{call.func}() needs a factor (data column) as first argument")
    fac = pos[0]
    if call.func == "vm":
        if len(pos) < 2:
            raise ctx.error(call, "vm() needs a matrix: vm(id, K)")
        mat, ids, inv = _matrix_with_ids(ctx, _source_matrix(ctx, call.func, fac, pos[1]),
                                         pos[1])
    elif call.func == "ide" and len(pos) > 1:
        # ide(id, M): the identity over the ids of M (the matrix of the vm(id, M) beside it)
        ids = tuple(_matrix_with_ids(ctx, _source_matrix(ctx, call.func, fac, pos[1]),
                                     pos[1])[1])
        mat, inv = sp.identity(len(ids), format="csc"), False
    elif call.func == "ide" and ctx.pedigree is None:
        # asreml 4: ide(id) is the identity over the ids of the vm(id, K) term beside it;
        # asreml 3: over the ids of ginverse = list(id = M) (no ped(id) term needed)
        ids = _vm_ids(ctx, fac.name)
        giv = ctx.matrices.get("ginverse") or {}
        if ids is None and isinstance(giv, dict) and fac.name in giv:
            ids = tuple(_matrix_with_ids(ctx, giv[fac.name], fac)[1])
        if ids is None:
            raise ctx.error(call, f"ide({fac}) needs the ids of a vm({fac}, K) term or a "
                            "pedigree", f"write vm({fac}, K) before it: ~ vm({fac}, K) + "
                            f"ide({fac}), or pass asreml(..., pedigree=ped_dataframe) or "
                            f"ginverse={{'{fac}': Ginv}}")
        mat, inv = sp.identity(len(ids), format="csc"), False
    elif call.func in ("ped", "ide"):
        ped = ctx.pedigree
        if ped is None:
            raise ctx.error(call, f"{call.func}() needs a pedigree",
                            "pass asreml(..., pedigree=ped_dataframe) or use "
                            "vm(id, asr.ainverse(ped))")
        if call.func == "ped":
            mat, ids, inv = ped.matrix, tuple(map(str, ped.ids)), True
            if getattr(ped, "logdet", None) is not None:
                ctx.logdets[id(mat)] = float(ped.logdet)
        else:
            ids = tuple(map(str, ped.ids))
            mat, inv = sp.identity(len(ids), format="csc"), False
    else:  # giv
        src_name = fac.name
        cand = [k for k in ctx.matrices if k == src_name or k == f"{src_name}_giv"]
        giv = ctx.matrices.get("ginverse") or {}
        if fac.name in giv:
            obj = giv[fac.name]
        elif cand:
            obj = ctx.matrices[cand[0]]
        else:
            raise ctx.error(call, f"giv({fac.name}) needs a G-inverse",
                            f"pass ginverse={{'{fac.name}': Ginv}} (a DataFrame or RelMatrix)")
        mat, ids, inv = _matrix_with_ids(ctx, obj, fac)
        inv = True
    vals = ctx.record_values(fac)
    lab = as_labels(vals)
    index = {v: i for i, v in enumerate(ids)}
    codes = np.fromiter((index.get(v, -1) if v is not None else -1 for v in lab),
                        dtype=np.int64, count=lab.size)
    missing = sorted({v for v, c in zip(lab, codes) if c < 0 and v is not None})
    if missing:
        raise MatrixError(
            f"{len(missing)} levels of '{fac.name}' are not ids of the matrix in {call}: "
            + ", ".join(repr(v) for v in missing[:5]) + (" ..." if len(missing) > 5 else ""),
            hint=_near_ids(missing, index) + _id_mismatch_hint(
                tuple(ids), int(np.count_nonzero(codes >= 0))))
    sing_g = _sing_g(ctx, call)
    # log|K| known cheaply (a pedigree's Σ log D_ii) saves a sparse factorisation of A⁻¹,
    # which fills in badly for large random-mating pedigrees
    key = _without_init(call)      # init = v starts the variance: not part of the name
    template = ctx.known.get(key)
    if template is None:
        template = ctx.known[key] = KnownMatrix(mat, inverse=inv, levels=ids, name=str(call),
                                                logdet=ctx.logdets.get(id(mat)), sing_g=sing_g)
    label = key
    var = call.named().get("var")   # asreml 3's ped(id, var = T): a variance is estimated
    if var is not None and not (isinstance(var, (Name, Bool)) and str(var) in (
            "T", "TRUE", "True")):
        raise ctx.error(var, f"{call.func}(var = {var}) is not supported: the term always "
                        "has a variance estimated", f"leave var out; to hold the variance at "
                        f"a value write {call.func}({fac}, init = v) and fix it with params= "
                        "(constraint 'F')")
    return Block(indicator(codes, len(ids)), ids, fac.name, label, True, template=template,
                 known=True, structure=call.func, extra=scale_init(ctx, call))


# ---------------------------------------------------------------------------------------------
# variance-structure parts and the dispatcher
# ---------------------------------------------------------------------------------------------


def structure_block(ctx: Context, call: Call) -> Block:
    """``us(trait)``, ``diag(Env)``, ``ar1(Row)``, ``fa(Site, 2)``, ``us(2)``, ``us(leg(x, 2))``."""
    from asr_py.vcov.base import get_structure, structure_syntax

    syntax = structure_syntax(call.func)
    pos = call.positional()
    named = call.named()
    if not pos:
        raise ctx.error(call, f"{call.func}() needs a factor")
    inner = pos[0]
    coords = None
    if syntax is not None and syntax.coordinates:
        from asr_py.model.coordinates import check_coordinate_arguments, coordinate_block

        pos = check_coordinate_arguments(ctx, call, syntax)
    if syntax is not None and syntax.coordinates and (len(pos) > 1 or 1 not in
                                                      syntax.dimensions):
        base, coords = coordinate_block(ctx, call, pos)
    elif isinstance(inner, Number):
        k = whole_number(ctx, inner, f"the number of levels in {call.func}()", 1,
                         MAX_PLACEHOLDER_LEVELS,
                         f"{call.func}(k) stands for k levels (us(2) for two traits); for a "
                         f"factor write {call.func}(f)")
        nm = f"{call.func}({k})"
        base = Block(sp.csr_matrix((ctx.records.n, k)), tuple(str(i + 1) for i in range(k)),
                     nm, nm, True, extra={"placeholder": True})
    elif isinstance(inner, Call) and inner.func in BASIS_FUNCS:
        base = basis_block(ctx, inner)
    elif isinstance(inner, Call) and inner.func in KNOWN_MATRIX_FUNCS:
        raise ctx.error(call, f"{call.func}() cannot wrap {inner.func}()",
                        f"write {call.func}(...):{inner} as two parts")
    else:
        if isinstance(inner, Name) and inner.name != "units" and \
                not is_response_trait(inner.name, ctx.records):
            col = column(ctx.frame, inner.name, inner, ctx.text, ctx.formula)
            coordinates = syntax is not None and syntax.coordinates  # exp/gau: numeric wanted
            if not is_factor_column(col) and inner.name not in ctx.factors and not coordinates:
                ctx.warnings.append(f"numeric column '{inner.name}' used as a factor in {call}")
        base = factor_block(ctx, inner)
    if syntax is None:  # an ASReml name asr_py does not implement
        alt = ALTERNATIVES.get(variance_base(call.func)[0] if variance_base(call.func)
                               else call.func)
        raise ctx.error(call, f"variance structure '{call.func}' is not available in asr_py "
                        "(an ASReml structure it does not implement)",
                        (f"instead, e.g. {alt}; " if alt else "")
                        + "see asr_py.vcov.registered_names() for the structures supported")
    order = None
    k_expr = order_argument(call, syntax)
    if k_expr is not None:
        order = whole_number(ctx, k_expr, f"{call.func}(): the order", 1, max(base.k, 1))
    try:
        opts: dict[str, Any] = syntax.options(base.labels, order) if coords is None \
            else {"coords": coords}
    except ValueError:
        raise ctx.error(inner, f"{call.func}() needs numeric levels (distances)") from None
    own_init = None
    if call.func in ("mtrn", "mtrnv", "mtrnh"):
        from asr_py.model.matern_call import matern_arguments

        opts.update(matern_arguments(ctx, call))
    if call.func == "own":
        from asr_py.model.own_call import own_arguments

        own_opts, own_init = own_arguments(ctx, call)
        opts.update(own_opts)
    factory = get_structure(call.func)
    try:
        template = factory(base.labels, name=base.name, **opts)
    except (TypeError, ValueError) as exc:
        msg = str(exc).split("\nhint: ")[0] if getattr(exc, "hint", None) else str(exc)
        raise ctx.error(call, f"cannot build {call.func}() on '{inner}': {msg}",
                        getattr(exc, "hint", None)) from None
    if template.n_params > MAX_STRUCTURE_PARAMS:
        numeric = isinstance(inner, Name) and inner.name in ctx.frame.columns and \
            not is_factor_column(ctx.frame[inner.name])
        raise ctx.error(
            call, f"{call} has {template.n_params} variance parameters ({base.k} levels of "
            f"'{inner}'); REML cannot estimate that many",
            (f"'{inner}' is a numeric column with {base.k} distinct values: did you mean "
             "another factor?" if numeric else
             f"for many levels use a factor-analytic fa({inner}, k) or diag({inner})"))
    if isinstance(inner, Name) and inner.name in ctx.frame.columns and \
            inner.name not in ctx.factors and not is_factor_column(ctx.frame[inner.name]) \
            and not syntax.coordinates:
        vals = ctx.frame[inner.name].to_numpy(dtype=float, na_value=np.nan)
        vals = vals[np.isfinite(vals)]
        if not np.all(vals == np.round(vals)):
            raise ctx.error(inner, f"{call.func}() needs a factor, and '{inner.name}' is a "
                            f"numeric column with fractional values ({base.k} distinct)",
                            f"use a factor column, or fac({inner.name}) if each value is "
                            "meant as a level")
    init = own_init
    extra = base.extra
    # init = NA: asreml's "no start values given" (its defaults), as init left out
    if "init" in named and own_init is None and not (
            isinstance(named["init"], Name) and named["init"].name == "NA"):
        from asr_py.model.init_codes import init_codes

        init = init_values(ctx, named["init"])
        codes = init_codes(ctx, named["init"])
        if codes is not None:
            extra = dict(base.extra, init_codes=codes)
        if init.size != template.n_params:
            raise ctx.error(named["init"], f"init for {call.func}({inner}) has {init.size} "
                            f"values, the structure has {template.n_params} parameters",
                            ("order: " + ", ".join(template.param_names))
                            if template.n_params else
                            f"{call.func}() has no parameter to start; for a start value "
                            f"of the term's variance write idv({inner}, init = ...)")
    return Block(base.mat, base.labels, base.name, base.name, True, template=template,
                 structure=call.func, init=init, extra=extra)


def order_argument(call: Call, syntax: Any) -> Expr | None:
    """The expression of a structure's order k: its second positional argument or one of
    its named order arguments (None when the structure takes no order or none is given);
    ``syntax`` is the structure's :class:`~asr_py.vcov.base.StructureSyntax`."""
    if not syntax.order:
        return None
    pos, named = call.positional(), call.named()
    if len(pos) > 1:
        return pos[1]
    return next((named[k] for k in syntax.order_names if k in named), None)

#: a variance structure with more parameters than this is refused at compile time (us(63))
MAX_STRUCTURE_PARAMS = 2000

#: the longest range a:b a formula argument may write
MAX_RANGE = 100_000

#: the largest k of a placeholder structure us(k), ar1(k) (ASReml uses it for a few traits)
MAX_PLACEHOLDER_LEVELS = 1000

#: the largest order of pol(x, k) / leg(x, k) (a polynomial basis of order k has k+1 columns)
MAX_POLY_ORDER = 50


def part_block(ctx: Context, expr: Expr) -> Block:
    """Evaluate one part of a random or residual term."""
    if isinstance(expr, Paren):
        return part_block(ctx, expr.expr)
    if isinstance(expr, Call):
        if expr.func in KNOWN_MATRIX_FUNCS:
            return known_block(ctx, expr)
        if is_variance_structure(expr.func):
            return structure_block(ctx, expr)
        if expr.func in FACTOR_FUNCS:
            return factor_block(ctx, expr)
        if expr.func == "spl":
            from asr_py.model.splines import spline_block

            return spline_block(ctx, expr)
        if expr.func in BASIS_FUNCS:
            return basis_block(ctx, expr)
        if expr.func == "grp":
            return group_block(ctx, expr)
        if expr.func == "uni":
            from asr_py.model.uni import uni_block

            return uni_block(ctx, expr)
        if expr.func == "mbf":
            return mbf_block(ctx, expr)
        if expr.func in ("log", "sqrt", "exp", "I", "abs", "log10", "log2"):
            return covariate_block(ctx, expr)
        raise ctx.error(expr, f"{expr.func}() cannot be used here")
    if isinstance(expr, Name):
        if is_factor_expr(ctx, expr):
            return factor_block(ctx, expr)
        return covariate_block(ctx, expr)
    raise ctx.error(expr, f"cannot use '{expr}' as part of a term")


def group_block(ctx: Context, call: Call) -> Block:
    """``grp(g)``: the data columns listed in ``group={'g': [...]}`` as one block."""
    pos = call.positional()
    if not pos or not isinstance(pos[0], Name):
        raise ctx.error(call, "grp() needs a group name")
    g = pos[0].name
    if g not in ctx.group:
        raise ctx.error(call, f"group '{g}' is not defined",
                        f"pass asreml(..., group={{'{g}': [column names]}})")
    cols = list(ctx.group[g])
    missing = [c for c in cols if c not in ctx.frame.columns]
    if missing:
        raise DataError(f"group '{g}': columns not in the data: {', '.join(missing[:5])}")
    nonnum = [c for c in cols if not pd.api.types.is_numeric_dtype(ctx.frame[c])]
    if nonnum:
        raise ctx.error(call, f"group '{g}': columns must be numeric: {', '.join(nonnum[:5])}")
    M = ctx.frame[cols].to_numpy(dtype=float, na_value=np.nan)[ctx.records.row]
    check_finite(ctx, call, M)
    return Block(sp.csr_matrix(M), tuple(cols), g, f"grp({g})", False)


def mbf_block(ctx: Context, call: Call) -> Block:
    """``mbf(obj)``: covariates looked up by key (ASReml-R 4's multi-basis function).

    ``mbf={'obj': {'key': ('data_col', 'cov_col'), 'cov': 'M'}}`` with ``M=`` a DataFrame (or
    ``cov`` the DataFrame itself): record i gets the covariates of the row of M whose
    ``cov_col`` equals its ``data_col`` value, Z[i, :] = M[key(i), covariates]. A record with
    a missing key gets a zero row. Without a structure the term is σ² I (marker effects).
    """
    pos = call.positional()
    if not pos or not isinstance(pos[0], Name):
        raise ctx.error(call, "mbf() needs the name of an mbf entry: mbf(markers)")
    obj = pos[0].name
    hint = (f"pass asreml(..., mbf={{'{obj}': {{'key': ('id', 'id'), 'cov': 'M'}}}}, M=M_df) "
            "with M a DataFrame holding the key column and the covariates")
    spec = ctx.matrices.get("mbf")
    if not isinstance(spec, dict) or obj not in spec:
        raise ctx.error(pos[0], f"mbf entry '{obj}' is not defined", hint)
    entry = spec[obj]
    if not isinstance(entry, dict) or "key" not in entry or "cov" not in entry:
        raise ctx.error(pos[0], f"mbf entry '{obj}' needs 'key' and 'cov'", hint)
    key = entry["key"]
    keys = (key, key) if isinstance(key, str) else tuple(key)
    if len(keys) != 2 or not all(isinstance(k, str) for k in keys):
        raise ctx.error(pos[0], f"mbf entry '{obj}': key must be a column name or a pair "
                        f"(data column, covariate-table column), got {key!r}", hint)
    cov = entry["cov"]
    cov_name = cov if isinstance(cov, str) else f"mbf['{obj}']['cov']"
    if isinstance(cov, str):
        if cov not in ctx.matrices:
            raise ctx.error(pos[0], f"mbf entry '{obj}': the covariate table '{cov}' is not "
                            "given", f"pass it as a keyword argument: asreml(..., {cov}=M_df)")
        cov = ctx.matrices[cov]
    if not isinstance(cov, pd.DataFrame):
        raise MatrixError(f"mbf entry '{obj}': the covariate table '{cov_name}' must be a "
                          f"DataFrame, got {type(cov).__name__}",
                          hint="one row per key value: the key column and the covariates")
    dkey, ckey = keys
    if ckey in cov.columns:
        kvals = cov[ckey]
        M = cov.drop(columns=[ckey])
    elif cov.index.name == ckey:
        kvals = cov.index.to_series()
        M = cov
    else:
        raise MatrixError(f"mbf entry '{obj}': the covariate table '{cov_name}' has no key "
                          f"column '{ckey}'",
                          hint="columns are: " + ", ".join(map(str, list(cov.columns)[:8])))
    klab = as_labels(kvals.reset_index(drop=True))
    dup = pd.Series(klab).duplicated()
    if dup.any():
        raise MatrixError(f"mbf entry '{obj}': key '{klab[int(np.argmax(dup))]}' appears more "
                          f"than once in '{cov_name}'", hint="one row per key value")
    if M.shape[1] == 0:
        raise MatrixError(f"mbf entry '{obj}': '{cov_name}' has no covariate columns")
    nonnum = [str(c) for c in M.columns if not pd.api.types.is_numeric_dtype(M[c])]
    if nonnum:
        raise MatrixError(f"mbf entry '{obj}': covariate columns of '{cov_name}' must be "
                          f"numeric: {', '.join(nonnum[:5])}")
    vals = M.to_numpy(dtype=float, na_value=np.nan)
    if not np.all(np.isfinite(vals)):
        raise MatrixError(f"mbf entry '{obj}': '{cov_name}' has missing or infinite values")
    index = {v: i for i, v in enumerate(klab)}
    lab = as_labels(ctx.record_values(Name(dkey, span=pos[0].span)))
    codes = np.fromiter((index.get(v, -1) if v is not None else -1 for v in lab),
                        dtype=np.int64, count=lab.size)
    missing = sorted({v for v, c in zip(lab, codes) if c < 0 and v is not None})
    if missing:
        raise MatrixError(
            f"mbf({obj}): {len(missing)} values of '{dkey}' have no row in '{cov_name}' "
            f"(key '{ckey}'): " + ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else ""),
            hint="every key value in the data needs a row of covariates (check spelling and "
                 "type of the key columns)")
    Z = indicator(codes, len(klab)) @ sp.csr_matrix(vals)
    labels = tuple(str(c) for c in M.columns)
    return Block(sp.csr_matrix(Z), labels, obj, f"mbf({obj})", False)
