"""``spl(x, k)``: the random part of a cubic smoothing spline, as ASReml fits it.

Green & Silverman (1994, ch. 2) write a natural cubic spline with knots t_1 < ... < t_r by its
values g = g(t) and second derivatives γ at the interior knots (γ_1 = γ_r = 0), linked by
Q'g = Rγ, with h_i = t_{i+1} − t_i and, for the interior knots j = 2..r−1,

    Q (r × (r−2)):      q_{j−1,j} = 1/h_{j−1},  q_{jj} = −1/h_{j−1} − 1/h_j,  q_{j+1,j} = 1/h_j
    R ((r−2) × (r−2)):  r_{jj} = (h_{j−1} + h_j)/3,  r_{j,j+1} = r_{j+1,j} = h_j/6

and roughness ∫ g''(t)² dt = γ'Rγ = g'QR⁻¹Q'g. Verbyla, Cullis, Kenward & Welham (1999,
JRSS C 48, 269-311) split g = X_s β_s + Q(Q'Q)⁻¹ δ with X_s = [1, t] (Q'X_s = 0, so Q'g = δ
and the roughness is δ'R⁻¹δ) and take δ ~ N(0, σ²_s R). The fixed part is the linear trend
(the user writes ``fixed = y ~ x``); the random term ``spl(x)`` is

    Z_s = N Q (Q'Q)⁻¹,   G_s = σ²_s R,

N the (records × knots) map from g to the spline at the records. BLUP then minimises
Σ (y_i − g(x_i))² + λ ∫ g''² with λ = σ²_e / σ²_s: the natural cubic smoothing spline.

Knots (ASReml's rules): the unique values of x when there are fewer than
:data:`MAX_DEFAULT_KNOTS`, otherwise that many equally spaced points over [min x, max x];
``spl(x, k)`` asks for k equally spaced knots; ``knot_points={"x": [...]}`` (asreml's
``knot.points``) gives the knots of ``spl(x)`` (sorted; every record's x must lie within
them). When x is a knot, N's row is an indicator;
between knots t_i ≤ x ≤ t_{i+1} it is Green & Silverman's (2.5)

    g(x) = ((x − t_i) g_{i+1} + (t_{i+1} − x) g_i)/h_i
           − (x − t_i)(t_{i+1} − x)/6 · ((1 + (x − t_i)/h_i) γ_{i+1} + (1 + (t_{i+1} − x)/h_i) γ_i)

i.e. N g = A g + C γ with γ = R⁻¹ Q'g = R⁻¹ δ, so Z_s = A Q(Q'Q)⁻¹ + C R⁻¹ (A X_s = [1, x]:
the fixed part is still the linear trend). As ASReml does by default, x and the knots are
divided by c = (t_r − t_1)/9 first (:func:`spline_scale`): σ²_s is then reported on asreml's
scale, c³ times the one on x's own scale; the fit and the log-likelihood are unchanged.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp

from asr_py.errors import DataError
from asr_py.formula.ast import Call, Name, Number
from asr_py.model.blocks import Block, Context, whole_number
from asr_py.model.data import numeric_value

#: ASReml's default cap on the number of knots at unique values (its KNOTS option)
MAX_DEFAULT_KNOTS = 50

#: the most knots spl(x, k) may ask for (its penalty matrix is dense, (k-2) x (k-2))
MAX_KNOTS = 2000


def spline_knots(x: np.ndarray, k: int | None = None,
                 max_default: int = MAX_DEFAULT_KNOTS) -> np.ndarray:
    """Knot points: k equally spaced over [min, max]; by default the unique values of x
    (or ``max_default`` equally spaced points when x has that many unique values or more)."""
    xs = np.asarray(x, dtype=float)
    xs = xs[np.isfinite(xs)]
    uniq = np.unique(xs)
    if uniq.size < 3:
        raise DataError(f"a smoothing spline needs at least 3 distinct values of the "
                        f"covariate, it has {uniq.size}",
                        hint="use a linear trend (the covariate in the fixed formula) instead")
    if k is None:
        if uniq.size < max_default:
            return uniq
        k = max_default
    if k < 3:
        raise DataError(f"a smoothing spline needs at least 3 knots, {k} were asked for")
    return np.linspace(uniq[0], uniq[-1], int(k))


def knot_point_table(knot_points: Any) -> dict[str, np.ndarray]:
    """asreml's ``knot.points``: {covariate name: its knots, sorted and unique}; checked."""
    if knot_points is None:
        return {}
    if not isinstance(knot_points, dict):
        raise DataError(f"knot_points must be a dict {{covariate: knots}}, not "
                        f"{type(knot_points).__name__}", hint="e.g. knot_points={'x': [1, 5, 9]}")
    out = {}
    for name, pts in knot_points.items():
        try:
            t = np.unique(np.asarray(pts, dtype=float).ravel())
        except (TypeError, ValueError):
            raise DataError(f"knot_points['{name}'] must be numbers",
                            hint="e.g. knot_points={'x': [1, 5, 9]}") from None
        if t.size < 3 or not np.all(np.isfinite(t)):
            raise DataError(f"knot_points['{name}'] needs at least 3 distinct finite knots, "
                            f"it has {int(np.isfinite(t).sum())}")
        out[str(name)] = t
    return out


