"""Size estimates of a design before it is built, and refusal of designs too large to fit.

A term's design has one column per combination of its parts' columns (the product of the
level counts), and the mixed model equations hold, for every record, the products of its
non-zero design entries (Σ_rows nnz_row²). These are computed from the parts' level counts
and per-row non-zeros, which are cheap, before the Khatri-Rao products and dense copies that
would exhaust memory or take hours; a design over the limits below is refused with the
estimate and a hint instead.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from asr_py.errors import ModelError
from asr_py.reml.memory import available_bytes

#: at most this many fixed-effect columns (the fixed effects' covariance is p x p; a dense X
#: is checked for aliasing in O(p³) time; a large X of factor columns is kept sparse)
MAX_FIXED_COLUMNS = 16_000
#: at most this many bytes for the fixed design X (sparse: 12 bytes a non-zero) and the
#: p x p matrices of its aliasing check and of the fixed effects' covariance (or half the
#: memory available, when more)
MAX_DENSE_BYTES = 2 * 2**30
#: at most this many columns in one random term's design Z (each has a label and an effect)
MAX_TERM_COLUMNS = 5_000_000
#: at most this many non-zeros in Z'Z of all random terms (Σ_rows nnz_row²)
MAX_MME_NNZ = 50_000_000


def _fmt_bytes(b: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if b < 1024 or unit == "PiB":
            return f"{b:,.0f} {unit}" if unit == "bytes" else f"{b:,.1f} {unit}"
        b /= 1024
    return f"{b:.3g}"  # pragma: no cover


def term_columns(level_counts: Sequence[int]) -> int:
    """Columns of a term's design: the product of its parts' column counts (exact int)."""
    out = 1
    for k in level_counts:
        out *= int(k)
    return out


def _largest(terms: Sequence[tuple[str, int]]) -> str:
    label, cols = max(terms, key=lambda t: t[1])
    return f"the largest term, {label}, has {cols:,} columns"


#: a factor with more levels than this is checked for number-like labels (a covariate read
#: as text) when a design is refused
MANY_LEVELS = 1_000


def numeric_looking(name: str, labels: Sequence[str]) -> bool:
    """True when a factor ``name`` has more than :data:`MANY_LEVELS` levels and its labels
    (the first 200) all parse as numbers: a numeric column read or stored as text."""
    if len(labels) <= MANY_LEVELS:
        return False
    head = [str(v).strip() for v in labels[:200]]
    try:
        [float(v) for v in head]
    except ValueError:
        return False
    return True


def check_fixed_size(n: int, terms: Sequence[tuple[str, int]], nnz: int | None = None,
                     numeric_like: Sequence[str] = ()) -> None:
    """Refuse a fixed design of ``n`` records and (label, columns) ``terms`` when it has
    more than :data:`MAX_FIXED_COLUMNS` columns or X (``nnz`` non-zeros: sparse; else dense)
    and two p x p matrices need more than :data:`MAX_DENSE_BYTES`. ``numeric_like`` names
    factors whose many levels look like numbers (:func:`numeric_looking`): the hint then
    says to convert them."""
    p = sum(c for _, c in terms)
    x_bytes = 8.0 * n * p if nnz is None else min(8.0 * n * p, 12.0 * nnz)
    need = x_bytes + 16.0 * p * p
    # free memory is read (/proc, cgroup files) only for a design above MAX_DENSE_BYTES
    if p > MAX_FIXED_COLUMNS or (need > MAX_DENSE_BYTES
                                 and need > 0.5 * (available_bytes() or 0)):
        hint = (f"at most {MAX_FIXED_COLUMNS:,} fixed columns: drop high-order interactions "
                "((a + b + c)^2 instead of a * b * c) or fit large factors as random terms")
        if numeric_like:
            names = ", ".join(dict.fromkeys(numeric_like))
            first = next(iter(dict.fromkeys(numeric_like)))
            hint = (f"{names}: a factor whose levels are all numbers; if it is a covariate "
                    f"stored as text, convert it (df['{first}'] = pd.to_numeric(df['{first}']))"
                    f"; otherwise {hint}")
        raise ModelError(
            f"the fixed design would have {p:,} columns for {n:,} records "
            f"(X and X'X: about {_fmt_bytes(need)}); {_largest(terms)}", hint=hint)


def check_term_size(label: str, level_counts: Sequence[int], n: int) -> None:
    """Refuse a random/residual term whose design would have too many columns."""
    cols = term_columns(level_counts)
    if cols > MAX_TERM_COLUMNS:
        dims = " x ".join(f"{k:,}" for k in level_counts)
        raise ModelError(
            f"the random term {label} would have {cols:,} columns ({dims} levels) for "
            f"{n:,} records",
            hint=f"at most {MAX_TERM_COLUMNS:,} columns per term: use fewer factors in the "
                 "interaction, or a structure on fewer levels")


def row_nnz(mats: Sequence[object]) -> np.ndarray:
    """Non-zeros per row of the column-wise concatenation of sparse CSR/CSC matrices."""
    out: np.ndarray | None = None
    for m in mats:
        csr = m.tocsr()  # type: ignore[attr-defined]
        counts = np.diff(csr.indptr).astype(np.float64)
        out = counts if out is None else out + counts
    return np.zeros(0) if out is None else out


def check_mme_size(labels: Sequence[str], mats: Sequence[object], n: int) -> None:
    """Refuse random terms whose Z'Z would hold more than :data:`MAX_MME_NNZ` non-zeros:
    nnz(Z'Z) ≤ min(Σ_rows nnz_row², q²), q the columns of all terms (a dense Z, such as the
    marker covariates of grp() or mbf(), has rows of q non-zeros but Z'Z is only q x q)."""
    if not mats:
        return
    q = float(sum(m.shape[1] for m in mats))  # type: ignore[attr-defined]
    nnz = min(float(np.sum(row_nnz(mats) ** 2)), q * q)
    if nnz > MAX_MME_NNZ:
        raise ModelError(
            f"the mixed model equations of the {len(labels):,} random terms would hold about "
            f"{nnz:,.0f} non-zeros (about {_fmt_bytes(12 * nnz)}) for {n:,} records",
            hint="too many overlapping random terms: drop high-order interactions (a * b * c "
                 "expands to 7 terms; (a + b + c)^2 to 6) or merge them")


__all__ = ["MAX_FIXED_COLUMNS", "MAX_TERM_COLUMNS", "MAX_MME_NNZ", "check_fixed_size",
           "check_term_size", "check_mme_size", "numeric_looking", "term_columns"]
