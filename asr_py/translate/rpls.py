"""The pls package's ``plsr(Y ~ X, ncomp, scale = FALSE, center = TRUE)`` (default method
"kernelpls") and ``scores(fit)``, for scripts that use PLS scores of environmental
covariates as regressors (Finlay-Wilkinson with covariates).

Kernel PLS (Dayal & MacGregor 1997, J. Chemometrics 11:73, algorithm 1; equal to NIPALS
PLS2): X (n x p) and Y (n x k) centred by column (unless ``center = FALSE``), S = X'Y; for
each component a = 1..ncomp:
    w = S/‖S‖ (k = 1), else the first eigenvector of S'S (k < p) mapped by S and
    normalised, or the first eigenvector of SS';
    r = w − Σ_{j<a} (p_j'w) r_j;  t = Xr;  p = X't/(t't);  q = S'r/(t't);
    S ← S − (t't) p q'.
The scores are the t's (columns "Comp 1", ...; rows named by X's row names). ncomp defaults
to min(n − 1, p). An eigenvector's sign is arbitrary (R's LAPACK may give −t): a score's sign
flips the sign of a regression on it, nothing else."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.compat.rlist import RList
from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["r_plsr", "r_scores", "translate"]


def _matrix(v: Any, what: str) -> tuple[np.ndarray, list[str] | None]:
    if isinstance(v, Untranslated):
        return v._use(), None   # type: ignore[return-value]
    rows = [str(i) for i in v.index] if isinstance(v, pd.DataFrame | pd.Series) and \
        not isinstance(v.index, pd.RangeIndex) else None
    try:
        M = np.asarray(v, dtype=float)
    except (TypeError, ValueError):
        raise AsrError(f"plsr(): {what} must be numeric") from None
    if M.ndim == 1:
        M = M[:, None]
    if not np.all(np.isfinite(M)):
        raise AsrError(f"plsr(): {what} has missing or infinite values",
                       hint="pls::plsr needs complete data (na.action = na.omit drops rows)")
    return M, rows


def r_plsr(Y: Any, X: Any, ncomp: Any = None, scale: Any = False,
           center: Any = True) -> RList:
    """``plsr(Y ~ X, ...)`` (module docstring): an R list with scores, loadings, projection,
    Yloadings, Xmeans, Ymeans."""
    Ym, _ = _matrix(Y, "the response")
    Xm, rows = _matrix(X, "the predictors")
    n, p = Xm.shape
    if Ym.shape[0] != n:
        raise AsrError(f"plsr(): {Ym.shape[0]} responses but {n} rows of predictors")
    if scale is not False and scale is not None:
        raise AsrError("plsr(scale = ...) is not translated", hint="scale = FALSE is")
    xm = Xm.mean(axis=0) if center else np.zeros(p)
    ym = Ym.mean(axis=0) if center else np.zeros(Ym.shape[1])
    Xc, Yc = Xm - xm, Ym - ym
    a_max = min(n - 1, p) if ncomp is None else int(ncomp)
    S = Xc.T @ Yc
    k = Ym.shape[1]
    R = np.zeros((p, a_max))
    P = np.zeros((p, a_max))
    Q = np.zeros((k, a_max))
    T = np.zeros((n, a_max))
    for a in range(a_max):
        if k == 1:
            w = S[:, 0] / np.linalg.norm(S[:, 0])
        elif k < p:
            _, vec = np.linalg.eigh(S.T @ S)
            w = S @ vec[:, -1]
            w = w / np.linalg.norm(w)
        else:
            _, vec = np.linalg.eigh(S @ S.T)
            w = vec[:, -1]
        r = w - R[:, :a] @ (P[:, :a].T @ w)
        t = Xc @ r
        tsq = float(t @ t)
        if tsq <= 0:
            raise AsrError(f"plsr(): component {a + 1} has zero scores",
                           hint="use fewer components (ncomp =)")
        pa = Xc.T @ t / tsq
        qa = S.T @ r / tsq
        S = S - tsq * np.outer(pa, qa)
        R[:, a], P[:, a], Q[:, a], T[:, a] = r, pa, qa, t
    comps = [f"Comp {a + 1}" for a in range(a_max)]
    names = rows or [str(i + 1) for i in range(n)]
    xnames = [str(c) for c in X.columns] if isinstance(X, pd.DataFrame) else \
        [str(j + 1) for j in range(p)]
    return RList(scores=pd.DataFrame(T, index=names, columns=comps),
                 loadings=pd.DataFrame(P, index=xnames, columns=comps),
                 projection=pd.DataFrame(R, index=xnames, columns=comps),
                 Yloadings=Q, Xmeans=xm, Ymeans=ym, ncomp=a_max)


def r_scores(fit: Any) -> Any:
    """``scores(fit)`` of a plsr fit: its X scores (n x ncomp)."""
    if isinstance(fit, Untranslated):
        return fit._use()
    if isinstance(fit, dict) and "scores" in fit:
        return fit["scores"]
    raise AsrError("scores(x): x is not a plsr() fit",
                   hint="scores() is translated for pls::plsr fits")


def translate(tr: Any, e: Any) -> str | None:
    """``plsr(Y ~ X, ncomp =, scale =, center =)`` with Y and X variables (matrices); None
    for other forms."""
    from asr_py.translate.rmatchargs import ArgMatchError, match_args

    formals = ("formula", "ncomp", "Y.add", "data", "subset", "na.action", "method",
               "scale", "center", "validation", "model", "x", "y", "...")
    try:
        got = match_args(formals, e.args, "plsr")
    except ArgMatchError:
        return None
    f = got.get("formula")
    if f is None or f.kind != "formula" or f.left is None or f.right is None or \
            f.left.kind != "name" or f.right.kind != "name" or got["..."] or \
            set(got) - {"formula", "ncomp", "scale", "center", "..."}:
        return None
    parts = [tr.py(f.left), tr.py(f.right)]
    parts += [f"{k}={tr.py(got[k])}" for k in ("ncomp", "scale", "center") if k in got]
    return f"{tr.runtime('r_plsr')}({', '.join(parts)})"
