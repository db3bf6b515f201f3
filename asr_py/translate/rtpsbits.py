"""TPSbits' ``tpsmmb()`` for translated scripts: the tensor-product P-spline mixed-model
bases that asreml's spatial TPS models are fitted with (Rodriguez-Alvarez et al. 2018,
SpATS's PSANOVA; Piepho, Boer & Williams 2022), written here from the construction the
package documents.

For each dimension (columns, rows) with sorted unique coordinates ``x``:

* ``B``: the B-spline basis of degree ``deg`` on ``nseg`` equal segments of
  ``[min, max]`` (Eilers & Marx 2010: knots ``xl - deg dx, ..., xr + deg dx``), ``nseg + deg``
  columns, each row summing to one;
* ``D``: the difference matrix of order ``d``; the eigen decomposition
  ``D'D = U diag(λ) U'`` splits the coefficients into the penalised part ``U_Z`` (the
  ``n - d`` positive eigenvalues) and the null space ``U_X`` (the polynomials of degree
  ``< d``): ``Z = B U_Z diag(λ)^-1/2`` (random, iid) and ``X = B U_X F`` (fixed), F the
  rotation that makes X's first column the constant and the second the linear trend (signs:
  the constant positive, the trend increasing);
* the smooth x smooth term: the row-wise Kronecker product ``Z_c□Z_r`` of the unscaled
  ``B U_Z`` with the inverse variance ``λ_c ⊗ 1 + 1 ⊗ λ_r`` (Lee, Durbán & Eilers 2013;
  ``method = "Wood"``: the product) folded into its columns.

The value is TPSbits' list: ``data`` (the data with ``TP.col``, ``TP.row``, ``TP.CxR`` =
``A col + row``, ``TP.C.i``, ``TP.R.i``, ``TP.CR.i``), ``mbflist``, ``BcZ.df``, ``BrZ.df``,
``BcrZ.df`` (the mbf tables: the basis columns ``V1...`` then the key), ``dim``, ``trace``
(sum of squares of each random design, i.e. tr(ZGZ')), and ``grp`` (``asreml = "grp"``,
``"sepgrp"``, ``"own"``: the 1-based column numbers of each group in ``data``) or ``eigen``
(``eigenvalues = "omit"``: the inverse variances left out of the Z matrices).

Not emulated: ``rotateX = TRUE`` (a clear error; the default rotation is used otherwise).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy.interpolate import BSpline

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["CALLS", "bspline_basis", "penalty_split", "r_tpsmmb"]

_ASREML = ("mbf", "grp", "sepgrp", "own")

#: R function -> (runtime helper, formals in R's order, packages): rpkgcalls.py
CALLS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "tpsmmb": ("r_tpsmmb", ("columncoordinates", "rowcoordinates", "data", "nsegments",
                            "minbound", "maxbound", "degree", "difforder", "rotateX",
                            "theta", "nestorder", "asreml", "eigenvalues", "method", "stub"),
               ("TPSbits", "asremlPlus")),
}


def bspline_basis(x: np.ndarray, xl: float, xr: float, nseg: int, deg: int) -> np.ndarray:
    """B(x): the degree-``deg`` B-splines on ``nseg`` equal segments of [xl, xr] (knots
    extended by ``deg`` segments each side), ``len(x) x (nseg + deg)``."""
    if not xr > xl:
        raise AsrError(f"tpsmmb(): the coordinate range [{xl}, {xr}] is empty",
                       hint="the coordinates need at least two distinct values")
    dx = (xr - xl) / nseg
    knots = xl + dx * np.arange(-deg, nseg + deg + 1)
    out = BSpline.design_matrix(np.clip(np.asarray(x, dtype=float), xl, xr), knots, deg)
    return np.asarray(out.toarray())


def penalty_split(n: int, d: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(U_Z, U_X, λ) of ``D'D = U diag(λ) U'`` for the order-``d`` difference matrix D of n
    coefficients: λ the n - d positive eigenvalues (decreasing) with their vectors U_Z, and
    U_X the null space (the polynomials of degree < d)."""
    if not 0 < d < n:
        raise AsrError(f"tpsmmb(): difference order {d} needs more than {d} B-splines "
                       f"(got {n})", hint="use more segments or a lower difforder")
    D = np.diff(np.eye(n), n=d, axis=0)
    lam, vec = np.linalg.eigh(D.T @ D)
    order = np.argsort(-lam)
    lam, vec = lam[order], vec[:, order]
    return vec[:, : n - d], vec[:, n - d:], lam[: n - d]


