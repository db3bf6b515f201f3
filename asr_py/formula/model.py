"""The formulas of one ``asreml()`` call, parsed and validated together.

:func:`parse_model` parses each formula (labelling errors with its kind) and checks, with the
position of the offending piece, what the grammar alone cannot: a response where none may be
(random/residual/sparse) or none where one must be (fixed); unknown functions (with a
"did you mean" from :mod:`asr_py.formula.functions`); functions in the wrong formula (a
variance structure in the fixed formula, an R transform as a random term); ``|`` outside
``dsum``; wrong argument counts and unknown named arguments; ``str()``/``dsum()`` shapes;
``.`` outside update formulas; and the term algebra itself (:func:`expand`).
"""

from __future__ import annotations

from asr_py.errors import FormulaError
from asr_py.formula.ast import (
    BinOp,
    Bool,
    Call,
    Dot,
    Expr,
    Formula,
    ModelFormula,
    Name,
    Node,
    Null,
    Number,
    Paren,
    String,
    UnaryOp,
)
from asr_py.formula.expand import expand
from asr_py.formula.fixedvariance import fixed_as_factors
from asr_py.formula.functions import (
    INF,
    TRANSFORMS,
    UNAVAILABLE,
    functions,
    lookup,
    suggest,
)
from asr_py.formula.parser import parse_formula

__all__ = ["parse_model", "validate_formula"]

_ALGEBRA = ("+", "-", ":", "*", "/", "%in%", "^")
def _names(*kinds: str) -> list[str]:
    """The function names of ``kinds`` (the implemented structures included)."""
    return sorted(n for n, s in functions().items() if s.kind in kinds)


