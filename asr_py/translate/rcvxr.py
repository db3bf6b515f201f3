"""A small part of CVXR (disciplined convex optimisation) for translated scripts: one
``Variable(n)``, affine expressions of it (``v %*% x``, ``A %*% x + b``, ``sum_entries(x)``,
sums, differences, scalar multiples), ``quad_form(x, P)``, ``sum_squares(x)``, constraints
``<=``/``>=``/``==`` between them and constants, ``Maximize()``/``Minimize()``,
``Problem(objective, constraints)`` and ``solve(problem)``, whose value answers
``$getValue(x)``, ``$value`` and ``$status`` as CVXR's does.

The problem breeders write for a merit (Smith-Hazel) selection index - a linear objective
under one ellipsoid, ``maximize v'x subject to x'Qx <= r²`` (Q positive definite) - has the
closed form (Lagrange): ``x* = r Q⁻¹v / sqrt(v'Q⁻¹v)``, value ``r sqrt(v'Q⁻¹v)`` (minimise:
``-x*``); it is solved so. Any other problem of these pieces is solved numerically (scipy's
SLSQP from the origin, then checked: ``status`` is ``"optimal"`` only when the constraints
hold and the optimiser says it converged). A convex problem has one optimum, so the value
is CVXR's to the solvers' tolerances.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["CALLS", "Variable", "r_Maximize", "r_Minimize", "r_Problem", "r_Variable",
           "r_quad_form", "r_sum_entries", "r_sum_squares", "solve_problem"]

_PKG = ("CVXR",)
#: R function -> (runtime helper, formals in R's order, packages): rpkgcalls.py
CALLS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "Variable": ("r_Variable", ("rows", "cols", "name"), _PKG),
    "quad_form": ("r_quad_form", ("x", "P"), _PKG),
    "sum_squares": ("r_sum_squares", ("expr",), _PKG),
    "sum_entries": ("r_sum_entries", ("expr",), _PKG),
    "Maximize": ("r_Maximize", ("expr",), _PKG),
    "Minimize": ("r_Minimize", ("expr",), _PKG),
    "Problem": ("r_Problem", ("objective", "constraints"), _PKG),
}


class _Expr:
    """Arithmetic and comparisons shared by CVXR's expressions."""

    __array_ufunc__ = None          # numpy hands `array @ expr`, `2 * expr` to us

    def _aff(self) -> Affine:
        raise NotImplementedError

    def __add__(self, o: Any) -> Any:
        return _add(self, o, 1.0)

    __radd__ = __add__

    def __sub__(self, o: Any) -> Any:
        return _add(self, o, -1.0)

    def __rsub__(self, o: Any) -> Any:
        return _add(_scale(self, -1.0), o, 1.0)

    def __neg__(self) -> Any:
        return _scale(self, -1.0)

    def __mul__(self, o: Any) -> Any:
        if isinstance(o, _Expr) or np.size(o) != 1:
            raise AsrError("CVXR: only a number times an expression is emulated",
                           hint="write A %*% x for a matrix product")
        return _scale(self, float(np.asarray(o).ravel()[0]))

    __rmul__ = __mul__

    def __rmatmul__(self, o: Any) -> Affine:
        a = self._aff()
        m = np.atleast_2d(np.asarray(o, dtype=float))
        if m.shape[1] != a.A.shape[0]:
            raise AsrError(f"CVXR: {m.shape[0]} x {m.shape[1]} %*% an expression of "
                           f"length {a.A.shape[0]}: non-conformable")
        return Affine(a.var, m @ a.A, m @ a.b)

    r_rmatmul = __rmatmul__

    def __le__(self, o: Any) -> Constraint:       # type: ignore[override]
        return Constraint(self, "<=", o)

    def __ge__(self, o: Any) -> Constraint:       # type: ignore[override]
        return Constraint(self, ">=", o)

    def __eq__(self, o: Any) -> Constraint:       # type: ignore[override]
        return Constraint(self, "==", o)

    __hash__ = object.__hash__


class Variable(_Expr):
    """CVXR's ``Variable(rows)``: the unknown vector."""

    def __init__(self, n: int, name: str = "x") -> None:
        self.n, self.name = n, name
        self.value: np.ndarray | None = None

    def _aff(self) -> Affine:
        return Affine(self, np.eye(self.n), np.zeros(self.n))

    def __repr__(self) -> str:
        return f"Variable({self.n})"


@dataclass(eq=False)
class Affine(_Expr):
    """``A x + b``."""

    var: Variable
    A: np.ndarray
    b: np.ndarray

    def _aff(self) -> Affine:
        return self

    def at(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.A @ x + self.b)


