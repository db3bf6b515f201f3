"""``compile_model``: formulas + data -> the :class:`Model` (X, Z, templates, start values).

Starting values (documented ASReml-like defaults, overridable by ``init=`` in a formula or
the ``params=`` table): with v_t the sample variance of trait t's records, the residual
starts at half of v (per trait on the diagonal of a trait structure) and the other half is
shared equally among the random terms; correlations start at 0.1 (the structure's default).
A structure over ``trait`` is rescaled to the per-trait variances; one over another factor
without correlation parameters (diag/idh/us/fa(env), ...) to its levels' response scales
d_l, the within-level variance of y relative to var(y) (:mod:`asr_py.model.level_scales`;
when every level has at least 8 records), and each section of a ``dsum`` residual starts
at its own records' share: a site in kg/ha starts 10⁶ x above one in t/ha, and the
iteration path does not depend on the units of a site.

Prior weights (``weights='w'``): the residual template R(θ) built from the residual formula
is wrapped as :class:`asr_py.vcov.weighted.Weighted`, R_w = W^{-1/2} R(θ) W^{-1/2} with the
record weights of :mod:`asr_py.model.records` (per row; every trait record of a row gets the
row's weight). Parameters and start values are those of R(θ).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from asr_py.errors import AsrError, DataError, FormulaError, FormulaSyntaxError, ModelError
from asr_py.formula.ast import Call, Expr, Formula, ModelFormula, Name, Paren, TermList
from asr_py.formula.expand import expand
from asr_py.model.arguments import check_compile_arguments, group_columns, params_table
from asr_py.model.blocks import Block, Context
from asr_py.model.fixed import FixedDesign, build_fixed
from asr_py.model.level_scales import factor_members, level_scales
from asr_py.model.random import RandomTerm, ResidualTerm, build_random, build_residual
from asr_py.model.records import Records, build_records, response_exprs
from asr_py.model.size import check_mme_size
from asr_py.model.splines import knot_point_table
from asr_py.model.trait_factor import check_trait_column
from asr_py.reml.params import ParamMap, Part, StructureSpan, build_param_map, term_spans
from asr_py.reml.problem import MixedProblem, RandomBlock
from asr_py.vcov.base import CovTemplate, frozen_levels, to_dense
from asr_py.vcov.wrapper import Wrapper


@dataclass(frozen=True)
class TermParams:
    """Where one random term's (or the residual's) parameters sit in θ: ``offset`` and ``n``;
    ``trait``: the slice (relative to ``offset``) of its structure over ``trait`` and that
    structure's template ``trait_template`` (None when the term has none)."""

    label: str
    offset: int
    n: int
    trait: slice | None = None
    trait_template: CovTemplate | None = None