def penalty_matrices(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Green & Silverman's Q (r × (r−2)) and R ((r−2) × (r−2)) for knots t (increasing)."""
    t = np.asarray(t, dtype=float)
    r = t.size
    h = np.diff(t)
    if r < 3 or np.any(h <= 0):
        raise DataError("spline knots must be at least 3 strictly increasing values")
    Q = np.zeros((r, r - 2))
    R = np.zeros((r - 2, r - 2))
    for c in range(r - 2):  # column c is interior knot j = c + 1 (0-based)
        j = c + 1
        Q[j - 1, c] = 1.0 / h[j - 1]
        Q[j, c] = -1.0 / h[j - 1] - 1.0 / h[j]
        Q[j + 1, c] = 1.0 / h[j]
        R[c, c] = (h[j - 1] + h[j]) / 3.0
        if c + 1 < r - 2:
            R[c, c + 1] = R[c + 1, c] = h[j] / 6.0
    return Q, R


def interpolation_matrices(x: np.ndarray, t: np.ndarray) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """(A, C) with g(x) = A g + C γ (γ over the interior knots), Green & Silverman (2.5).

    x outside [t_1, t_r] raises (a natural spline is linear there, but ASReml's knots always
    cover the data).
    """
    x = np.asarray(x, dtype=float)
    t = np.asarray(t, dtype=float)
    r = t.size
    if np.any(x < t[0] - 1e-9 * (1 + abs(t[0]))) or np.any(x > t[-1] + 1e-9 * (1 + abs(t[-1]))):
        raise DataError("covariate values outside the range of the spline knots")
    i = np.clip(np.searchsorted(t, x, side="right") - 1, 0, r - 2)
    h = t[i + 1] - t[i]
    a = x - t[i]
    b = t[i + 1] - x
    n = x.size
    rows = np.repeat(np.arange(n), 2)
    A = sp.csr_matrix((np.column_stack([b / h, a / h]).ravel(),
                       (rows, np.column_stack([i, i + 1]).ravel())), shape=(n, r))
    w = -a * b / 6.0
    cg_i = w * (1 + b / h)      # coefficient of γ_i
    cg_i1 = w * (1 + a / h)     # coefficient of γ_{i+1}
    # interior index of knot j is j − 1; knots 0 and r − 1 have γ = 0
    cols = np.column_stack([i - 1, i]).ravel()
    vals = np.column_stack([cg_i, cg_i1]).ravel()
    keep = (cols >= 0) & (cols <= r - 3) & (vals != 0)
    C = sp.csr_matrix((vals[keep], (rows[keep], cols[keep])), shape=(n, r - 2))
    return A, C


#: ASReml's standardised spline scale: x and the knots divided by (t_r − t_1)/9, so that
#: the knots span 9 units whatever x's units (see :func:`spline_scale`)
STANDARD_SPAN = 9.0


def spline_scale(t: np.ndarray) -> float:
    """c = (t_r − t_1)/9: ASReml forms spl()'s design on x/c ("a standardized scale,
    independent of the actual scale of the variable"; its ``!SCALE 1`` turns it off).

    With x* = x/c, Q* = cQ, R* = R/c, Z* = Z/c, so σ²_s* Z*R*Z*' = σ²_s ZRZ' gives
    σ²_s* = c³ σ²_s: the fit and ℓ are unchanged, the reported σ²_s is asreml's and does not
    change with x's units. The constant 9 is not documented; it reproduces asreml's recorded
    σ²_s on knot sets of 7 (ASReml 3 guide's orange example: 3.968 vs 3.955 here, ℓ equal)
    and 10 (asremlPlus test42Selection.r xDAP: eight variances within 0.5 %) points.
    """
    span = float(t[-1] - t[0])
    return span / STANDARD_SPAN if span > 0 else 1.0


def spline_design(x: np.ndarray, t: np.ndarray, standardise: bool = True
                  ) -> tuple[np.ndarray, np.ndarray]:
    """(Z_s, R): Z_s = A Q (Q'Q)⁻¹ + C R⁻¹ (n × (r−2)) and the penalty R of the knots t,
    formed on x/c and t/c with c = :func:`spline_scale` (``standardise=False``: x's own
    scale)."""
    x = np.asarray(x, dtype=float)
    t = np.asarray(t, dtype=float)
    if standardise:
        c = spline_scale(t)
        x, t = x / c, t / c
    Q, R = penalty_matrices(t)
    A, C = interpolation_matrices(x, t)
    QtQ = Q.T @ Q
    # Z' = (Q'Q)⁻¹ Q'A' + R⁻¹ C'   (Q'Q and R symmetric positive definite)
    Zt = sla.cho_solve(sla.cho_factor(QtQ), Q.T @ A.T.toarray())
    if C.nnz:
        Zt = Zt + sla.cho_solve(sla.cho_factor(R), C.T.toarray())
    return np.ascontiguousarray(Zt.T), R


def _fmt(v: float) -> str:
    return f"{v:.6g}"


def spline_block(ctx: Context, call: Call) -> Block:
    """``spl(x)`` / ``spl(x, k)``: block with Z_s and the known template R (the compiler adds
    σ²_s, so G = σ²_s R)."""
    from asr_py.vcov.known import KnownMatrix

    pos = call.positional()
    named = call.named()
    if not pos:
        raise ctx.error(call, "spl() needs a covariate: spl(x) or spl(x, k)")
    k_expr = named.get("k", pos[1] if len(pos) > 1 else None)
    k: int | None = None
    if k_expr is not None:
        if not isinstance(k_expr, Number):
            raise ctx.error(k_expr, f"spl(): the number of knots must be a whole number, "
                            f"got '{k_expr}'", "e.g. spl(x, 10)")
        k = whole_number(ctx, k_expr, "spl(): the number of knots", 0, MAX_KNOTS,
                         "e.g. spl(x, 10); 0 means the default knots")
        if k == 0:
            k = None  # ASReml: k = 0 means the default knots
        elif k < 3:
            raise ctx.error(k_expr, f"spl(): {k} knots are too few, a cubic smoothing spline "
                            "needs at least 3", "leave k out to use the unique values of x")
    if "init" in named:
        raise ctx.error(named["init"], "spl(): init= is not supported",
                        "set the spline variance's start value with params=")
    xe = pos[0]
    full = numeric_value(xe, ctx.frame, ctx.text, ctx.formula)
    x = full[ctx.records.row]
    if not np.all(np.isfinite(x)):
        raise ctx.error(xe, f"spl(): the covariate '{xe}' has missing values in the records",
                        "drop those rows or give na_action")
    given = ctx.knot_points.get(xe.name) if isinstance(xe, Name) else None
    if given is not None:
        t = given
        if x.size and (x.min() < t[0] or x.max() > t[-1]):
            raise ctx.error(call, f"spl({xe}): covariate values {x.min():g}..{x.max():g} lie "
                            f"outside the knot points {t[0]:g}..{t[-1]:g}",
                            "the knot points must cover every value of the covariate")
    else:
        try:
            t = spline_knots(x, k)
        except DataError as exc:
            raise ctx.error(call, f"spl({xe}): {exc.message}", exc.hint) from None
    Z, R = spline_design(x, t)
    name = f"spl({xe.name if isinstance(xe, Name) else xe})"
    labels = tuple(f"{name}_{_fmt(v)}" for v in t[1:-1])
    template = KnownMatrix(R, levels=labels, name=name)
    return Block(sp.csr_matrix(Z), labels, name, str(call), False, template=template,
                 known=True, structure="spl", extra={"knots": t})


__all__ = ["MAX_DEFAULT_KNOTS", "knot_point_table", "spline_knots", "penalty_matrices",
           "interpolation_matrices", "spline_design", "spline_scale", "spline_block"]
