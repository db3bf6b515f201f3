"""ASRgenomics' genomic-relationship steps that feed ``vm(id, Ginv)``: ``G.matrix()``,
``G.tuneup()``, ``G.inverse()`` and ``match.kinship2pheno()`` (ASRgenomics 1.1, VSNi's
companion package of ASReml-R), as its documentation and code define them.

* ``G.matrix(M, method = "VanRaden", na.string = "NA", sparseform = FALSE, digits = 8)``:
  AGHmatrix's ``Gmatrix(M, method, missingValue = na.string, maf = 0)`` (VanRaden 2008,
  ``G = ZZ' / (2 sum p_j (1 - p_j))``, ``Z = M - 2p``; raghmatrix.py), rounded to ``digits``,
  named by M's row names; ``list(G = G)``, or ``list(G.sparse = full2sparse(G))``. M must
  have row and column names (individuals x markers, coded 0/1/2).
* ``G.tuneup(G, A = NULL, blend, pblend = 0.02, bend, eig.tol = 1e-6, align, rcn = TRUE,
  digits = 8, sparseform = FALSE, determinant = TRUE)``, exactly one of: blend
  ``(1 - pblend) G + pblend I`` (or ``+ pblend A``); bend ``Matrix::nearPD(G, do2eigen,
  doSym, doDykstra, eig.tol, conv.tol = 1e-7, posd.tol = 1e-2, maxit = 100)`` (rnearpd.py);
  align ``b0 + b1 G`` with ``(b0, b1)`` solving ``b0 + b1 mean(diag G) = mean(diag A)`` and
  ``b0 + b1 mean(G) = mean(A)`` (Christensen et al. 2012). Returns ``list(Gb, rcn0, det0,
  rcnb, blend, bend, align)`` (``Gb.sparse`` with sparseform, where ASRgenomics puts the
  ``rcn`` flag in ``rcn0``).
* ``G.inverse(G, A = NULL, rcn.thr = 1e-12, blend, pblend, bend, eig.tol, align, digits = 8,
  sparseform = FALSE)``: ``chol2inv(chol(G))`` when G's reciprocal condition number exceeds
  ``rcn.thr`` (an error when it does not and no tune-up is asked, or when G is not positive
  definite); with blend/bend/align, the inverse of ``G.tuneup(...)$Gb`` instead. Rounded to
  ``digits``; ``status`` is "ill-conditioned" when ``|Ginv[1,2]| / Ginv[1,1]``,
  ``|Ginv[n-1,n]| / sqrt(Ginv[n-1,n-1] Ginv[n,n])`` exceeds 0.99 or the largest diagonal or
  ``max |Ginv[i,j] - Ginv[i,i]|`` exceeds 1000 (ASRgenomics' tests, as written).
  ``list(Ginv, rcn, status)``; Ginv carries ``INVERSE = TRUE`` (``attrs["inverse"]``, what
  vm() reads), its sparse form with sparseform.
* ``match.kinship2pheno(K, pheno.data, indiv, clean = FALSE, ord = TRUE, mism = FALSE)``:
  1-based positions of K's ids found (``matchesK``) or not (``mismatchesK``) among
  ``pheno.data[[indiv]]`` and of the records found (``matchesP``) or not (``mismatchesP``)
  in K (all NULL unless ``mism = TRUE``); ``Kclean`` is K restricted to the matched ids,
  reordered as the records with ``ord`` (one row per record), and NULL unless ``clean`` and
  some id of K is not phenotyped (ASRgenomics' rule).

The lists are RLists: ``$`` matches a unique prefix, as R's, so the common
``G.inverse(G, sparseform = TRUE)$Ginv`` reads ``Ginv.sparse``. R's ``rcond()`` is LAPACK's
1-norm estimate; here the exact ``1 / (||G||_1 ||G^-1||_1)``.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from asr_py.compat.rlist import RList
from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.raghmatrix import r_Gmatrix
from asr_py.translate.rasrgenomics import r_full2sparse
from asr_py.translate.rnearpd import near_pd

__all__ = ["FUNCS", "PACKAGES", "r_G_inverse", "r_G_matrix", "r_G_tuneup",
           "r_match_kinship2pheno"]

#: packages whose library() is an import (ASRgenomics' other functions: a TODO where called)
PACKAGES = frozenset({"ASRgenomics"})

_PKG = ("ASRgenomics",)
#: R function -> (runtime function, formals, packages) for asreml_rules' _TMM_FUNCS
FUNCS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "G.matrix": ("r_G_matrix", ("M", "method", "na.string", "sparseform", "digits",
                                "message"), _PKG),
    "G.tuneup": ("r_G_tuneup", ("G", "A", "blend", "pblend", "bend", "eig.tol", "align",
                                "rcn", "digits", "sparseform", "determinant", "message"),
                 _PKG),
    "G.inverse": ("r_G_inverse", ("G", "A", "rcn.thr", "blend", "pblend", "bend", "eig.tol",
                                  "align", "digits", "sparseform", "message"), _PKG),
    "match.kinship2pheno": ("r_match_kinship2pheno", ("K", "pheno.data", "indiv", "clean",
                                                      "ord", "mism", "message"), _PKG),
}


def _named_square(K: Any, what: str, fun: str) -> tuple[np.ndarray, list[str]]:
    """A square matrix with identical row and column names (ASRgenomics' checks)."""
    if not isinstance(K, pd.DataFrame):
        arr = np.asarray(K) if K is not None else None
        if arr is None or arr.ndim != 2:
            raise AsrError(f"{fun}(): {what} should be a valid object of class matrix")
        raise AsrError(f"{fun}(): individual names not assigned to rows of matrix {what}",
                       hint=f"set them first: rownames({what}) <- colnames({what}) <- ids")
    if isinstance(K.index, pd.RangeIndex):
        raise AsrError(f"{fun}(): individual names not assigned to rows of matrix {what}",
                       hint=f"set them first: rownames({what}) <- ids")
    rows = [str(i) for i in K.index]
    if rows != [str(c) for c in K.columns]:
        raise AsrError(f"{fun}(): rownames and colnames of matrix {what} do not match")
    try:
        return K.to_numpy(dtype=float), rows
    except (TypeError, ValueError):
        raise AsrError(f"{fun}(): matrix {what} is not numeric") from None


def _frame(M: np.ndarray, ids: list[str]) -> pd.DataFrame:
    return pd.DataFrame(M, index=ids, columns=ids)


def _rcond(M: np.ndarray) -> float:
    """1 / (||M||_1 ||M^-1||_1), 0 for a singular M."""
    try:
        return float(1.0 / np.linalg.cond(M, 1))
    except np.linalg.LinAlgError:
        return 0.0


def r_G_matrix(M: Any = None, method: str = "VanRaden", na_string: Any = "NA",
               sparseform: bool = False, digits: int = 8, message: bool = True
               ) -> RList:
    """ASRgenomics' ``G.matrix()`` (module docstring)."""
    if isinstance(M, Untranslated):
        return M._use()
    if not isinstance(M, pd.DataFrame) or np.asarray(M).ndim != 2:
        raise AsrError("G.matrix(): M should be a valid object of class matrix "
                       "(individuals x markers) with row and column names")
    if isinstance(M.index, pd.RangeIndex):
        raise AsrError("G.matrix(): individual names not assigned to rows of matrix M",
                       hint="set them first: rownames(M) <- ids")
    if M.shape[1] < M.shape[0]:
        warnings.warn("G.matrix(): there are more individuals than markers in this data",
                      stacklevel=2)
    missing = None if na_string is None or (isinstance(na_string, str) and
                                            na_string.upper() == "NA") \
        or pd.isna(na_string) else na_string
    G = r_Gmatrix(SNPmatrix=M, method=method, missingValue=missing, maf=0.0)
    G = _frame(np.round(np.asarray(G, dtype=float), int(digits)), [str(i) for i in M.index])
    return RList({"G.sparse": r_full2sparse(G)} if sparseform else {"G": G})


def _tuneup(G: np.ndarray, ids: list[str], A: Any, *, blend: bool, pblend: float,
            bend: bool, eig_tol: float, align: bool) -> np.ndarray:
    """The tuned matrix of G.tuneup (module docstring)."""
    if blend and bend and align:
        raise AsrError("G.tuneup(): more than one option (blend, bend or align) was "
                       "requested", hint="choose only one of them")
    if not (blend or bend or align):
        raise AsrError("G.tuneup(): no option (blend, bend or align) was requested")
    Am = None
    if A is not None:
        Am, a_ids = _named_square(A, "A", "G.tuneup")
        if Am.shape != G.shape:
            if blend:
                raise AsrError("G.tuneup(): matrix A and G are not of the same dimension",
                               hint="match.G2A() gives the matched subsets")
            warnings.warn("G.tuneup(): matrix A and G are not of the same dimensions",
                          stacklevel=3)
        elif blend and a_ids != ids:
            raise AsrError("G.tuneup(): names of rows/columns do not match between G and "
                           "A", hint="use match.G2A() to match the two matrices")
    Gb = G
    if blend:        # ASRgenomics applies the requested options in this order
        Gb = (1 - pblend) * G + pblend * (np.eye(G.shape[0]) if Am is None else Am)
    if bend:
        Gb = near_pd(G, corr=False, keep_diag=False, do2eigen=True, do_sym=True,
                     do_dykstra=True, eig_tol=eig_tol, conv_tol=1e-7, posd_tol=1e-2,
                     maxit=100, conv_norm_type="I").mat
    if align:
        if Am is None:
            raise AsrError("G.tuneup(align = TRUE): an A matrix needs to be provided")
        Xm = np.array([[1.0, np.mean(np.diag(G))], [1.0, np.mean(G)]])
        b = np.linalg.solve(Xm, np.array([np.mean(np.diag(Am)), np.mean(Am)]))
        Gb = b[0] + b[1] * G
    return Gb


def r_G_tuneup(G: Any = None, A: Any = None, blend: bool = False, pblend: float = 0.02,
               bend: bool = False, eig_tol: float = 1e-06, align: bool = False,
               rcn: bool = True, digits: int = 8, sparseform: bool = False,
               determinant: bool = True, message: bool = True) -> RList:
    """ASRgenomics' ``G.tuneup()`` (module docstring)."""
    if isinstance(G, Untranslated):
        return G._use()
    Gm, ids = _named_square(G, "G", "G.tuneup")
    if not 0 <= pblend <= 1:
        raise AsrError("G.tuneup(): pblend must be between 0 and 1")
    if eig_tol <= 0:
        raise AsrError("G.tuneup(): eig.tol must be positive")
    rcn0 = _rcond(Gm) if rcn else None
    det0 = float(np.linalg.det(Gm)) if determinant or Gm.shape[0] <= 1500 else None
    Gb = np.round(_tuneup(Gm, ids, A, blend=bool(blend), pblend=float(pblend),
                          bend=bool(bend), eig_tol=float(eig_tol), align=bool(align)),
                  int(digits))
    rcnb = _rcond(Gb) if rcn else None
    flags = {"blend": bool(blend), "bend": bool(bend), "align": bool(align)}
    if sparseform:
        return RList({"Gb.sparse": r_full2sparse(_frame(Gb, ids)), "rcn0": bool(rcn),
                      "det0": det0, "rcnb": rcnb, **flags})
    return RList({"Gb": _frame(Gb, ids), "rcn0": rcn0, "det0": det0, "rcnb": rcnb, **flags})


def _chol_inverse(M: np.ndarray, what: str) -> np.ndarray:
    try:
        L = np.linalg.cholesky(M)
    except np.linalg.LinAlgError:
        raise AsrError(f"G.inverse(): matrix {what} is not positive definite",
                       hint="G.tuneup(bend = TRUE) or (blend = TRUE) makes it so") from None
    Li = np.linalg.solve(L, np.eye(M.shape[0]))
    return Li.T @ Li


def r_G_inverse(G: Any = None, A: Any = None, rcn_thr: float = 1e-12, blend: bool = False,
                pblend: float = 0.02, bend: bool = False, eig_tol: Any = None,
                align: bool = False, digits: int = 8, sparseform: bool = False,
                message: bool = True) -> RList:
    """ASRgenomics' ``G.inverse()`` (module docstring)."""
    if isinstance(G, Untranslated):
        return G._use()
    Gm, ids = _named_square(G, "G", "G.inverse")
    if not 0 <= pblend <= 1:
        raise AsrError("G.inverse(): pblend must be between 0 and 1")
    if rcn_thr <= 0:
        raise AsrError("G.inverse(): rcn.thr must be positive")
    if eig_tol is not None and eig_tol <= 0:
        raise AsrError("G.inverse(): eig.tol must be positive")
    tune = bool(blend) or bool(bend) or bool(align)
    rcn = _rcond(Gm)
    if rcn < rcn_thr and not tune:
        raise AsrError(f"G.inverse(): G seems to be an ill-conditioned matrix (reciprocal "
                       f"condition number {rcn:.3g} < rcn.thr = {rcn_thr:g})",
                       hint="bend, blend or align it before inverting: G.tuneup()")
    if tune:      # ASRgenomics tunes with G.tuneup's own eig.tol (1e-6)
        Gb = np.round(_tuneup(Gm, ids, A, blend=bool(blend), pblend=float(pblend),
                              bend=bool(bend), eig_tol=1e-06, align=bool(align)),
                      int(digits))
        Ginv = _chol_inverse(Gb, "G (tuned)")
    else:
        Ginv = _chol_inverse(Gm, "G")
    Ginv = np.round(Ginv, int(digits))
    n = Ginv.shape[0]
    cn1 = Ginv[0, 1] / np.sqrt(Ginv[0, 0] * Ginv[0, 0]) if n > 1 else 0.0
    cnn = Ginv[n - 2, n - 1] / np.sqrt(Ginv[n - 2, n - 2] * Ginv[n - 1, n - 1]) \
        if n > 1 else 0.0
    max_diag = abs(np.max(np.diag(Ginv)))
    max_off = np.max(np.abs(Ginv - np.diag(Ginv)[:, None]))   # R recycles diag() by column
    ill = abs(cn1) > 0.99 or abs(cnn) > 0.99 or max_diag > 1000 or max_off > 1000
    status = "ill-conditioned" if ill else "well-conditioned"
    out = _frame(Ginv, ids)
    out.attrs["inverse"] = True
    if sparseform:
        return RList({"Ginv.sparse": r_full2sparse(out), "rcn": _rcond(Ginv),
                      "status": status})
    return RList({"Ginv": out, "rcn": _rcond(Ginv), "status": status})


def _positions(mask: np.ndarray) -> np.ndarray:
    return np.flatnonzero(mask) + 1


def r_match_kinship2pheno(K: Any = None, pheno_data: Any = None, indiv: Any = None,
                          clean: bool = False, ord: bool = True, mism: bool = False,
                          message: bool = True) -> RList:
    """ASRgenomics' ``match.kinship2pheno()`` (module docstring)."""
    for x in (K, pheno_data):
        if isinstance(x, Untranslated):
            return x._use()
    Km, ids = _named_square(K, "K", "match.kinship2pheno")
    if not isinstance(pheno_data, pd.DataFrame) or indiv not in pheno_data.columns:
        raise AsrError(f"match.kinship2pheno(): indiv = {indiv!r} is not a column of "
                       "pheno.data", hint="name the column of individual ids, e.g. "
                       "indiv = \"ID\"")
    recs = [None if pd.isna(v) else str(v) for v in pheno_data[indiv]]
    in_p = np.array([i in set(recs) for i in ids], dtype=bool)
    in_k = np.array([r is not None and r in set(ids) for r in recs], dtype=bool)
    Kclean = None
    if clean and not in_p.all():
        keep = [i for i, ok in zip(ids, in_p, strict=True) if ok]
        Kclean = _frame(Km[np.ix_(in_p, in_p)], keep)
        if ord:
            pos = {k: j for j, k in enumerate(keep)}
            idx = [pos.get(r) if r is not None else None for r in recs]
            sub = np.full((len(idx), len(idx)), np.nan)
            have = np.array([j is not None for j in idx], dtype=bool)
            jj = np.array([j for j in idx if j is not None], dtype=int)
            sub[np.ix_(have, have)] = Kclean.to_numpy()[np.ix_(jj, jj)]
            names = [r if j is not None else "NA" for r, j in zip(recs, idx, strict=True)]
            Kclean = pd.DataFrame(sub, index=names, columns=names)
    if not mism:
        return RList({"mismatchesK": None, "matchesK": None, "mismatchesP": None,
                      "matchesP": None, "Kclean": Kclean})
    return RList({"mismatchesK": None if in_p.all() else _positions(~in_p),
                  "matchesK": _positions(in_p),
                  "mismatchesP": None if in_k.all() else _positions(~in_k),
                  "matchesP": _positions(in_k), "Kclean": Kclean})
