"""Genomic relationship matrices from marker genotypes, and their inverses.

Markers are an n x m matrix M of allele counts coded 0/1/2 (or -1/0/1, shifted by +1). With p_j
the frequency of the counted allele at marker j (column mean / 2):

- ``method='vanraden'``: VanRaden (2008, J. Dairy Sci. 91:4414), his first method:
  W = M - 2p' (centre each column by twice its allele frequency) and
  G = W W' / (2 sum_j p_j (1 - p_j)),
  so that G is on the scale of the pedigree A (diagonal ~ 1 + F in Hardy-Weinberg).
- ``method='vanraden2'``: the seed notes' W (shared/seeds/003, eq. 11b-12; VanRaden's second
  method): every marker centred and scaled by its expected sd under Hardy-Weinberg,
  W_ij = (M_ij − 2p_j) / sqrt(2 p_j (1 − p_j)), and G = W W' / m (each marker weighted
  equally, rare alleles weigh more than in method 1).
- ``method='scaled'``: centre each column and scale it to unit variance (the column's observed
  variance, divisor n), W_j = (M_j - mean_j) / sd_j, and G = W W' / m (every marker weighted
  equally; close to VanRaden's second method, which divides by sqrt(2 p_j (1-p_j)) instead).

``freq=`` gives the allele frequencies p_j to centre and scale by (for 'vanraden' and
'vanraden2'), e.g. those of an unselected base population (VanRaden 2008, the seed notes'
footnote 3), instead of the observed ones.
"""

from __future__ import annotations

import os
import warnings
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.linalg as sla

from asr_py.errors import DataError, MatrixError
from asr_py.genetics.relmatrix import RelMatrix

__all__ = ["gmatrix", "ginverse"]


def _read_markers(
    markers: Any, ids: Any
) -> tuple[np.ndarray, tuple[str, ...], list[str] | None]:
    """Markers -> (float n x m array, ids, marker names or None)."""
    names: list[str] | None = None
    if isinstance(markers, (str, os.PathLike)):
        path = os.fspath(markers)
        if not os.path.exists(path):
            raise DataError(f"marker file {path!r} does not exist")
        markers = pd.read_csv(path)
        if "id" not in markers.columns:
            markers = markers.set_index(markers.columns[0])
    if isinstance(markers, pd.DataFrame):
        df = markers
        if "id" in df.columns:
            row_ids = df["id"].astype(str).tolist()
            df = df.drop(columns="id")
        else:
            row_ids = [str(i) for i in df.index]
        bad = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c].dtype)]
        if bad:
            raise DataError(
                f"marker columns must be numeric; {len(bad)} are not, e.g. {bad[:5]}",
                hint="put the ids in the index or an 'id' column; code genotypes 0/1/2",
            )
        X = df.to_numpy(dtype=float, na_value=np.nan, copy=True)
        names = [str(c) for c in df.columns]
    else:
        try:
            X = np.array(markers, dtype=float)
        except (TypeError, ValueError) as e:
            raise DataError(f"markers could not be read as numbers: {e}") from None
        if X.ndim != 2:
            raise DataError(f"markers must be a 2-d (individuals x markers) array, not {X.ndim}-d")
        row_ids = [str(i + 1) for i in range(X.shape[0])]
    if ids is not None:
        ids_l = [str(i) for i in ids]
        if len(ids_l) != X.shape[0]:
            raise DataError(f"ids has {len(ids_l)} entries but markers have {X.shape[0]} rows")
        row_ids = ids_l
    dup = pd.Index(row_ids)
    if dup.has_duplicates:
        raise DataError(
            f"duplicated individual ids in the marker matrix, e.g. "
            f"{list(dict.fromkeys(dup[dup.duplicated()]))[:5]}"
        )
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise DataError(f"the marker matrix is empty (shape {X.shape})")
    if np.isinf(X).any():
        raise DataError("the marker matrix contains infinite values")
    return X, tuple(row_ids), names