@dataclass
class Model:
    """A compiled model: records, X, random terms, residual, parameter table."""

    formula: ModelFormula
    records: Records
    fixed: FixedDesign
    random: list[RandomTerm]
    residual: ResidualTerm
    param_names: list[str]
    param_kinds: list[str]
    theta0: np.ndarray
    constraints: list[str]
    context: Context = field(repr=False)
    warnings: list[str] = field(default_factory=list)
    terms: dict[str, TermList] = field(default_factory=dict, repr=False)
    #: per parameter: a covariance/correlation between traits (of a structure over ``trait``)
    cross_trait: list[bool] = field(default_factory=list)
    #: ``rr(f, k):g + diag(f):g`` pairs fitted as one fa term (:mod:`asr_py.model.rr_pair`)
    rr_pairs: list[Any] = field(default_factory=list, repr=False)
    #: start values were given by the user (init= in a formula, or params=)
    user_start: bool = False
    #: as many records as fixed effects (n = rank X): the fixed effects reproduce the
    #: records, the REML likelihood does not depend on the variance parameters (held at
    #: their starting values, constraint 'F') and standard errors are not available
    saturated: bool = False
    #: the known term o of ``offset(x)`` in the fixed formula, per record (None: none);
    #: see :mod:`asr_py.model.offset`
    offset: np.ndarray | None = None

    @property
    def y(self) -> np.ndarray:
        return self.records.y

    @property
    def X(self) -> np.ndarray:
        return self.fixed.X

    @property
    def n_params(self) -> int:
        return len(self.param_names)

    def start_values(self) -> pd.DataFrame:
        """The editable start-values table: Component, Value, Constraint (P/U/F/B); its
        ``attrs['n_residual']``: how many of its last rows are the residual's;
        ``attrs['residual_sections']``: a dsum section's name prefix -> its level."""
        out = pd.DataFrame({"Component": self.param_names, "Value": self.theta0,
                            "Constraint": self.constraints, "Kind": self.param_kinds})
        res = self.residual
        out.attrs["n_residual"] = int(res.template.n_params)
        out.attrs["residual_sections"] = {st.partition("!")[0]: str(lab) for st, (lab, _) in
                                          zip(res.section_terms, res.sections)}
        return out

    def apply_params(self, table: pd.DataFrame | dict[str, float]) -> None:
        """Set start values / constraints from a (possibly edited) start-values table."""
        table = params_table(table)
        index = {n: i for i, n in enumerate(self.param_names)}
        cons = (table["Constraint"] if "Constraint" in table.columns
                else pd.Series([None] * len(table), index=table.index))
        for name, value0, con in zip(table["Component"], table["Value"], cons):
            name = str(name)  # a plain loop: thousands of fixed stage-1 (co)variances
            if name not in index:
                import difflib

                close = difflib.get_close_matches(name, self.param_names, n=3)
                raise DataError(f"params: unknown component '{name}'",
                                hint=f"did you mean {close}?" if close else
                                "components: " + ", ".join(self.param_names))
            i = index[name]
            try:
                value = float(value0)
            except (TypeError, ValueError):
                raise DataError(f"params: the value of '{name}' is {value0!r}, not a "
                                "number", hint="give start values as numbers") from None
            if not np.isfinite(value):
                raise DataError(f"params: the value of '{name}' is {value}",
                                hint="give a finite start value") from None
            self.theta0[i] = value
            self.user_start = True
            self.__dict__.pop("param_map", None)  # its constraint column is rebuilt
            if isinstance(con, str):
                c = con.strip().upper()
                if c not in ("P", "U", "F", "B"):
                    raise DataError(f"params: constraint '{c}' of {name} is not P, U, F or B")
                self.constraints[i] = c

    def default_theta(self) -> np.ndarray:
        """The compiler's default start values (ignoring init= and params=)."""
        from dataclasses import replace

        rnd = [replace(t, init=None) for t in self.random]
        return _parameters(self.records, rnd, replace(self.residual, init=None))[2]

    def problem(self, theta0: np.ndarray | None = None) -> MixedProblem:
        """The engine's input (matrices and templates only)."""
        blocks = [RandomBlock(t.label, t.Z, t.template) for t in self.random]
        return MixedProblem(
            y=self.records.y, X=self.fixed.X, random=blocks, residual=self.residual.template,
            theta0=self.theta0.copy() if theta0 is None else np.asarray(theta0, float),
            constraints=list(self.constraints), names=list(self.param_names),
            x_names=list(self.fixed.names), param_map=self.param_map)

    @cached_property
    def param_map(self) -> ParamMap:
        """The parameter map (:mod:`asr_py.reml.params`): a row per parameter (term,
        structure, index, kind, name, start constraint, bounds) and a span per structure
        with parameters, built once from the compiled terms."""
        terms: list[tuple[str, CovTemplate, list, bool]] = [
            (t.label, t.template, [(t.label, _parts(t.blocks))], False) for t in self.random]
        res = self.residual
        sterms = res.section_terms or [res.label] * len(res.sections)
        terms.append((res.label, res.template,
                      [(st, _parts(bl)) for st, (_, bl) in zip(sterms, res.sections)], True))
        return build_param_map(terms, self.param_names, self.constraints)

    def templates(self) -> list[CovTemplate]:
        return [t.template for t in self.random] + [self.residual.template]

    def param_layout(self) -> list[TermParams]:
        """One :class:`TermParams` per random term, then the residual ('residual'), read
        from :attr:`param_map` (the residual's structure over ``trait`` only when it has
        one section)."""
        traits = self.records.traits
        spans = self.param_map.structures
        terms = [(t.label, t.template, True) for t in self.random]
        terms.append(("residual", self.residual.template, len(self.residual.sections) <= 1))
        out, off = [], 0
        for label, tm, look in terms:
            n = tm.n_params
            tr, tt = None, None
            if look and len(traits) > 1:
                for sp_ in spans:
                    if off <= sp_.start < off + n and _over_traits(sp_, traits):
                        tr, tt = slice(sp_.start - off, sp_.stop - off), sp_.template
            out.append(TermParams(label, off, n, tr, tt))
            off += n
        return out