class _Checker:
    """Validation of one formula; ``kind`` is 'fixed', 'random', 'residual', 'sparse', 'rcov'."""

    def __init__(self, text: str, kind: str) -> None:
        self.text = text
        self.kind = kind

    def fail(self, msg: str, node: Node | None, hint: str | None = None) -> FormulaError:
        sp = node.span if node is not None else None
        line, col = (sp.line, sp.column) if sp is not None else (1, 1)
        width = 1
        if sp is not None and "\n" not in self.text[sp.start : sp.end]:
            width = max(1, min(sp.end - sp.start, 60))
        return FormulaError(msg, text=self.text, line=line, column=col, formula=self.kind,
                            hint=hint, width=width)

    # -- the formula -----------------------------------------------------------------------

    def check(self, f: Formula) -> None:
        if self.kind == "fixed":
            if f.lhs is None:
                raise self.fail("the fixed formula needs a response on the left of '~'", f,
                                hint="write e.g. 'yield ~ Variety' or 'cbind(y1, y2) ~ trait'")
            self.check_response(f.lhs)
        elif f.lhs is not None:
            raise self.fail(f"a {self.kind} formula has no response", f.lhs,
                            hint=f"write '~ {f.rhs}'; the response goes in the fixed formula")
        if self.kind == "fixed":
            f, offs = split_offsets(f)   # offset(x): a known term (asr_py.model.offset)
            for c in offs:
                if len(c.args) != 1 or c.args[0].name is not None:
                    raise self.fail("offset() takes one expression, e.g. offset(log(n))", c,
                                    hint="write one offset() per known term")
        self.check_body(f.rhs, self.kind)
        expand(f, "fixed" if self.kind == "fixed" else "random", text=self.text)

    def check_response(self, lhs: Expr) -> None:
        stack: list[Expr] = [lhs]
        while stack:
            x = stack.pop()
            if isinstance(x, Dot):
                raise self.fail("'.' is only meaningful in update formulas", x,
                                hint="name the response")
            if isinstance(x, Call):
                spec = lookup(x.func)
                if spec is None or spec.kind not in ("transform", "value"):
                    raise self.unknown(x, sorted(TRANSFORMS), "as a response")
                self.check_args(x)
                if x.func == "cbind" and not x.args:
                    raise self.fail("cbind() needs the response columns", x,
                                    hint="write cbind(y1, y2)")
                stack.extend(a.value for a in x.args)
            elif isinstance(x, BinOp):
                stack.extend((x.left, x.right))
            elif isinstance(x, UnaryOp):
                stack.append(x.operand)
            elif isinstance(x, Paren):
                stack.append(x.expr)
            elif isinstance(x, Formula):
                raise self.fail("a formula cannot be a response", x)

    # -- the right-hand side ---------------------------------------------------------------

    def check_body(self, rhs: Expr, ctx: str) -> None:
        """Walk the operator tree of a formula body; ``ctx`` decides which parts are allowed:
        'fixed' / 'sparse' (model terms), 'random' / 'residual' / 'rcov' (random terms),
        'terms' (str's first formula), 'vmodel' (str's variance model)."""
        stack: list[tuple[Expr, str]] = [(rhs, ctx)]
        while stack:
            x, c = stack.pop()
            if isinstance(x, Paren):
                stack.append((x.expr, c))
            elif isinstance(x, BinOp) and x.op in _ALGEBRA:
                if x.op == "^":
                    stack.append((x.left, c))  # the exponent is checked by expand
                else:
                    stack.extend(((x.right, c), (x.left, c)))
            elif isinstance(x, UnaryOp):
                stack.append((x.operand, c))
            elif isinstance(x, BinOp) and x.op == "|":
                raise self.fail("'|' is only allowed inside dsum(~ terms | group)", x,
                                hint=_bar_hint(x))
            elif isinstance(x, BinOp) and x.op.startswith("%"):
                raise self.fail(f"unknown operator {x.op}", x,
                                hint="the formula operators are + - : * / %in% ^")
            elif isinstance(x, BinOp):
                raise self.fail(f"'{x.op}' cannot join model terms", x,
                                hint=f"to use a condition as a covariate write I({x})")
            elif isinstance(x, Formula):
                if c != "random":
                    raise self.fail(f"a nested formula ('~ ...') is not allowed here in the "
                                    f"{self.kind} formula", x,
                                    hint="only a random formula may end in '+ ~ terms'")
                stack.append((x.rhs, c))
            elif isinstance(x, Dot):
                raise self.fail("'.' is only meaningful in update formulas", x,
                                hint="use asr_py.formula.update_formula(old, new) first")
            elif isinstance(x, (String, Bool, Null)):
                raise self.fail(f"{x} cannot be a model term", x,
                                hint="strings and TRUE/FALSE/NULL belong inside arguments")
            elif isinstance(x, Number):
                pass  # 1 / 0 / -1 and misplaced numbers: expand() decides, with position
            elif isinstance(x, Name):
                pass
            elif isinstance(x, Call):
                for inner in self.check_part(x, c):
                    stack.append(inner)

    def check_part(self, call: Call, ctx: str) -> list[tuple[Expr, str]]:
        """Check one called part of a term; returns nested formula bodies still to walk."""
        spec = lookup(call.func)
        if ctx in ("fixed", "sparse"):
            if spec is None:
                raise self.unknown(call, _names("model") + sorted(TRANSFORMS),
                                   f"in a {ctx} formula")
            if spec.kind == "variance" and call.func not in TRANSFORMS:
                raise self.fail(
                    f"{call.func}() is a variance structure; it belongs in the random or "
                    f"residual formula", call,
                    hint="fixed terms are factors, covariates, at(), pol(), spl(), lin()...")
            if call.func in ("str", "dsum"):
                raise self.fail(f"{call.func}() belongs in the random or residual formula",
                                call)
            if spec.kind == "value":
                raise self.fail(f"{call.func}() cannot be a model term", call)
        elif ctx == "vmodel":
            # a known matrix (asreml 4's direct-maternal us(2):vm(animal, ainv)) or structures
            if spec is None or (spec.kind != "variance" and call.func not in _VMODEL_MATRICES):
                raise self.unknown(call, _names("variance"), "in the variance model of str()",
                                   what="variance structure")
        else:
            if spec is None:
                raise self.unknown(call, _names("variance", "model"), f"in a {self.kind} formula",
                                   what="ASReml function")
            if spec.kind in ("transform", "value"):
                raise self.fail(
                    f"R function {call.func}() cannot be a {self.kind} term", call,
                    hint="random and residual terms are factors, ASReml variance structures "
                         "(us, diag, ar1, fa...) and model functions (vm, at, spl, str...)")
        self.check_args(call)
        return self.nested(call, ctx)

    def nested(self, call: Call, ctx: str) -> list[tuple[Expr, str]]:
        out: list[tuple[Expr, str]] = []
        pos = call.positional()
        if call.func == "str":
            first, second = pos
            for i, arg in enumerate((first, second)):
                if not isinstance(arg, Formula):
                    raise self.fail(
                        f"argument {i + 1} of str() must be a formula", arg,
                        hint="str(~ terms, ~ variance model), e.g. "
                             "str(~ Subject + Subject:Days, ~ us(2):id(Subject))")
                if arg.lhs is not None:
                    raise self.fail("a formula inside str() has no response", arg.lhs)
            out.append((second.rhs, "vmodel"))
            out.append((first.rhs, "terms"))
            expand(first, "random", text=self.text)
            expand(second, "random", text=self.text)
        elif call.func == "dsum":
            arg = pos[0]
            body = arg.rhs if isinstance(arg, Formula) else None
            while isinstance(body, Paren):
                body = body.expr
            if not isinstance(arg, Formula) or not (isinstance(body, BinOp) and body.op == "|"):
                raise self.fail("dsum() needs a formula with a conditioning factor", arg,
                                hint="write dsum(~ units | Site) or "
                                     "dsum(~ ar1(Row):ar1(Col) | Site)")
            if arg.lhs is not None:
                raise self.fail("a formula inside dsum() has no response", arg.lhs)
            group = body.right
            if not isinstance(group, Name):
                raise self.fail("the conditioning factor after '|' must be a single factor "
                                "name", group, hint="e.g. dsum(~ units | Site)")
            out.append((body.left, "residual"))
            expand(Formula(None, body.left, span=body.left.span), "random", text=self.text)
        else:
            for a in call.args:
                if isinstance(a.value, Formula):
                    raise self.fail(f"{call.func}() does not take a formula argument", a.value,
                                    hint="formula arguments belong to str() and dsum()")
        return out

    def check_args(self, call: Call) -> None:
        spec = lookup(call.func)
        if spec is None or call.func in UNAVAILABLE:  # refused as 'not available' at compile
            return
        npos = len(call.positional())
        if call.func == "at" and not call.args:
            raise self.fail("at() needs the factor whose levels select the term", call,
                            hint="write at(Site) (every level) or at(Site, 'A') / "
                                 "at(Site, c('A', 'B'))")
        if call.func == "str" and npos == 1:
            raise self.fail("str() needs two arguments, got one", call,
                            hint="str(~ terms, ~ variance model), e.g. "
                                 "str(~ Subject + Subject:Days, ~ us(2):id(Subject))")
        if not spec.min_args <= npos <= spec.max_args:
            if spec.max_args >= INF:
                want = f"at least {spec.min_args}"
            elif spec.min_args == spec.max_args:
                want = f"{spec.min_args}"
            else:
                want = f"{spec.min_args} to {spec.max_args}"
            plural = "" if want == "1" else "s"
            raise self.fail(
                f"{call.func}() takes {want} positional argument{plural}, got {npos}", call,
                hint=f"{call.func}: {spec.doc}" + (
                    f"; named arguments: {', '.join(sorted(spec.named))}" if spec.named else ""))
        seen: set[str] = set()
        for a in call.args:
            if a.name is None:
                continue
            if a.name in seen:
                raise self.fail(f"argument '{a.name}' given twice in {call.func}()", a)
            seen.add(a.name)
            if a.name not in spec.named:
                close = suggest(a.name, sorted(spec.named)) if spec.named else None
                known = ", ".join(sorted(spec.named)) or "none"
                raise self.fail(
                    f"{call.func}() has no argument '{a.name}'", a,
                    hint=(f"did you mean {close}? " if close else "")
                    + f"named arguments of {call.func}(): {known}")

    def unknown(self, call: Call, pool: list[str], where: str,
                what: str = "function") -> FormulaError:
        close = suggest(call.func, pool)
        known = lookup(call.func)
        if known is not None:
            msg = f"{call.func}() cannot be used {where}"
        else:
            msg = f"unknown {what} {call.func}() {where}"
        hint = f"did you mean {close}?" if close and close != call.func else None
        hint = _NOT_SUPPORTED.get(call.func, hint)
        return self.fail(msg, call, hint=hint)