@dataclass(eq=False)
class Quad(_Expr):
    """``x'Px + q'x + c`` (a scalar)."""

    var: Variable
    P: np.ndarray
    q: np.ndarray
    c: float

    def _aff(self) -> Affine:
        raise AsrError("CVXR: a quadratic expression cannot enter a matrix product")

    def at(self, x: np.ndarray) -> np.ndarray:
        return np.array([x @ self.P @ x + self.q @ x + self.c])


def _as(e: Any, var: Variable) -> Affine | Quad:
    if isinstance(e, Quad):
        return e
    if isinstance(e, _Expr):
        return e._aff()
    v = np.atleast_1d(np.asarray(e, dtype=float)).ravel()
    return Affine(var, np.zeros((len(v), var.n)), v)


def _var(*es: Any) -> Variable:
    vs = {id(e.var if not isinstance(e, Variable) else e): (e if isinstance(e, Variable)
                                                            else e.var)
          for e in es if isinstance(e, _Expr)}
    if len(vs) != 1:
        raise AsrError("CVXR: expressions of more than one Variable are not emulated",
                       hint="stack the unknowns into one Variable(n)")
    return next(iter(vs.values()))


def _scale(e: _Expr, s: float) -> Affine | Quad:
    a = _as(e, _var(e))
    if isinstance(a, Quad):
        return Quad(a.var, s * a.P, s * a.q, s * a.c)
    return Affine(a.var, s * a.A, s * a.b)


def _add(e: Any, o: Any, sign: float) -> Affine | Quad:
    var = _var(e, o)
    a, b = _as(e, var), _as(o, var)
    if isinstance(a, Affine) and isinstance(b, Affine):
        if a.A.shape[0] != b.A.shape[0] and 1 not in (a.A.shape[0], b.A.shape[0]):
            raise AsrError("CVXR: adding expressions of different lengths")
        return Affine(var, a.A + sign * b.A, a.b + sign * b.b)

    def quad(z: Affine | Quad) -> Quad:
        if isinstance(z, Quad):
            return z
        if z.A.shape[0] != 1:
            raise AsrError("CVXR: a quadratic form plus a vector expression")
        return Quad(var, np.zeros((var.n, var.n)), z.A[0], float(z.b[0]))

    qa, qb = quad(a), quad(b)
    return Quad(var, qa.P + sign * qb.P, qa.q + sign * qb.q, qa.c + sign * qb.c)


@dataclass(eq=False)
class Constraint:
    """``lhs op rhs``."""

    lhs: Any
    op: str
    rhs: Any


@dataclass
class Objective:
    """``Maximize(expr)`` / ``Minimize(expr)``."""

    sense: str
    expr: Any


@dataclass
class Problem:
    """CVXR's ``Problem(objective, constraints)``; ``solve(problem)`` solves it."""

    objective: Objective
    constraints: list[Constraint]

    def r_solve(self) -> dict[str, Any]:
        return solve_problem(self)


def r_Variable(rows: Any = 1, cols: Any = 1, name: Any = None) -> Variable:  # noqa: N802
    """CVXR's ``Variable(rows, cols)`` (a vector: cols = 1)."""
    n, m = int(np.asarray(rows).ravel()[0]), int(np.asarray(cols).ravel()[0])
    if m != 1 or n < 1:
        raise AsrError(f"Variable({n}, {m}): only a vector variable (cols = 1) is emulated")
    return Variable(n, str(name) if name is not None else "x")


def r_quad_form(x: Any, P: Any) -> Quad:  # noqa: N803 - CVXR's name
    """CVXR's ``quad_form(x, P)``: x'Px."""
    a = _as(x, _var(x))
    if not isinstance(a, Affine):
        raise AsrError("quad_form(x, P): x must be affine")
    M = np.asarray(P, dtype=float)
    if M.shape != (a.A.shape[0], a.A.shape[0]):
        raise AsrError(f"quad_form(x, P): P is {M.shape}, x has length {a.A.shape[0]}")
    M = (M + M.T) / 2
    return Quad(a.var, a.A.T @ M @ a.A, 2 * a.A.T @ M @ a.b, float(a.b @ M @ a.b))


def r_sum_squares(expr: Any) -> Quad:
    """CVXR's ``sum_squares(expr)``: Σ expr_i²."""
    a = _as(expr, _var(expr))
    return r_quad_form(a, np.eye(a.A.shape[0]))  # type: ignore[arg-type]