def _used_columns(exprs: list[Expr], data: pd.DataFrame, skip: set[str]) -> list[str]:
    """Data columns named in ``exprs`` (in order of appearance), by an explicit stack so a
    formula of thousands of terms does not exhaust Python's recursion limit."""
    out: list[str] = []
    stack: list[Any] = list(reversed(exprs))
    while stack:
        e = stack.pop()
        if isinstance(e, Name):
            if e.name in data.columns and e.name not in skip and e.name not in out:
                out.append(e.name)
        elif isinstance(e, Call):
            args = [a.value for a in e.args
                    if not (e.func in ("vm", "giv", "ide") and a is not e.args[0])]
            stack.extend(reversed(args))
        elif isinstance(e, Formula):
            stack.append(e.rhs)
        elif hasattr(e, "left"):
            stack.extend((e.right, e.left))
        elif hasattr(e, "operand"):
            stack.append(e.operand)
        elif isinstance(e, Paren):
            stack.append(e.expr)
    return out


def compile_model(
    fixed: str | ModelFormula,
    random: str | None = None,
    residual: str | None = None,
    data: pd.DataFrame | None = None,
    *,
    rcov: str | None = None,
    sparse: str | None = None,
    factors: list[str] | tuple[str, ...] = (),
    na_action: dict[str, str] | None = None,
    pedigree: Any = None,
    group: dict[str, list[str]] | None = None,
    weights: str | None = None,
    knot_points: dict[str, Any] | None = None,
    check_identifiable: bool = True,
    keep_order: bool = False,
    asmv: str | None = None,
    **matrices: Any,
) -> Model:
    """Compile formulas and data into a :class:`Model` (see the module docstring);
    ``keep_order``: the fixed terms in the order written (asreml's ``keep.order``), else in
    R's order (by degree). ``check_identifiable=False`` leaves the count of free variance
    parameters to the caller
    (asreml() checks it after ``params=`` has held some fixed). ``asmv``: the trait column
    of long-format multivariate data (asreml's ``asmv``, :mod:`asr_py.model.asmv`)."""
    from asr_py.formula.model import parse_model

    check_compile_arguments(fixed, random, residual, data, rcov, sparse, factors, na_action,
                            group, weights)
    group = group_columns(group, data)
    try:
        mf = fixed if isinstance(fixed, ModelFormula) else parse_model(
            fixed=fixed, random=random, residual=residual, rcov=rcov, sparse=sparse)
    except FormulaSyntaxError as err:
        raise _with_backtick_hint(err, data) from None
    texts = mf.texts
    if mf.fixed.lhs is None:
        raise FormulaError("the fixed formula needs a response: y ~ ...",
                           text=texts.get("fixed", ""), formula="fixed")
    fixed_terms = expand(mf.fixed, "fixed", keep_order=keep_order)   # asreml's keep.order
    random_terms = expand(mf.random, "random") if mf.random is not None else None
    resid_terms = expand(mf.residual, "residual") if mf.residual is not None else None
    for kind, terms, hint in (
            ("random", random_terms, "leave random= out for a model without random effects; "
             "a random intercept per group g is random = '~ g'"),
            ("residual", resid_terms, "leave residual= out for independent errors (units)")):
        if terms is not None and not terms.terms:
            raise FormulaError(f"the {kind} formula '{texts.get(kind, '')}' has no terms",
                               text=texts.get(kind, ""), formula=kind, hint=hint)
    sparse_terms = expand(mf.sparse, "fixed") if mf.sparse is not None else None
    resp_exprs, resp_names = response_exprs(mf.fixed.lhs)
    check_trait_column(data.columns, resp_names, mf.fixed.lhs.span, texts.get("fixed", ""))
    resp_cols = {e.name for e in resp_exprs if isinstance(e, Name)}
    matrix_names = set(matrices)
    rhs_exprs: list[Expr] = [mf.fixed.rhs]
    for f in (mf.random, mf.residual, mf.sparse):
        if f is not None:
            rhs_exprs.append(f.rhs)
    used = _used_columns(rhs_exprs, data, resp_cols | matrix_names)
    include_note = ""
    kept: list[str] = []
    if (na_action or {}).get("x") == "include":
        from asr_py.model.na_include import include_missing_x

        data, kept, include_note = include_missing_x(data, used, factors)
        na_action = {**(na_action or {}), "x": "omit"}
        # factors whose missing values are included: not a reason to drop a record
        used_checked = [c for c in used if c not in kept]
    else:
        used_checked = used
    units = None
    if asmv is not None:
        from asr_py.model.asmv import asmv_units

        if len(resp_names) > 1:
            raise FormulaError(f"asmv='{asmv}' is for long-format data (one response column); "
                               f"this response has {len(resp_names)} columns",
                               text=texts.get("fixed", ""), formula="fixed",
                               hint="drop asmv= for a cbind(...) ~ trait model")
        units = (asmv, asmv_units(data, asmv, resid_terms))
    records = build_records(mf.fixed.lhs, data, used_checked, text=texts.get("fixed", ""),
                            na_action=na_action, weights=weights, asmv=units)
    if include_note:
        records.notes.append(include_note)
    if records.missing_rows is not None:  # their model variables only (predict's levels)
        records.missing_rows = records.missing_rows[
            [c for c in dict.fromkeys(used) if c in records.missing_rows.columns]]
    _check_response_scale(records, texts.get("fixed", ""))
    ped = pedigree
    if pedigree is not None and not (hasattr(pedigree, "ids") and hasattr(pedigree, "matrix")):
        ped = _pedigree_inverse(pedigree)
    ctx = Context(records, dict(matrices), frozenset(factors), texts.get("fixed", ""), "fixed",
                  ped, dict(group or {}), full_coded=frozenset(kept),
                  knot_points=knot_point_table(knot_points))
    fx = build_fixed(ctx, fixed_terms, records.multivariate,
                     sparse_terms.terms if sparse_terms is not None else ())
    if fx.X.shape[1] == 0:
        raise FormulaError("the fixed formula has no estimable effects",
                           text=texts.get("fixed", ""), formula="fixed",
                           hint="keep the intercept or add terms")
    saturated = records.n == fx.X.shape[1] and records.n > 1
    if records.n <= fx.X.shape[1] and not saturated:
        raise ModelError(f"no residual degrees of freedom: {records.n} record"
                         f"{'s' if records.n != 1 else ''} and {fx.X.shape[1]} fixed effect"
                         f"{'s' if fx.X.shape[1] != 1 else ''}",
                         hint="REML needs more records than fixed effects: add data or drop "
                              "fixed terms (" + ", ".join(
                                  f"{t.label}: {len(t.columns)}" for t in sorted(
                                      fx.terms, key=lambda t: -len(t.columns))[:3])
                              + " columns)")
    ctx.text, ctx.formula = texts.get("random", ""), "random"
    rr_pairs: list[Any] = []
    if random_terms is not None:
        from asr_py.model.rr_pair import merge_rr_diag

        random_terms, rr_pairs = merge_rr_diag(random_terms)  # rr(f, k):g + diag(f):g -> fa
    rnd = build_random(ctx, random_terms) if random_terms is not None else []
    check_mme_size([t.label for t in rnd], [t.Z for t in rnd], records.n)
    ctx.text, ctx.formula = texts.get("residual", ""), "residual"
    res = build_residual(ctx, resid_terms)
    if records.weights is not None:
        from dataclasses import replace

        from asr_py.vcov.weighted import Weighted

        res = replace(res, template=Weighted(res.template, records.weights))
    names, kinds, theta0, cons = _parameters(records, rnd, res)
    if saturated:
        cons = ["F"] * len(cons)
    if check_identifiable:
        _check_identifiable(records.n - fx.X.shape[1], rnd, res, cons, fx)
    warnings = list(ctx.warnings)
    structural = np.concatenate([t.template.fixed_mask() for t in rnd]
                                + [res.template.fixed_mask()])  # fa/rr's zeros
    for k, c in enumerate(cons):
        if c == "F" and not structural[k]:
            warnings.append(
                f"'{names[k]}' is held at 1: its term is a direct product of several variance "
                "structures, whose scales are confounded (only their product is estimable); "
                "use a correlation structure (cor, corh, ar1, ...) for all but one to avoid this")
    if fx.aliased:
        warnings.append("aliased fixed effects dropped: " + ", ".join(fx.aliased[:10])
                        + (" ..." if len(fx.aliased) > 10 else ""))
    if rr_pairs:
        warnings.append("fitted as one factor-analytic term (ΛΛ' + Ψ): " + "; ".join(
            f"{p.rr} + {p.diag} as {p.fa}" for p in rr_pairs))
    if saturated:
        warnings.append(_saturated_note(records.n, fx))
    model = Model(mf, records, fx, rnd, res, names, kinds, theta0, cons, ctx, warnings,
                  {"fixed": fixed_terms} | ({"sparse": sparse_terms} if sparse_terms else {}))
    model.saturated = saturated
    model.rr_pairs = rr_pairs
    model.user_start = res.init is not None or any(t.init is not None for t in rnd)
    # the between-trait parameters (staged starts), from the parameter map; the sections of
    # a dsum residual are not staged
    model.cross_trait = model.param_map.cross_trait(
        records.traits, res.section_terms if len(res.sections) > 1 else ())
    return model


