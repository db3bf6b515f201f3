"""``vpredict``: functions of variance parameters with delta-method standard errors.

For f(θ) the standard error is sqrt(∇f' Var(θ̂) ∇f), with Var(θ̂) the inverse average
information matrix and ∇f by central differences (step 1e-6 relative), as asreml's vpredict.
The expression is written in R syntax: ``h2 ~ V1/(V1+V3)``; ``V1..Vk`` number the components
in the order given (varcomp's, plus asreml's fixed residual scale row where asreml lists one:
:mod:`asr_py.results.vnumbers`); a component can also be named in backticks: ```units!R```.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from asr_py.errors import FormulaError
from asr_py.formula.ast import BinOp, Call, Expr, Formula, Name, Number, Paren, UnaryOp

_FUNCS: dict[str, Callable[[float], float]] = {
    "sqrt": math.sqrt, "exp": math.exp, "log": math.log, "abs": abs, "log10": math.log10,
}


def _compile(expr: Expr, names: Sequence[str], text: str) -> Callable[[np.ndarray], float]:
    index = {n: i for i, n in enumerate(names)}

    def err(e: Expr, msg: str, hint: str | None = None) -> FormulaError:
        return FormulaError.at(msg, e.span, text=text, formula="vpredict", hint=hint)

    def build(e: Expr) -> Callable[[np.ndarray], float]:
        if isinstance(e, Number):
            v = float(e.value)
            return lambda th: v
        if isinstance(e, Paren):
            return build(e.expr)
        if isinstance(e, Name):
            nm = e.name
            if nm in index:
                i = index[nm]
                return lambda th: th[i]
            if nm.startswith("V") and nm[1:].isdigit():
                i = int(nm[1:]) - 1
                if not 0 <= i < len(names):
                    raise err(e, f"{nm} does not exist: the model has {len(names)} components",
                              "V1.. number the rows of varcomp (and asreml's fixed residual scale "
                              "<term>!R where asreml lists it)")
                return lambda th: th[i]
            raise err(e, f"unknown component '{nm}'",
                      "use V1..Vk or a component name in backticks")
        if isinstance(e, UnaryOp) and e.op == "-":
            f = build(e.operand)
            return lambda th: -f(th)
        if isinstance(e, BinOp) and e.op in ("+", "-", "*", "/", "^"):
            a, b = build(e.left), build(e.right)
            op = e.op
            if op == "+":
                return lambda th: a(th) + b(th)
            if op == "-":
                return lambda th: a(th) - b(th)
            if op == "*":
                return lambda th: a(th) * b(th)
            if op == "/":
                return lambda th: a(th) / b(th)
            return lambda th: a(th) ** b(th)
        if isinstance(e, Call) and e.func in _FUNCS and len(e.args) == 1:
            f, g = _FUNCS[e.func], build(e.args[0].value)
            return lambda th: f(g(th))
        raise err(e, f"cannot use '{e}' in a vpredict expression",
                  "arithmetic (+ - * / ^), sqrt, exp, log, abs of V1..Vk")

    return build(expr)


def vpredict(formula: str, theta: np.ndarray, vcov: np.ndarray, names: Sequence[str],
             constraints: Sequence[str] | None = None) -> pd.DataFrame:
    """Estimate and delta-method SE of ``name ~ f(V1..Vk)`` (see the module docstring).

    Parameters fixed ('F') or held at a boundary ('B') count as known (zero variance), as
    ASReml does; the SE is NaN only when the free parameters' AI matrix was singular."""
    from asr_py.formula.parser import parse_formula

    f = parse_formula(formula)
    if not isinstance(f, Formula) or f.lhs is None:
        raise FormulaError("vpredict needs 'name ~ expression', e.g. h2 ~ V1/(V1+V2)",
                           text=formula, formula="vpredict")
    fn = _compile(f.rhs, list(names), formula)
    th = np.asarray(theta, dtype=float)
    est = float(fn(th))
    g = np.zeros(th.size)
    for i in range(th.size):
        h = 1e-6 * max(abs(th[i]), 1e-3)
        up, dn = th.copy(), th.copy()
        up[i] += h
        dn[i] -= h
        g[i] = (fn(up) - fn(dn)) / (2 * h)
    used = g != 0
    V = np.array(vcov, dtype=float)
    if constraints is not None:
        known = np.array([c in ("F", "B") for c in constraints], dtype=bool)
        V[known, :] = 0.0
        V[:, known] = 0.0
    if np.isnan(V[np.ix_(used, used)]).any():
        se = float("nan")
    else:
        se = float(np.sqrt(max(g[used] @ V[np.ix_(used, used)] @ g[used], 0.0)))
    return pd.DataFrame({"Estimate": [est], "SE": [se]}, index=[str(f.lhs)])