def r_sum_entries(expr: Any) -> Affine:
    """CVXR's ``sum_entries(expr)``: the sum of an affine expression's entries."""
    a = _as(expr, _var(expr))
    if not isinstance(a, Affine):
        return a  # type: ignore[return-value]
    return Affine(a.var, a.A.sum(axis=0, keepdims=True), np.array([a.b.sum()]))


def r_Maximize(expr: Any) -> Objective:  # noqa: N802
    return Objective("max", expr)


def r_Minimize(expr: Any) -> Objective:  # noqa: N802
    return Objective("min", expr)


def r_Problem(objective: Any, constraints: Any = None) -> Problem:  # noqa: N802
    """CVXR's ``Problem(objective, constraints)``."""
    for v in (objective, constraints):
        if isinstance(v, Untranslated):
            return v._use()  # type: ignore[return-value, no-any-return]
    if not isinstance(objective, Objective):
        raise AsrError("Problem(): the objective must be Maximize(...) or Minimize(...)")
    cons = [] if constraints is None else list(constraints.values()) \
        if isinstance(constraints, dict) else list(constraints) \
        if isinstance(constraints, (list, tuple)) else [constraints]
    bad = [type(c).__name__ for c in cons if not isinstance(c, Constraint)]
    if bad:
        raise AsrError(f"Problem(): constraints must be comparisons of expressions, got {bad}")
    return Problem(objective, cons)


def _closed_form(p: Problem, var: Variable) -> np.ndarray | None:
    """max/min c'x s.t. x'Qx <= r² (Q positive definite): ±r Q⁻¹c / sqrt(c'Q⁻¹c)."""
    obj = _as(p.objective.expr, var)
    if not isinstance(obj, Affine) or obj.A.shape[0] != 1 or len(p.constraints) != 1:
        return None
    con = p.constraints[0]
    lhs, rhs, op = con.lhs, con.rhs, con.op
    if op == ">=":
        lhs, rhs, op = rhs, lhs, "<="
    if op != "<=" or isinstance(rhs, _Expr) or not isinstance(lhs, Quad) or \
            np.any(lhs.q) or lhs.c:
        return None
    r2 = float(np.asarray(rhs, dtype=float).ravel()[0])
    try:
        L = np.linalg.cholesky(lhs.P)
    except np.linalg.LinAlgError:
        return None
    c = obj.A[0]
    Qc = np.linalg.solve(L.T, np.linalg.solve(L, c))
    s = float(c @ Qc)
    if r2 < 0 or s <= 0:
        return None
    x = np.sqrt(r2) * Qc / np.sqrt(s)
    return x if p.objective.sense == "max" else -x


def solve_problem(p: Problem) -> dict[str, Any]:
    """``solve(problem)``: CVXR's result list (see the module)."""
    exprs = [p.objective.expr] + [e for c in p.constraints for e in (c.lhs, c.rhs)]
    var = _var(*exprs)
    x = _closed_form(p, var)
    status = "optimal"
    if x is None:
        from scipy.optimize import minimize

        obj = _as(p.objective.expr, var)
        sign = -1.0 if p.objective.sense == "max" else 1.0
        cons = []
        for c in p.constraints:
            g = _add(c.rhs, c.lhs, -1.0) if c.op == "<=" else _add(c.lhs, c.rhs, -1.0) \
                if c.op == ">=" else _add(c.lhs, c.rhs, -1.0)
            cons.append({"type": "eq" if c.op == "==" else "ineq",
                         "fun": (lambda z, g=g: g.at(z))})
        res = minimize(lambda z: sign * float(obj.at(z)[0]), np.zeros(var.n),
                       method="SLSQP", constraints=cons, options={"maxiter": 500,
                                                                  "ftol": 1e-12})
        x = np.asarray(res.x)
        ok = res.success and all(
            (f["fun"](x) >= -1e-7).all() if f["type"] == "ineq" else
            (np.abs(f["fun"](x)) <= 1e-7).all() for f in cons)
        status = "optimal" if ok else "solver_error"
    var.value = x
    value = float(_as(p.objective.expr, var).at(x)[0])

    def get_value(e: Any) -> Any:
        if isinstance(e, Variable) and e is var:
            # CVXR gives an n x 1 matrix; the vector here (as.numeric(), x[i], %*% read
            # it alike, and pandas cannot hold an n x 1 array as a column)
            return x.copy()
        if isinstance(e, _Expr):
            return _as(e, var).at(x)
        raise AsrError("result$getValue(): give a CVXR Variable or expression")

    return {"value": value, "status": status, "getValue": get_value, "solver": "asr_py"}