def _saturated_note(n: int, fx: FixedDesign) -> str:
    """What a fit with n = rank(X) records can and cannot give (asreml fits such a model:
    isabellajchiara/BLUPs_and_GGE's per-location ``yield ~ name:rep`` with one record per
    cell, whose predictions it reports): with no residual degrees of freedom, β̂ = X⁻¹y
    reproduces the records and û = 0 (P = 0), the REML likelihood is constant in θ."""
    big = ", ".join(f"{t.label}: {len(t.columns)}" for t in sorted(
        fx.terms, key=lambda t: -len(t.columns))[:3])
    return (f"no residual degrees of freedom: {n} records and {n} fixed effects ({big} "
            "columns): the fixed effects reproduce the records exactly and the random effects "
            "are 0; the variance parameters cannot be estimated (the REML likelihood does not "
            "depend on them) and are held at their starting values (constraint F); standard "
            "errors are not available (NaN). Drop fixed terms (e.g. an interaction with a "
            "level per record) to estimate variances; a numeric column read as text makes a "
            "factor with a level per value")


def _with_backtick_hint(err: FormulaSyntaxError, data: Any) -> FormulaSyntaxError:
    """The syntax error, with a hint when the formula writes a column whose name is not an R
    name ('plant height', 'yield-2020') without backticks."""
    cols = [str(c) for c in getattr(data, "columns", [])]
    odd = [c for c in cols if not c.replace(".", "_").replace("_", "a").isalnum()
           and c in err.text]
    if not odd:
        return err
    hint = ("write a column whose name is not an R name in backticks: "
            + ", ".join(f"`{c}`" for c in odd[:3]))
    return FormulaSyntaxError(err.message, text=err.text, line=err.line, column=err.column,
                              width=err.width, formula=err.formula, hint=hint)