def split_offsets(f: Formula) -> tuple[Formula, list[Call]]:
    """(``f`` without its top-level ``offset(x)`` terms, those terms): the known terms of a
    fixed formula, which the fit takes out (asr_py.model.offset). Top level is the chain of
    ``+`` and ``-`` (``y ~ offset(o) + x - 1``); the intercept-only ``1`` stands in when
    nothing else is left. An offset elsewhere (in an interaction) stays and is refused."""
    signed: list[tuple[str, Expr]] = []

    def walk(e: Expr, sign: str) -> None:       # the left-leaning chain, without recursion
        while isinstance(e, BinOp) and e.op in ("+", "-"):
            signed.append(("-" if e.op == "-" else "+", e.right))
            e = e.left
        signed.append((sign, e))
        signed.reverse()

    def known(sg: str, e: Expr) -> bool:
        return sg == "+" and isinstance(e, Call) and e.func == "offset"

    if f.rhs is None:
        return f, []
    walk(f.rhs, "+")
    offs = [e for sg, e in signed if known(sg, e)]
    if not offs:
        return f, []
    kept = [(sg, e) for sg, e in signed if not known(sg, e)]
    lead = not kept or kept[0][0] == "-"
    rhs: Expr = Number(1.0) if lead else kept[0][1]
    for sg, e in kept if lead else kept[1:]:
        rhs = BinOp(sg, rhs, e, span=rhs.span)
    return Formula(f.lhs, rhs, span=f.span), offs


