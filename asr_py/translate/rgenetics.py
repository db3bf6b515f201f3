"""Relationship-matrix helpers that asreml scripts call beside asreml, for translated scripts:
sommer's/rrBLUP's ``A.mat(X)`` (VanRaden's additive genomic relationship from markers coded
-1/0/1), polyBreedR's ``A_mat(ped, ploidy = 2)`` and nadiv's ``makeA(pedigree)`` (the
pedigree numerator relationship).

Both return R's matrix with dimnames as a DataFrame (rows/columns named by the ids), which
``vm(gen, A)`` and matrix code in the script then read; they are computed by asr_py.genetics.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["r_A_mat_markers", "r_A_mat_pedigree", "r_makeA"]


def r_A_mat_markers(X: Any, min_MAF: Any = None, **other: Any) -> Any:
    """sommer's ``A.mat(X)`` (also rrBLUP's with its defaults): X is individuals x markers
    coded -1/0/1; with p_j = mean(X_j + 1)/2 and W = X + 1 - 2p,
    A = WWᵀ / (2 Σ p_j(1 - p_j)) (VanRaden 2008). Missing values are imputed by the marker
    mean; markers with minor-allele frequency below ``min.MAF`` are dropped. Rows and columns
    are named by rownames(X) (none when X has none)."""
    from asr_py.genetics.genomic import gmatrix

    if isinstance(X, Untranslated):
        return X._use()
    method = other.get("impute_method")
    if isinstance(method, str) and method.upper() == "EM" and \
            np.isnan(np.asarray(X, dtype=float)).any() and \
            other.get("return_imputed") in (None, False):
        return _a_mat_em(X, min_MAF, other.get("max_missing"), other.get("tol"))
    bad = {k: v for k, v in other.items()
           if not (k in ("endelman",) and v is True or k == "return_imputed" and v is False
                   or k in ("impute_method",) and str(v).upper() in ("MEAN", "EM")
                   or k == "tol" or k == "max_missing" and v is None)}
    if bad:
        raise AsrError(f"A.mat(): argument(s) {', '.join(k.replace('_', '.') for k in bad)} "
                       "are not supported", hint="A.mat(X, min.MAF =) with its defaults is "
                       "translated (VanRaden's A = WW'/(2 sum p(1-p)))")
    named = isinstance(X, pd.DataFrame) and not isinstance(X.index, pd.RangeIndex)
    M = np.asarray(X, dtype=float)
    if M.ndim != 2:
        raise AsrError(f"A.mat(X): X must be a matrix (individuals x markers), got shape "
                       f"{M.shape}", hint="rows are individuals, columns markers coded -1/0/1")
    ids = [str(i) for i in X.index] if named else [str(i + 1) for i in range(M.shape[0])]
    maf = 0.0 if min_MAF is None else float(min_MAF)
    G = gmatrix(M, method="vanraden", coding="-101", min_maf=maf, ids=ids)
    if not named:
        return np.asarray(G.matrix, dtype=float)
    return pd.DataFrame(np.asarray(G.matrix, dtype=float), index=ids, columns=ids)


def _a_mat_em(X: Any, min_maf: Any, max_missing: Any, tol: Any) -> Any:
    """rrBLUP's A.mat(X, impute.method = "EM") of X with missing values (rmarkerem.py),
    named by rownames(X) when X has them."""
    from asr_py.translate.rmarkerem import amat_em

    M = np.asarray(X, dtype=float)
    if M.ndim != 2:
        raise AsrError(f"A.mat(X): X must be a matrix (individuals x markers), got shape "
                       f"{M.shape}", hint="rows are individuals, columns markers coded -1/0/1")
    try:
        A, _ = amat_em(M, min_maf=None if min_maf is None else float(min_maf),
                       max_missing=None if max_missing is None else float(max_missing),
                       tol=0.02 if tol is None else float(tol))
    except ValueError as err:
        raise AsrError(f"A.mat(X, impute.method = \"EM\"): {err}") from None
    if isinstance(X, pd.DataFrame) and not isinstance(X.index, pd.RangeIndex):
        ids = [str(i) for i in X.index]
        return pd.DataFrame(A, index=ids, columns=ids)
    return A


def r_A_mat_pedigree(ped: Any, ploidy: Any = 2, order_ped: bool = True) -> Any:
    """polyBreedR's ``A_mat(ped, ploidy = 2)``: the additive (numerator) relationship matrix of
    a diploid pedigree whose first three columns are id, mother, father (NA = unknown). Rows
    and columns are named by id in polyBreedR's order: founders that are nobody's parent,
    then parents not listed as individuals, then the other individuals in input order."""
    from asr_py.genetics.pedigree import amatrix

    if isinstance(ped, Untranslated):
        return ped._use()
    if ploidy is None or int(ploidy) != 2:
        raise AsrError(f"A_mat(ped, ploidy = {ploidy}): only diploid pedigrees are translated",
                       hint="polyploid relationships (Hamilton & Kerr's polyAinv) are not in "
                       "asr_py")
    if not isinstance(ped, pd.DataFrame) or ped.shape[1] not in (3, 7):
        raise AsrError("A_mat(ped): ped must be a data frame of 3 columns (id, mother, father)",
                       hint="founders have NA parents")
    if ped.shape[1] == 7:
        raise AsrError("A_mat(ped): the 7-column (mixed ploidy) pedigree is not translated",
                       hint="give the 3 columns id, mother, father with ploidy = 2")

    def text(v: Any) -> Any:
        return None if pd.isna(v) else str(v)

    ids = [text(v) for v in ped.iloc[:, 0]]
    dam = [text(v) for v in ped.iloc[:, 1]]
    sire = [text(v) for v in ped.iloc[:, 2]]
    parents = list(dict.fromkeys(p for p in dam + sire if p is not None))
    missing = [p for p in parents if p not in ids]
    founders = [i for i, d, s in zip(ids, dam, sire, strict=True) if d is None and s is None]
    lonely = [f for f in dict.fromkeys(founders) if f not in parents]
    order = lonely + missing + [i for i in ids if i not in lonely]
    frame = pd.DataFrame({"id": ids, "sire": sire, "dam": dam})
    A = amatrix(frame, check_roles=False)
    pos = {k: j for j, k in enumerate(A.ids)}
    idx = [pos[k] for k in order]
    M = np.asarray(A.matrix, dtype=float)[np.ix_(idx, idx)]
    return pd.DataFrame(M, index=order, columns=order)


def _nadiv_parent(v: Any, col: str, said: set[tuple[str, str]]) -> str | None:
    """A parent of nadiv's pedigree as text, None when unknown: NA, "*", and 0 or -998
    (with nadiv's warning, once per column)."""
    import warnings

    if v is None or pd.isna(v) or str(v).strip() == "*":
        return None
    text = str(int(v)) if isinstance(v, float | np.floating) and float(v).is_integer() \
        else str(v).strip()
    if text in ("0", "-998"):
        if (text, col) not in said:
            said.add((text, col))
            warnings.warn(f"{text} in the {col} column interpreted as a missing parent",
                          stacklevel=3)
        return None
    return text


def r_makeA(pedigree: Any) -> Any:
    """nadiv's ``makeA(pedigree)``: the numerator relationship matrix A of a pedigree whose
    columns are ID, Dam, Sire (nadiv ``?makeA``; unknown parents NA, 0, -998 or "*"),
    A_ii = 1 + A_{s d}/2 and A_ij = (A_{j s_i} + A_{j d_i})/2 (Henderson's tabular method).
    Rows and columns are named by the ids (as text) in the pedigree's order, as nadiv's
    dimnames. nadiv's numPed checks are kept as errors: three columns, parents listed as
    individuals and before their offspring, no id twice, no individual its own parent."""
    import warnings

    from asr_py.genetics.pedigree import amatrix

    if isinstance(pedigree, Untranslated):
        return pedigree._use()
    if not isinstance(pedigree, pd.DataFrame):
        raise AsrError("makeA(pedigree): pedigree must be a data frame (ID, Dam, Sire), not "
                       f"{type(pedigree).__name__}", hint="pass the pedigree's three columns")
    said: set[tuple[str, str]] = set()
    ids = [_nadiv_parent(v, "id", set()) for v in pedigree.iloc[:, 0]]
    dam = [_nadiv_parent(v, "dam", said) for v in pedigree.iloc[:, 1]] \
        if pedigree.shape[1] > 1 else []
    sire = [_nadiv_parent(v, "sire", said) for v in pedigree.iloc[:, 2]] \
        if pedigree.shape[1] > 2 else []
    if all(p is None for p in dam + sire):
        raise AsrError("makeA(pedigree): all dams and sires are missing",
                       hint="nadiv stops here too; A would be the identity")
    if pedigree.shape[1] != 3:
        raise AsrError(f"makeA(pedigree): the pedigree must have three columns (ID, Dam, "
                       f"Sire), not {pedigree.shape[1]}", hint="select them: ped[, 1:3]")
    pos = {k: j for j, k in enumerate(ids)}
    for role, par in (("dams", dam), ("sires", sire)):
        absent = [p for p in par if p is not None and p not in pos]
        if absent:
            raise AsrError(f"makeA(pedigree): individuals appearing as {role} but not in the "
                           f"pedigree ({', '.join(absent[:5])})",
                           hint="add them as founders first (nadiv's prepPed())")
    twice = [k for k in pos if ids.count(k) > 1]
    if twice or None in pos:
        raise AsrError("makeA(pedigree): some individuals appear more than once (or have no "
                       f"id) in the pedigree ({', '.join(map(str, twice[:5]))})",
                       hint="each individual once, in the first column")
    for role, par in (("dams", dam), ("Sires", sire)):
        for j, p in enumerate(par):
            if p is not None and pos[p] > j:
                raise AsrError(f"makeA(pedigree): offspring {ids[j]} appears before one of "
                               f"its {role.lower()[:-1]}s ({p})",
                               hint="order the pedigree parents first (nadiv's prepPed())")
            if p is not None and pos[p] == j:
                raise AsrError(f"makeA(pedigree): individual {ids[j]} appears as its own "
                               f"{role.lower()[:-1]}", hint="fix the pedigree row")
    if set(p for p in dam if p is not None) & set(p for p in sire if p is not None):
        warnings.warn("Dams appearing as Sires - assumed selfing in pedigree", stacklevel=2)
    frame = pd.DataFrame({"id": ids, "sire": sire, "dam": dam})
    A = amatrix(frame, check_roles=False)
    where = {k: j for j, k in enumerate(A.ids)}
    idx = [where[k] for k in ids]         # type: ignore[index]
    M = np.asarray(A.matrix, dtype=float)[np.ix_(idx, idx)]
    return pd.DataFrame(M, index=ids, columns=ids)