def _pedigree_inverse(pedigree: Any) -> Any:
    """A⁻¹ of ``asreml(..., pedigree=frame)``; an id both sire and dam (selfing) is refused
    with the hint that works here (check_roles= is not an asreml() keyword)."""
    from asr_py.errors import PedigreeError
    from asr_py.genetics import ainverse

    try:
        return ainverse(pedigree)
    except PedigreeError as err:
        if "both sire and dam" not in err.message:
            raise
        raise PedigreeError(
            f"pedigree=: {err.message}",
            hint="fix the pedigree, or, for monoecious plants or hermaphrodites (selfing and "
                 "reciprocal crosses allowed, as asreml's ainverse), pass the inverse built "
                 "without that check: asreml(..., pedigree=asr.ainverse(ped, "
                 "check_roles=False))") from None


def _check_identifiable(df: int, rnd: list[RandomTerm], res: ResidualTerm,
                        cons: list[str], fx: FixedDesign | None = None) -> None:
    """A ModelError when the free variance parameters outnumber the residual degrees of
    freedom (e.g. us(x) on a numeric column with a level per record): REML cannot estimate
    them, and the fit would run for minutes before saying so."""
    n_free = sum(c != "F" for c in cons)
    if n_free <= df:
        return
    terms = sorted([(t.template.n_params, t.label) for t in rnd]
                   + [(res.template.n_params, res.label)], reverse=True)
    raise ModelError(f"the model has {n_free} variance parameters but only {df} residual "
                     "degrees of freedom", hint="REML cannot estimate them all; the largest "
                     "terms: " + ", ".join(f"{lab} ({k})" for k, lab in terms[:3])
                     + _big_fixed(fx, df)
                     + ". A numeric column used as a factor makes a level per value")


def _big_fixed(fx: FixedDesign | None, df: int) -> str:
    """'; the fixed terms use most of the records: x (58 columns), ...' when the fixed
    part leaves fewer residual degrees of freedom than it has columns (a column of numbers
    read as text, e.g. with '.' for missing, is a factor with a level per value)."""
    if fx is None or not fx.terms or fx.X.shape[1] <= df:
        return ""
    big = sorted(fx.terms, key=lambda t: -len(t.columns))[:3]
    return ("; the fixed terms use most of the records: "
            + ", ".join(f"{t.label} ({len(t.columns)} columns)" for t in big))