def _as_relmatrix(K: Any, what: str) -> RelMatrix:
    if isinstance(K, RelMatrix):
        return K
    if isinstance(K, pd.DataFrame):
        if list(map(str, K.index)) != list(map(str, K.columns)):
            raise MatrixError(
                f"{what}: a DataFrame relationship matrix needs the same ids, in the same "
                "order, on its index and columns"
            )
        return RelMatrix(K.to_numpy(dtype=float), tuple(map(str, K.index)), kind=what)
    M = np.asarray(K.toarray() if hasattr(K, "toarray") else K, dtype=float)
    if M.ndim != 2 or M.shape[0] != M.shape[1]:
        raise MatrixError(f"{what} must be a square matrix, not shape {M.shape}")
    return RelMatrix(M, tuple(str(i + 1) for i in range(M.shape[0])), kind=what)


def gmatrix(
    markers: Any,
    *,
    method: Literal["vanraden", "vanraden2", "scaled"] = "vanraden",
    min_maf: float = 0.0,
    coding: Literal["auto", "012", "-101"] = "auto",
    ids: Any = None,
    blend: float | None = None,
    a_matrix: Any = None,
    ridge: float | None = None,
    freq: Any = None,
) -> RelMatrix:
    """Genomic relationship matrix G from markers (see the module docstring for the methods).

    Args:
        markers: n x m array; a DataFrame (ids from an ``id`` column or else the index); or a
            CSV path (ids from an ``id`` column or else the first column).
        method: 'vanraden' (W = M - 2p, G = WW' / 2 sum p(1-p)), 'vanraden2'
            (W_ij = (M_ij - 2p_j) / sqrt(2p_j(1-p_j)), G = WW'/m) or 'scaled' (columns
            standardised by their observed sd, G = WW'/m).
        min_maf: drop markers whose minor-allele frequency min(p, 1-p) is below this.
        coding: '012' (allele counts), '-101' (shifted by +1) or 'auto' (-101 if any value < 0).
        ids: row ids, overriding those of the input (arrays default to '1'..'n').
        blend: w in [0, 1]: return (1-w) G + w A with A given by ``a_matrix`` (matched by id).
        ridge: lambda >= 0: return G + lambda I.
        freq: allele frequencies p_j of the counted allele, one per input marker, in (0, 1)
            for the markers kept ('vanraden' and 'vanraden2'; default: observed, mean / 2).

    Missing values (NaN) are imputed by the column mean 2 p_j (a warning gives the count, also
    kept in ``result.info['n_imputed']``). Monomorphic markers (zero variance after imputation)
    are always dropped. ``info`` also records the marker counts, ``p`` of the markers used and,
    for 'vanraden', the ``denominator`` 2 sum p(1-p).
    """
    if method not in ("vanraden", "vanraden2", "scaled"):
        raise DataError(f"unknown G method {method!r}",
                        hint="use 'vanraden', 'vanraden2' or 'scaled'")
    if freq is not None and method == "scaled":
        raise DataError("freq= is used by methods 'vanraden' and 'vanraden2', not 'scaled'")
    if coding not in ("auto", "012", "-101"):
        raise DataError(f"unknown marker coding {coding!r}", hint="use '012', '-101' or 'auto'")
    if not 0.0 <= min_maf <= 0.5:
        raise DataError(f"min_maf must be in [0, 0.5], not {min_maf}")
    X, row_ids, names = _read_markers(markers, ids)
    n, m_in = X.shape
    miss = np.isnan(X)
    n_missing = int(miss.sum())
    lo = np.nanmin(X) if n_missing < X.size else 0.0
    used_coding = coding if coding != "auto" else ("-101" if lo < 0 else "012")
    if used_coding == "-101":
        X = X + 1.0
    lo, hi = (np.nanmin(X), np.nanmax(X)) if n_missing < X.size else (0.0, 0.0)
    if lo < 0 or hi > 2:
        col = int(np.flatnonzero(np.nanmax(np.abs(X - 1.0), axis=0) > 1)[0])
        label = names[col] if names else str(col + 1)
        raise DataError(
            f"marker values must be allele counts in [0, 2] (coding {used_coding!r}); found "
            f"values in [{lo:g}, {hi:g}], e.g. in marker {label!r}",
            hint="code genotypes 0/1/2 or -1/0/1 and say which with coding=",
        )
    all_missing = miss.all(axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        colmean = np.nanmean(X, axis=0)
    colmean[all_missing] = 0.0
    if n_missing:
        r, c = np.nonzero(miss)
        X[r, c] = colmean[c]
        n_imp = int((~all_missing[c]).sum())
        warnings.warn(
            f"gmatrix: imputed {n_imp} missing marker value(s) by the marker mean "
            f"({int(miss.any(axis=1).sum())} individuals, {int(miss.any(axis=0).sum())} markers)",
            stacklevel=2,
        )
    else:
        n_imp = 0
    p = colmean / 2.0
    if freq is not None:
        p = _base_freq(freq, m_in)
    var = X.var(axis=0)
    maf = np.minimum(p, 1.0 - p)
    mono = (var <= 1e-12 * np.maximum(1.0, colmean**2)) | all_missing
    low = ~mono & (maf < min_maf)
    keep = ~(mono | low)
    m = int(keep.sum())
    if m == 0:
        raise DataError(
            f"no markers left: {int(mono.sum())} monomorphic, {int(low.sum())} with MAF < "
            f"{min_maf} out of {m_in}",
            hint="lower min_maf, or check the marker coding",
        )
    Xk, pk = X[:, keep], p[keep]
    if freq is not None and ((pk <= 0) | (pk >= 1)).any():
        j = int(np.flatnonzero(keep)[np.flatnonzero((pk <= 0) | (pk >= 1))[0]])
        raise DataError(f"freq must be in (0, 1) for every marker used; marker "
                        f"{names[j] if names else j + 1!r} has {p[j]:g}",
                        hint="give base-population frequencies of the counted allele")
    info: dict[str, Any] = {
        "method": method,
        "coding": used_coding,
        "n_imputed": n_imp,
        "n_markers_in": m_in,
        "n_markers_used": m,
        "n_monomorphic": int(mono.sum()),
        "n_low_maf": int(low.sum()),
        "p": pk,
        "freq_given": freq is not None,
    }
    if names is not None:
        info["markers_used"] = [nm for nm, k in zip(names, keep) if k]
    if method == "vanraden":
        W = Xk - 2.0 * pk
        denom = 2.0 * float(np.sum(pk * (1.0 - pk)))
        info["denominator"] = denom
        G = (W @ W.T) / denom
    elif method == "vanraden2":
        W = (Xk - 2.0 * pk) / np.sqrt(2.0 * pk * (1.0 - pk))
        G = (W @ W.T) / m
    else:
        W = (Xk - Xk.mean(axis=0)) / Xk.std(axis=0)
        G = (W @ W.T) / m
    G = 0.5 * (G + G.T)
    kind = "G"
    if blend is not None:
        if not 0.0 <= blend <= 1.0:
            raise DataError(f"blend must be a weight in [0, 1], not {blend}")
        if a_matrix is None:
            raise DataError("blend= needs the pedigree relationship matrix as a_matrix=")
        A = _as_relmatrix(a_matrix, "a_matrix")
        if A.inverse:
            raise MatrixError(
                "a_matrix for blending must be A itself, not an inverse",
                hint="use amatrix(pedigree)",
            )
        if A.ids != row_ids:
            A = A.subset(row_ids)
        G = (1.0 - blend) * G + blend * A.toarray()
        info["blend"] = blend
        kind = "Gblend"
    if ridge is not None:
        if ridge < 0:
            raise DataError(f"ridge must be >= 0, not {ridge}")
        G = G + ridge * np.eye(n)
        info["ridge"] = ridge
    return RelMatrix(matrix=G, ids=row_ids, inverse=False, logdet=None, kind=kind, info=info)


def _base_freq(freq: Any, m: int) -> np.ndarray:
    """freq= as a float array of one frequency per input marker."""
    try:
        p = np.asarray(freq, dtype=float).ravel()
    except (TypeError, ValueError):
        raise DataError("freq must be numbers (one allele frequency per marker)") from None
    if p.size != m:
        raise DataError(f"freq has {p.size} values but the markers have {m} columns",
                        hint="give one allele frequency per marker column")
    if not np.all(np.isfinite(p)):
        raise DataError("freq contains missing or infinite values")
    return p


def ginverse(G: Any, *, ridge: float = 0.0, tol: float = 1e-10) -> RelMatrix:
    """Inverse of a (genomic) relationship matrix by Cholesky: K = LL', K^-1 = L'^-1 L^-1.

    ``G``: RelMatrix, DataFrame with ids on both axes, or square array (ids '1'..'n').
    ``ridge`` adds lambda I first. Raises MatrixError if K is not symmetric or not positive
    definite (a Cholesky pivot L_jj^2 below ``tol`` x max diag(K) counts as singular). The
    result (kind 'Ginv', inverse=True) keeps the ids and carries logdet = log|K| = 2 sum log L_jj.
    """
    K = _as_relmatrix(G, "G")
    if K.inverse:
        raise MatrixError(f"'{K.kind}' is already an inverse", hint="pass the matrix itself")
    M = K.toarray().astype(float, copy=True)
    if not np.all(np.isfinite(M)):
        raise MatrixError(f"'{K.kind}' contains missing or infinite values")
    scale = max(float(np.max(np.abs(np.diag(M)))) if M.size else 1.0, 1e-300)
    if np.max(np.abs(M - M.T), initial=0.0) > 1e-8 * scale:
        raise MatrixError(f"'{K.kind}' is not symmetric")
    if ridge < 0:
        raise MatrixError(f"ridge must be >= 0, not {ridge}")
    if ridge:
        M[np.diag_indices_from(M)] += ridge
    hint = (
        "G is singular when markers are fewer than individuals or rows repeat (and VanRaden's "
        "centred G always loses one rank); add ridge= (e.g. 0.01) or blend with A "
        "(gmatrix(..., blend=0.05, a_matrix=A))"
    )
    try:
        c, _ = sla.cho_factor(M, lower=True, check_finite=False)
    except sla.LinAlgError:
        raise MatrixError(
            f"'{K.kind}' ({K.n} x {K.n}) is not positive definite: its Cholesky factorisation "
            "failed",
            hint=hint,
        ) from None
    piv = np.diag(c) ** 2
    if piv.min() < tol * scale:
        j = int(np.argmin(piv))
        raise MatrixError(
            f"'{K.kind}' ({K.n} x {K.n}) is numerically singular: Cholesky pivot for id "
            f"{K.ids[j]!r} is {piv[j]:.3g} (max diagonal {scale:.3g})",
            hint=hint,
        )
    inv, status = sla.lapack.dpotri(c, lower=1)
    if status != 0:  # pragma: no cover - cannot happen after a successful factorisation
        raise MatrixError(f"inverting '{K.kind}' failed (LAPACK dpotri status {status})")
    inv = np.tril(inv) + np.tril(inv, -1).T
    kind = "Ginv" if K.kind in ("G", "Gblend") else f"{K.kind}inv"
    return RelMatrix(
        matrix=inv,
        ids=K.ids,
        inverse=True,
        logdet=float(2.0 * np.log(np.diag(c)).sum()),
        kind=kind,
        info={"ridge": ridge, "source": K.kind},
    )
