"""Read PLINK 1 binary genotype files (``.bed`` + ``.bim`` + ``.fam``) into a marker matrix.

Format (PLINK 1.9 documentation, "File formats: .bed"): the ``.bed`` file starts with the magic
bytes ``0x6c 0x1b`` and a mode byte ``0x01`` (SNP-major); then, for each SNP of the ``.bim`` in
order, ``ceil(n / 4)`` bytes holding the n individuals of the ``.fam`` in order, four per byte,
the first individual in the two lowest bits. The two-bit codes (read low bit first) are

====  =====================================  =======================
bits  genotype                               value returned (A1 count)
====  =====================================  =======================
00    homozygous for A1 (``.bim`` column 5)  2
01    missing                                NaN
10    heterozygous                           1
11    homozygous for A2 (``.bim`` column 6)  0
====  =====================================  =======================

so a value is the number of copies of the allele in column 5 of the ``.bim`` (A1), as PLINK's
``--recode A`` writes it (and bed-reader's default ``count_A1=True``). Unused bits at the end of
a SNP's last byte are ignored. Individual-major files (mode byte ``0x00``, PLINK < 1.0) are
refused. The result goes straight into :func:`asr_py.genetics.gmatrix` (which imputes NaN).

The decoder is a 256-entry lookup table applied with numpy (no dependency): a byte maps to the
four genotypes it holds. Measured: 2 000 individuals x 50 000 SNPs (25 MB .bed) in 2-5 s on
2 shared cores.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import DataError

__all__ = ["read_plink", "read_bim", "read_fam"]

MAGIC = b"\x6c\x1b"
SNP_MAJOR = 0x01
BIM_COLUMNS = ["chrom", "snp", "cm", "pos", "a1", "a2"]
FAM_COLUMNS = ["fid", "iid", "father", "mother", "sex", "pheno"]

# two-bit code -> A1 count (00 -> 2, 01 -> missing, 10 -> 1, 11 -> 0)
_CODE_VALUE = np.array([2.0, np.nan, 1.0, 0.0])
# byte -> its four two-bit codes, first individual from the two lowest bits; viewed as one
# uint32 per byte so a single gather copies all four (the byte order in memory is kept)
_CODES = ((np.arange(256)[:, None] >> np.array([0, 2, 4, 6])) & 3).astype(np.uint8)
_CODES32 = np.ascontiguousarray(_CODES).view(np.uint32).ravel()
# byte -> A1 alleles and non-missing genotypes among its first k individuals (k = 1..4)
_A1 = np.stack([np.nansum(_CODE_VALUE[_CODES[:, :k]], axis=1) for k in range(1, 5)], axis=1)
_OBS = np.stack([(_CODES[:, :k] != 1).sum(axis=1) for k in range(1, 5)], axis=1)

#: bytes of .bed decoded at once (bounds the temporary memory to ~ 36 x this)
_CHUNK_BYTES = 1 << 22


def _paths(prefix: str | os.PathLike[str]) -> tuple[Path, Path, Path]:
    p = Path(os.fspath(prefix))
    if p.suffix.lower() in (".bed", ".bim", ".fam"):
        p = p.with_suffix("")
    return p.with_name(p.name + ".bed"), p.with_name(p.name + ".bim"), p.with_name(
        p.name + ".fam")


def _read_table(path: Path, columns: list[str], what: str) -> pd.DataFrame:
    if not path.exists():
        raise DataError(f"PLINK {what} file {str(path)!r} does not exist",
                        hint="read_plink takes the common prefix of the .bed/.bim/.fam files")
    rows: list[list[str]] = []
    with open(path, encoding="utf-8", errors="replace") as fh:
        for lineno, line in enumerate(fh, start=1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) != 6:
                raise DataError(
                    f"{what} file {str(path)!r}, line {lineno}: expected 6 whitespace-separated "
                    f"fields, found {len(fields)}: {line.strip()[:80]!r}",
                    hint=f"a {what} line is: " + " ".join(columns))
            rows.append(fields)
    if not rows:
        raise DataError(f"{what} file {str(path)!r} is empty")
    return pd.DataFrame(rows, columns=columns)


def read_bim(path: str | os.PathLike[str]) -> pd.DataFrame:
    """The ``.bim`` map: columns chrom, snp, cm (float), pos (int), a1, a2 (all text else)."""
    p = Path(os.fspath(path))
    df = _read_table(p, BIM_COLUMNS, ".bim")
    for col, kind in (("cm", float), ("pos", int)):
        try:
            df[col] = df[col].astype(kind)
        except (TypeError, ValueError):
            bad = next(i for i, v in enumerate(df[col]) if not _parses(v, kind))
            raise DataError(f".bim file {str(p)!r}, SNP {bad + 1}: column {col!r} is not a "
                            f"number: {df[col].iloc[bad]!r}") from None
    return df


def _parses(v: str, kind: type) -> bool:
    try:
        kind(v)
    except ValueError:
        return False
    return True


def read_fam(path: str | os.PathLike[str]) -> pd.DataFrame:
    """The ``.fam`` table: columns fid, iid, father, mother, sex, pheno, all as text."""
    return _read_table(Path(os.fspath(path)), FAM_COLUMNS, ".fam")


def _decode(raw: np.ndarray, n: int, dtype: Any) -> np.ndarray:
    """SNP-major bytes (m x ceil(n/4)) -> array n x m of A1 counts (Fortran-ordered)."""
    m, per_snp = raw.shape
    values = _CODE_VALUE.astype(dtype)
    out = np.empty((m, n), dtype=dtype)
    step = max(1, _CHUNK_BYTES // max(per_snp, 1))
    for s in range(0, m, step):
        block = raw[s:s + step]
        codes = _CODES32[block].view(np.uint8).reshape(block.shape[0], per_snp * 4)[:, :n]
        np.take(values, codes, out=out[s:s + step])
    return out.T


def _allele_frequency(raw: np.ndarray, n: int) -> np.ndarray:
    """Frequency of A1 among the non-missing genotypes of each SNP, from the bytes."""
    full, rest = divmod(n, 4)
    a1 = _A1[raw[:, :full], 3].sum(axis=1)
    obs = _OBS[raw[:, :full], 3].sum(axis=1)
    if rest:
        a1 = a1 + _A1[raw[:, full], rest - 1]
        obs = obs + _OBS[raw[:, full], rest - 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        return a1 / (2.0 * obs)


def read_plink(
    prefix: str | os.PathLike[str],
    *,
    ids: str = "iid",
    dtype: Any = np.float64,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read ``prefix.bed``, ``prefix.bim`` and ``prefix.fam``.

    Args:
        prefix: the common path without extension (``data/geno`` or ``data/geno.bed``).
        ids: row labels: ``'iid'`` (individual id, ``.fam`` column 2) or ``'fid_iid'``
            (``FID_IID``, for files whose individual ids repeat across families).
        dtype: float type of the markers: ``np.float64`` (default; gmatrix then works on
            this array without a copy) or ``np.float32`` (half the memory to hold them;
            0, 1, 2 and NaN are exact in both).

    Returns:
        ``(markers, map)``: ``markers`` is an n x m DataFrame of A1 allele counts 0/1/2 (NaN for
        missing) with the ids as index (name ``'id'``) and the SNP names of the ``.bim`` as
        columns; ``map`` is the ``.bim`` table (chrom, snp, cm, pos, a1, a2) with a ``maf``
        column (minor-allele frequency among the non-missing genotypes; NaN if all missing).
        The ``.fam`` table itself: :func:`read_fam`.

    Raises:
        DataError: a missing file, a malformed ``.bim``/``.fam`` line, a ``.bed`` whose magic
            bytes are wrong or that is individual-major, or whose size does not match the
            numbers of SNPs (``.bim`` lines) and individuals (``.fam`` lines).
    """
    if ids not in ("iid", "fid_iid"):
        raise DataError(f"read_plink: ids must be 'iid' or 'fid_iid', not {ids!r}")
    bed, bim_path, fam_path = _paths(prefix)
    if not bed.exists():
        raise DataError(f"PLINK .bed file {str(bed)!r} does not exist",
                        hint="read_plink takes the common prefix of the .bed/.bim/.fam files")
    bim = read_bim(bim_path)
    fam = read_fam(fam_path)
    n, m = len(fam), len(bim)
    data = np.fromfile(bed, dtype=np.uint8)
    if data.size < 3 or data[:2].tobytes() != MAGIC:
        head = " ".join(f"0x{b:02x}" for b in data[:3])
        raise DataError(f".bed file {str(bed)!r} does not start with the PLINK magic bytes "
                        f"0x6c 0x1b (found: {head or 'an empty file'})",
                        hint="is it a PLINK 1 binary .bed (not a UCSC BED text file or a "
                             "PLINK 2 .pgen)?")
    if data[2] != SNP_MAJOR:
        raise DataError(f".bed file {str(bed)!r} has mode byte 0x{data[2]:02x}, not 0x01 "
                        "(SNP-major); individual-major files (PLINK < 1.0) are not read",
                        hint="rewrite it with: plink --bfile PREFIX --make-bed --out NEW")
    per_snp = (n + 3) // 4
    expected = 3 + m * per_snp
    if data.size != expected:
        kind = "truncated" if data.size < expected else "longer than expected"
        raise DataError(
            f".bed file {str(bed)!r} has {data.size} bytes but {str(fam_path)!r} lists {n} "
            f"individuals and {str(bim_path)!r} lists {m} SNPs, which need 3 + {m} x "
            f"ceil({n}/4) = {expected} bytes: the .bed is {kind} or the .bim/.fam do not "
            "belong to it",
            hint="check that the three files come from the same PLINK run")
    raw = data[3:].reshape(m, per_snp)
    X = _decode(raw, n, dtype)
    if ids == "iid":
        row_ids = fam["iid"].tolist()
    else:
        row_ids = (fam["fid"] + "_" + fam["iid"]).tolist()
    index = pd.Index(row_ids, name="id", dtype=object)
    if index.has_duplicates:
        dup = list(dict.fromkeys(index[index.duplicated()]))[:5]
        raise DataError(f".fam file {str(fam_path)!r}: individual ids repeat, e.g. {dup}",
                        hint="pass ids='fid_iid' to label rows by family and individual id"
                        if ids == "iid" else None)
    markers = pd.DataFrame(X, index=index, columns=pd.Index(bim["snp"].tolist(), dtype=object),
                           copy=False)
    p = _allele_frequency(raw, n)
    out_map = bim.copy()
    out_map["maf"] = np.minimum(p, 1.0 - p)
    return markers, out_map