def _check_response_scale(records: Records, text: str) -> None:
    """A FormulaError when a trait's variance over- or underflows double precision (values
    near 1e300 or 1e-300): the fit would report nonsense instead."""
    for t, name in enumerate(records.traits):
        yt = records.y[records.trait == t]
        if yt.size < 2 or np.all(yt == yt[0]):
            continue
        with np.errstate(all="ignore"):
            v = float(np.var(yt))
        if not np.isfinite(v) or v > 1e200 or v < 1e-200:
            size = "large" if not np.isfinite(v) or v > 1 else "small"
            raise FormulaError(f"the response '{name}' is too {size} for double precision: "
                               f"its values reach {float(np.max(np.abs(yt))):g}",
                               text=text, formula="fixed",
                               hint="rescale it (e.g. I(y / 1e6)) and scale the estimates back")


# ---------------------------------------------------------------------------------------------
# parameters and starting values
# ---------------------------------------------------------------------------------------------


def _trait_vars(records: Records) -> np.ndarray:
    out = []
    for t in range(len(records.traits)):
        yt = records.y[records.trait == t]
        v = float(np.var(yt, ddof=1)) if yt.size > 1 else 1.0
        out.append(v if v > 0 else 1.0)
    return np.array(out)


def fit_template(template: CovTemplate, target: np.ndarray, theta: np.ndarray,
                 iters: int = 20) -> np.ndarray:
    """θ with Σ(θ) ≈ target, by Gauss-Newton on vec(Σ(θ) − target) using the derivatives.

    Exact in one step for linear families (us, diag); used to put starting values of trait
    structures on each trait's scale. Returns the input θ if no valid improvement is found.
    """
    th = theta.astype(float).copy()
    for _ in range(iters):
        r = (target - to_dense(template.matrix(th))).ravel()
        J = np.column_stack([to_dense(d).ravel() for d in template.derivatives(th)])
        J[:, template.fixed_mask()] = 0.0  # structural zeros stay where they are
        step = np.linalg.lstsq(J, r, rcond=None)[0]
        a = 1.0
        while a > 1e-3 and not template.is_valid(th + a * step):
            a /= 2
        if a <= 1e-3:
            break
        th = th + a * step
        if np.linalg.norm(a * step) < 1e-10 * (1 + np.linalg.norm(th)):
            break
    return th if template.is_valid(th) else theta


def _parts(blocks: list[Block]) -> list[Part]:
    """A term's factors as the parameter map takes them: (factor, template, levels)."""
    return [(b.name or b.label, b.template, frozen_levels(b.labels)) for b in blocks]


def _spans(template: CovTemplate, blocks: list[Block]) -> list[StructureSpan]:
    """The term's structures with parameters, positions within the term (the parameter
    map's rule, :func:`asr_py.reml.params.term_spans`); none when the blocks are not known
    (a residual of several sections)."""
    if not blocks:
        return []
    return term_spans("", template, [("", _parts(blocks))])[0]


def _over_traits(s: StructureSpan, traits: tuple[str, ...]) -> bool:
    """The structure is over ``trait`` with the traits as its levels."""
    return s.factor == "trait" and tuple(s.levels) == tuple(traits)


def _start(template: CovTemplate, blocks: list[Block], share: float, tv: np.ndarray,
           records: Records) -> np.ndarray:
    """The template's initial values at ``share``; a structure over the traits starts at the
    traits' variance ratios (Σ_ij ∝ √(v_i v_j)), one over another factor at its levels'
    response scales d_l (Σ_ij ∝ √(d_i d_j), :mod:`asr_py.model.level_scales`)."""
    traits = records.traits
    th = np.asarray(template.initial(share), dtype=float).copy()
    structured = [b for b in blocks if b.template is not None and b.template.n_params > 0]
    spans = _spans(template, blocks)
    for k, s in enumerate(spans):
        t = s.template
        if not t.has_variance:
            continue
        if _over_traits(s, traits):
            d = tv / tv.mean() if len(traits) > 1 else None
        elif (len(spans) == len(structured) and structured[k].template is t
              and "correlation" not in t.param_kinds):
            # (corgh/corh-type templates keep the pooled start: from per-level starts the
            # zero-variance-beside-correlations cases of tests/reml/test_corr_escape.py reach
            # the variance's zero in one step, unheld, and stop unconverged)
            d = _factor_scales(records, structured[k], tv, t.n)
        else:
            d = None
        if d is None:
            continue
        sub = np.asarray(t.initial(share), dtype=float)
        target = to_dense(t.matrix(sub)) * np.outer(np.sqrt(d), np.sqrt(d))
        fitted = _rescaled(t, sub, d)
        if fitted is None:
            fitted = fit_template(t, target, sub)
        got = np.diag(to_dense(t.matrix(fitted)))
        if np.allclose(got, np.diag(target), rtol=1e-6, atol=0.0):  # representable
            th[s.start:s.stop] = fitted
    return th