#: model functions that give a known matrix: allowed in str()'s variance model
_VMODEL_MATRICES = frozenset({"vm", "ide", "giv", "ped"})

#: R/asreml functions a user may write that asr_py does not take, with what to write instead
_NOT_SUPPORTED = {
    "offset": "offset(x) is a term of the fixed formula on its own (y ~ a + offset(x)), "
              "as in R; it cannot be part of an interaction or of the random/residual model",
    "sbs": "asr_py does not implement asreml's sbs(); docs/coverage.md lists the model "
           "functions it supports",
    **dict.fromkeys(
        ("vs", "vsm", "vsr", "vsc", "ism", "dsm", "usm", "unsm", "atm", "csm"),
        "this is sommer's syntax, not asreml's: write the structure on the factor, e.g. "
        "vsm(usm(trait), ism(gen)) is us(trait):gen, vsr(dsm(env), gen) is diag(env):gen, "
        "vs(id, Gu = K) is vm(id, K) (asr.lme4 takes lme4's syntax)"),
}


def validate_formula(f: Formula, kind: str, text: str | None = None) -> None:
    """Check one parsed formula as the ``kind`` formula of an asreml() call (see module doc)."""
    _Checker(str(f) if text is None else text, kind).check(f)


def _parse_one(value: str | Formula, kind: str) -> tuple[Formula, str]:
    if isinstance(value, Formula):
        text = str(value)
        # positions of a given Formula refer to its own source; re-parse the canonical text
        return parse_formula(text, kind), text
    if not isinstance(value, str):
        raise FormulaError(
            f"the {kind} formula must be text or a parsed Formula, not {type(value).__name__}",
            formula=kind, hint='write it in quotes, e.g. "~ Rep"')
    return parse_formula(value, kind), value


def parse_model(
    fixed: str | Formula,
    random: str | Formula | None = None,
    residual: str | Formula | None = None,
    rcov: str | Formula | None = None,
    sparse: str | Formula | None = None,
) -> ModelFormula:
    """Parse and validate the formulas of one asreml() call.

    ``rcov`` is asreml 3's name for ``residual`` (stored as ``residual``). Raises
    :class:`~asr_py.errors.FormulaSyntaxError` / :class:`~asr_py.errors.FormulaError` whose
    ``.formula`` says which formula and ``.line``/``.column`` where.
    """
    if residual is not None and rcov is not None:
        raise FormulaError(
            "both residual= and rcov= are given", formula="rcov",
            hint="rcov is asreml 3's name for residual; give only one of them")
    texts: dict[str, str] = {}
    parsed: dict[str, Formula | None] = {}
    for kind, value in (("fixed", fixed), ("random", random),
                        ("residual", residual if residual is not None else rcov),
                        ("sparse", sparse)):
        if value is None:
            parsed[kind] = None
            continue
        label = "rcov" if kind == "residual" and residual is None else kind
        f, text = _parse_one(value, label)
        if kind == "fixed":                  # us(trait):g in the fixed formula is trait:g
            g = fixed_as_factors(f)
            if g is not f:
                f, text = parse_formula(str(g), label), str(g)
        _Checker(text, label).check(f)
        parsed[kind] = f
        texts[kind] = text
    assert parsed["fixed"] is not None
    return ModelFormula(parsed["fixed"], parsed["random"], parsed["residual"],
                        parsed["sparse"], texts)


def _bar_hint(bar: BinOp) -> str:
    """The asreml spelling of lme4's ``(lhs | g)`` (a random intercept and/or slopes)."""
    g = str(bar.right)
    lhs = [t.strip() for t in str(bar.left).split("+")]
    slopes = [t for t in lhs if t not in ("1", "0", "-1")]
    no_int = "0" in lhs or "-1" in lhs
    if not slopes:
        lme = f"for lme4's ({bar.left} | {g}) write {g}"
    elif no_int:
        lme = f"for lme4's ({bar.left} | {g}) write " + " + ".join(f"{g}:{x}" for x in slopes)
    else:
        k = len(slopes) + 1
        terms = " + ".join([g] + [f"{g}:{x}" for x in slopes])
        lme = (f"for lme4's correlated random regression ({bar.left} | {g}) write "
               f"str(~ {terms}, ~ us({k}):id({g}))")
    return lme + "; for heterogeneous residual sections write dsum(~ units | Site)"