def _fixed_rotation(BX: np.ndarray, d: int) -> np.ndarray:
    """BX rotated so the first column is the constant and the second the linear trend
    (eigenvectors of the centred BX's cross-product, smallest first); the constant made
    positive, the trend increasing."""
    adj = BX - BX.mean(axis=0)
    lam, vec = np.linalg.eigh(adj.T @ adj)          # ascending: the constant direction first
    out = BX @ vec[:, np.argsort(lam)]
    if out[0, 0] < 0:
        out[:, 0] = -out[:, 0]
    if d > 1 and out[0, 1] > 0:
        out[:, 1] = -out[:, 1]
    return out


def _pair(v: Any, what: str, default: tuple[Any, Any]) -> tuple[Any, Any]:
    """An R argument of length 1 or 2 as a pair (length 1: the same in both dimensions)."""
    if v is None or isinstance(v, Untranslated):
        return default
    a = list(np.atleast_1d(np.asarray(v)).ravel())
    if not 1 <= len(a) <= 2:
        raise AsrError(f"tpsmmb(): {what} must have length 1 or 2, got {len(a)}",
                       hint=f"{what} = c(<columns>, <rows>)")
    return (a[0], a[-1])


def _dimension(coord: pd.Series, lo: Any, hi: Any, nseg: int, deg: int, d: int,
               nest: int, what: str) -> dict[str, Any]:
    """One dimension's bases (see the module)."""
    x = np.sort(coord.unique())
    xl = float(min(x[0], lo)) if lo is not None else float(x[0])
    xr = float(max(x[-1], hi)) if hi is not None else float(x[-1])
    B = bspline_basis(x, xl, xr, nseg, deg)
    UZ, UX, lam = penalty_split(B.shape[1], d)
    BU = B @ UZ
    out = {"x": x, "match": np.searchsorted(x, coord.to_numpy()), "BU": BU, "lam": lam,
           "Z": BU / np.sqrt(lam), "X": _fixed_rotation(B @ UX, d), "d": d, "nb": len(lam)}
    out.update(BUn=BU, lamn=lam, nbn=len(lam))
    if nest > 1:
        if nseg % nest:
            import warnings
            warnings.warn(f"tpsmmb(): {what} nesting ignored: the number of {what} "
                          "segments must be a multiple of the nesting order", stacklevel=3)
        else:
            Bn = bspline_basis(x, xl, xr, nseg // nest, deg)
            UZn, _, lamn = penalty_split(Bn.shape[1], d)
            out.update(BUn=Bn @ UZn, lamn=lamn, nbn=len(lamn))
    return out


def _rowkron(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The row-wise Kronecker (box) product: row i is kron(a[i], b[i])."""
    return (a[:, :, None] * b[:, None, :]).reshape(a.shape[0], -1)


def _coord(data: pd.DataFrame, name: Any, what: str) -> pd.Series:
    if not isinstance(name, str) or name not in data.columns:
        raise AsrError(f"tpsmmb(): {what} must name a column of data, got {name!r}",
                       hint=f"tpsmmb(\"col\", \"row\", data): data's columns include "
                            f"{list(map(str, data.columns[:8]))}")
    s = data[name]
    if not pd.api.types.is_numeric_dtype(s) or s.isna().any():
        raise AsrError(f"tpsmmb(): the coordinate column {name!r} must be numeric with no "
                       "missing values", hint=f"data${name} <- as.numeric(as.character("
                                               f"data${name}))")
    return s.astype(float)


def r_tpsmmb(columncoordinates: str, rowcoordinates: str, data: pd.DataFrame,  # noqa: C901
             nsegments: Any = None, minbound: Any = None, maxbound: Any = None,
             degree: Any = (3, 3), difforder: Any = (2, 2), rotateX: Any = False,  # noqa: N803
             theta: Any = (0, 0), nestorder: Any = (1, 1), asreml: str = "mbf",
             eigenvalues: str = "include", method: str = "Lee",
             stub: Any = None) -> dict[str, Any]:
    """TPSbits' ``tpsmmb()`` (see the module)."""
    if not isinstance(data, pd.DataFrame):
        raise AsrError(f"tpsmmb(): data must be a data frame, got {type(data).__name__}",
                       hint="tpsmmb(\"col\", \"row\", data = df)")
    if bool(np.any(rotateX)):
        raise AsrError("tpsmmb(rotateX = TRUE): the rotated null-space bases of Piepho, "
                       "Boer & Williams (2022) are not emulated",
                       hint="leave rotateX = FALSE (the same model, another basis of its "
                            "fixed part)")
    hits = [a for a in _ASREML if a.startswith(str(asreml))]     # R's partial matching
    if len(hits) != 1 and str(asreml) not in _ASREML:
        raise AsrError(f"tpsmmb(): asreml = {asreml!r} is not one of {', '.join(_ASREML)}",
                       hint="asreml = \"mbf\" (the default), \"grp\", \"sepgrp\" or \"own\"")
    asreml = str(asreml) if str(asreml) in _ASREML else hits[0]
    if method not in ("Lee", "Wood"):
        raise AsrError(f"tpsmmb(): method must be \"Lee\" or \"Wood\", got {method!r}")
    include = "include" in np.atleast_1d(eigenvalues)
    cs, rs = _coord(data, columncoordinates, "columncoordinates"), \
        _coord(data, rowcoordinates, "rowcoordinates")
    nuc, nur = cs.nunique(), rs.nunique()
    if nsegments is None or isinstance(nsegments, Untranslated):
        segs = (nuc - 1, nur - 1)
    else:
        a, b = _pair(nsegments, "nsegments", (nuc - 1, nur - 1))
        segs = (max(int(a), 2), max(int(b), 2))
    deg, dif, nest = _pair(degree, "degree", (3, 3)), _pair(difforder, "difforder", (2, 2)), \
        _pair(nestorder, "nestorder", (1, 1))
    lo = _pair(minbound, "minbound", (None, None))
    hi = _pair(maxbound, "maxbound", (None, None))
    c = _dimension(cs, lo[0], hi[0], segs[0], int(deg[0]), int(dif[0]),
                   int(math.floor(float(nest[0]))), "column")
    r = _dimension(rs, lo[1], hi[1], segs[1], int(deg[1]), int(dif[1]),
                   int(math.floor(float(nest[1]))), "row")
    Zc = c["Z"] if include else c["BU"]
    Zr = r["Z"] if include else r["BU"]
    cm, rm = c["match"], r["match"]

    # the smooth x smooth term, one row per observation
    lam_c = np.repeat(c["lamn"], r["nbn"])
    lam_r = np.tile(r["lamn"], c["nbn"])
    diagcr = lam_c + lam_r if method == "Lee" else lam_c * lam_r
    BcrZ = _rowkron(c["BUn"][cm], r["BUn"][rm])
    Zcr = BcrZ / np.sqrt(diagcr) if include else BcrZ
    A = 10.0 ** (math.floor(math.log10(max(float(r["x"].max()), 1e-300))) + 1)
    CxR = A * cs.to_numpy() + rs.to_numpy()

    def table(z: np.ndarray, key: str, keys: np.ndarray) -> pd.DataFrame:
        t = pd.DataFrame(z, columns=[f"V{i + 1}" for i in range(z.shape[1])])
        t[key] = keys
        return t

    # tr(Z G Z') of each random term (always with the eigenvalue scaling)
    trace: dict[str, float] = {}
    for i in range(c["d"]):
        trace[f"Xc{i + 1}:Zr"] = float(np.sum((c["X"][cm, i][:, None] * r["Z"][rm]) ** 2))
    for i in range(r["d"]):
        trace[f"Zc:Xr{i + 1}"] = float(np.sum((c["Z"][cm] * r["X"][rm, i][:, None]) ** 2))
    trace["Zc:Zr"] = float(np.sum(BcrZ ** 2 / diagcr))

    out = data.copy()
    out["TP.col"] = data[columncoordinates].to_numpy()
    out["TP.row"] = data[rowcoordinates].to_numpy()
    out["TP.CxR"] = CxR
    for i in range(c["d"]):
        out[f"TP.C.{i + 1}"] = c["X"][cm, i]
    for i in range(r["d"]):
        out[f"TP.R.{i + 1}"] = r["X"][rm, i]
    BcrX = _rowkron(c["X"][cm], r["X"][rm])
    for i in range(BcrX.shape[1]):
        out[f"TP.CR.{i + 1}"] = BcrX[:, i]

    sfx = "" if stub is None or isinstance(stub, Untranslated) else str(stub)
    names = {"col": f"BcZ{sfx}.df", "row": f"BrZ{sfx}.df", "cr": f"BcrZ{sfx}.df"}
    res: dict[str, Any] = {
        "data": out,
        "mbflist": {"TP.col": {"key": ["TP.col", "TP.col"], "cov": names["col"]},
                    "TP.row": {"key": ["TP.row", "TP.row"], "cov": names["row"]},
                    "TP.CxR": {"key": ["TP.CxR", "TP.CxR"], "cov": names["cr"]}},
        "BcZ.df": table(Zc, "TP.col", c["x"]),
        "BrZ.df": table(Zr, "TP.row", r["x"]),
        "BcrZ.df": table(Zcr, "TP.CxR", CxR),
        "dim": pd.Series({"diff.c": c["d"], "nbc": c["nb"], "nbcn": c["nbn"],
                          "diff.r": r["d"], "nbr": r["nb"], "nbrn": r["nbn"]}),
        "trace": trace,
    }
    if asreml != "mbf":
        res["data"], res["grp"] = _groups(out, asreml, c, r, Zc[cm], Zr[rm], Zcr)
    if not include:
        res["eigen"] = {"diagc": c["lam"], "diagr": r["lam"], "diagcr": diagcr}
    return res


def _groups(out: pd.DataFrame, how: str, c: dict[str, Any], r: dict[str, Any],
            Zc: np.ndarray, Zr: np.ndarray, Zcr: np.ndarray
            ) -> tuple[pd.DataFrame, dict[str, list[int]]]:
    """``out`` with the spline columns of ``asreml = "grp"/"sepgrp"/"own"`` appended, and
    each group's 1-based column numbers, as R's ``grp`` list."""
    cm, rm = c["match"], r["match"]
    blocks: list[tuple[str, np.ndarray]] = []
    if how == "grp":
        blocks += [(f"TP.C.{i + 1}_frow", c["X"][cm, i][:, None] * Zr) for i in range(c["d"])]
        blocks += [(f"TP.R.{i + 1}_fcol", r["X"][rm, i][:, None] * Zc) for i in range(r["d"])]
        blocks.append(("TP_fcol_frow", Zcr))
    elif how == "sepgrp":
        blocks += [("TP_C", c["X"][cm]), ("TP_R", r["X"][rm]), ("TP_fcol", Zc),
                   ("TP_frow", Zr), ("TP_fcol_frow", Zcr)]
    else:                                                   # "own": one group, "All"
        blocks += [("Xc_Zr", _rowkron(c["X"][cm], Zr)), ("Zc_Xr", _rowkron(Zc, r["X"][rm])),
                   ("Zc_Zr", Zcr)]
    first = out.shape[1]
    new: dict[str, np.ndarray] = {}
    grp: dict[str, list[int]] = {}
    for name, cols in blocks:
        start = first + len(new)
        for k in range(cols.shape[1]):
            new[f"{name}_{k + 1}"] = cols[:, k]
        grp[name] = list(range(start + 1, start + cols.shape[1] + 1))
    every = list(range(first + 1, first + len(new) + 1))
    if how == "grp":
        grp["All"] = every
    elif how == "own":
        grp = {"All": every}
    return pd.concat([out, pd.DataFrame(new, index=out.index)], axis=1), grp