def _rescaled(template: CovTemplate, theta: np.ndarray, d: np.ndarray) -> np.ndarray | None:
    """θ' with Σ(θ') = D^½ Σ(θ) D^½, D = diag(d), read off each parameter's derivative: a
    variance or loading of level i scales by d_i or √d_i, a covariance of levels i, j by
    √(d_i d_j), a correlation not at all (exact for diag/idh/us/corgh/fa, which keep the
    same pattern of Σ: the iteration starts from the same point in any units). None when
    a parameter is not of those kinds or the result is not D^½ Σ D^½."""
    try:
        ders = template.derivatives(theta)
    except (NotImplementedError, ValueError):
        return None
    out = np.asarray(theta, dtype=float).copy()
    for k, (kind, der) in enumerate(zip(template.param_kinds, ders)):
        m = to_dense(der) != 0
        rows = np.flatnonzero(m.any(axis=1))
        diag = np.flatnonzero(np.diag(m))
        if kind == "correlation" or rows.size == 0 or out[k] == 0:
            continue  # (a zero, e.g. fa's structural zeros, stays zero)
        if kind == "variance" and diag.size == 1:
            out[k] *= d[diag[0]]
        elif kind == "loading" and diag.size == 1:
            out[k] *= np.sqrt(d[diag[0]])
        elif kind == "covariance" and rows.size == 2 and diag.size == 0:
            out[k] *= np.sqrt(d[rows[0]] * d[rows[1]])
        else:
            return None
    want = to_dense(template.matrix(theta)) * np.outer(np.sqrt(d), np.sqrt(d))
    if not template.is_valid(out) or not np.allclose(to_dense(template.matrix(out)), want,
                                                     rtol=1e-10, atol=0.0):
        return None
    return out


def _factor_scales(records: Records, block: Block, tv: np.ndarray, n: int
                   ) -> np.ndarray | None:
    """The response scale of each level of a factor block (None for a block that is not an
    indicator over the template's n levels, or when a level has too few records)."""
    if not block.is_factor or block.mat.shape != (records.n, n) or n < 2:
        return None
    return level_scales(records.y, records.trait, tv, factor_members(block.mat))


def _section_starts(res: ResidualTerm, share: float, tv: np.ndarray,
                    records: Records) -> np.ndarray:
    """A residual of several sections (dsum): each section at ``share`` x its records'
    response scale (:func:`asr_py.model.level_scales.level_scales`; pooled for a section
    of too few records), its structures over traits and factors scaled as in :func:`_start`."""
    inner = res.template.template if isinstance(res.template, Wrapper) else res.template
    temps, rows = getattr(inner, "templates", None), getattr(inner, "indices", None)
    if temps is None or rows is None or len(temps) != len(res.sections):
        return np.asarray(res.template.initial(share), dtype=float)
    out = []
    for (_, bl), t, ix in zip(res.sections, temps, rows):
        d = level_scales(records.y, records.trait, tv, [np.asarray(ix)])
        one = _trait_factor(records, np.asarray(ix), tv)
        out.append(_start(t, bl, share * one * (1.0 if d is None else float(d[0])), tv,
                          records))
    return np.concatenate(out) if out else np.empty(0)


def _trait_factor(records: Records, rows: np.ndarray, tv: np.ndarray) -> float:
    """v_t / mean(v) when the records ``rows`` are all of one trait t, else 1: a term or
    residual section over one trait's records (``dsum(~ units | trait)``, ``at(trait,
    'y1'):env``) starts on that trait's scale, as a structure over the traits does (grams
    beside tonnes: started at the traits' mean variance, one trait's start was 10¹³ off and
    the iteration path, hence the fit, depended on the units)."""
    if len(records.traits) < 2 or rows.size == 0:
        return 1.0
    ts = np.unique(records.trait[rows])
    return float(tv[ts[0]] / tv.mean()) if ts.size == 1 else 1.0


def _later_scales(template: CovTemplate, blocks: list[Block]) -> list[tuple[int, StructureSpan]]:
    """(first variance parameter, structure) of every variance structure of a direct
    product after the first one: in Σ_1 ⊗ Σ_2 only the product of the two scales is
    estimable (c·Σ_1 ⊗ Σ_2/c is the same matrix), so that parameter is held at 1 (ASReml
    asks the user to fix it with !GF) and Σ_2 starts near I."""
    out: list[tuple[int, StructureSpan]] = []
    kinds = list(template.param_kinds)
    seen = False
    for s in _spans(template, blocks):
        if not s.template.has_variance:
            continue
        if seen:
            first = next((k for k in range(s.start, s.stop) if kinds[k] == "variance"), None)
            if first is not None:
                out.append((first, s))
        seen = True
    return out


def _parameters(records: Records, rnd: list[RandomTerm], res: ResidualTerm) -> tuple[
        list[str], list[str], np.ndarray, list[str]]:
    tv = _trait_vars(records)
    v = float(tv.mean())
    n_r = max(len(rnd), 1)
    names: list[str] = []
    kinds: list[str] = []
    thetas: list[np.ndarray] = []
    fix_one: list[int] = []
    structural: list[int] = []
    user_codes: dict[int, str] = {}

    def add(th: np.ndarray, init: np.ndarray | None, t: RandomTerm | ResidualTerm,
            blocks: list[Block]) -> None:
        later = _later_scales(t.template, blocks)
        held = [k for k, _ in later]
        for _, sp_ in later:  # Σ_2 starts near I
            th[sp_.start:sp_.stop] = np.asarray(sp_.template.initial(1.0), dtype=float)
        th[held] = 1.0
        if init is not None:  # user init= values override the defaults where given
            ok = np.isfinite(init)
            th[ok] = init[ok]
        codes = _init_codes(t, blocks, th.size)
        if codes is not None:  # init = c(F = 0.5): the constraint written on the start value
            user_codes.update({len(names) + k: c for k, c in enumerate(codes) if c})
        fix_one.extend(len(names) + k for k in held)
        structural.extend(len(names) + np.flatnonzero(t.template.fixed_mask()))  # fa's zeros
        thetas.append(th)
        names.extend(t.param_names)
        kinds.extend(t.template.param_kinds)

    for t in rnd:
        one = _trait_factor(records, np.unique(sp.csr_matrix(t.Z).nonzero()[0]), tv)
        add(_start(t.template, t.blocks, 0.5 * v / n_r * one, tv, records), t.init, t,
            t.blocks)
    share = 0.5 * v if rnd else v
    if len(res.sections) <= 1:
        blocks = [b for _, bl in res.sections for b in bl]
        th = _start(res.template, blocks, share, tv, records)
    else:
        blocks = []
        th = _section_starts(res, share, tv, records)
    add(th, res.init, res, blocks)
    if len(set(names)) != len(names):
        seen: dict[str, int] = {}
        uniq = []
        for n in names:
            seen[n] = seen.get(n, 0) + 1
            uniq.append(n if seen[n] == 1 else f"{n}.{seen[n]}")
        names = uniq
    theta0 = np.concatenate(thetas) if thetas else np.empty(0)
    cons = ["P" if k == "variance" else "U" for k in kinds]
    for k, c in user_codes.items():
        cons[k] = c
    for k in fix_one + structural:
        cons[k] = "F"
    return names, kinds, theta0, cons


def _init_codes(t: RandomTerm | ResidualTerm, blocks: list[Block], n: int
                ) -> list[str] | None:
    """The constraint codes written on a term's init values (asr_py.model.init_codes), in
    its parameter order; a ModelError where they cannot be placed (a dsum residual's
    sections, a term whose layout differs from its parts')."""
    from asr_py.model.init_codes import term_codes

    parts = blocks
    if isinstance(t, ResidualTerm) and not blocks:
        parts = [b for _, bl in t.sections for b in bl]
        if any(b.extra.get("init_codes") for b in parts):
            raise ModelError(f"init constraint codes (init = c(F = ...)) are not supported "
                             f"inside the sections of {t.label}",
                             hint="fix the parameter with params= (constraint 'F') instead")
        return None
    scale = not any(b.template is not None and b.template.has_variance for b in parts)
    try:
        return term_codes(parts, scale, n)
    except ValueError:
        raise ModelError(f"init constraint codes of {t.label} cannot be matched to its "
                         f"{n} parameters",
                         hint="fix the parameter with params= (constraint 'F') instead") from None


__all__ = ["Model", "compile_model", "fit_template", "AsrError", "sp"]
