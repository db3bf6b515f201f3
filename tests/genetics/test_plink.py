"""PLINK .bed/.bim/.fam reader: bytes written by hand from the format specification.

Specification (PLINK 1.9 "File formats: .bed"; the PLINK 1.07 "binary PED" page): magic bytes
0x6c 0x1b, mode 0x01 = SNP-major; per SNP ceil(n/4) bytes, first individual in the two lowest
bits; code 0 = homozygous A1 (.bim column 5), 1 = missing, 2 = heterozygous, 3 = homozygous A2.
The reader returns the A1 count: 2, NaN, 1, 0.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from asr_py.errors import DataError
from asr_py.genetics import gmatrix
from asr_py.genetics.plink import read_bim, read_fam, read_plink

FAM6 = "".join(f"{f} {i} 0 0 1 -9\n" for f, i in [(1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (2, 3)])


def _write(prefix: Path, bed: bytes, fam: str, bim: str) -> Path:
    prefix.with_name(prefix.name + ".bed").write_bytes(bed)
    prefix.with_name(prefix.name + ".fam").write_text(fam)
    prefix.with_name(prefix.name + ".bim").write_text(bim)
    return prefix


def _assert_same(a: np.ndarray, b: np.ndarray) -> None:
    a, b = np.asarray(a, float), np.asarray(b, float)
    assert a.shape == b.shape
    assert np.array_equal(np.isnan(a), np.isnan(b))
    assert np.array_equal(a[~np.isnan(a)], b[~np.isnan(b)])


def test_documentation_example_decodes_exactly(tmp_path):
    # PLINK 1.07's worked example: 6 individuals, snp1 stored as 11011100 00001111
    # (0xDC 0x0F): G/G, A/A, 0/0, A/A, A/A, A/A with A1 = G  ->  2, 0, NaN, 0, 0, 0.
    # snp2 (by hand): 0xE7 = 11 10 01 11 -> codes (low first) 3, 1, 2, 3; 0x0F -> 3, 3.
    bed = bytes([0x6C, 0x1B, 0x01, 0xDC, 0x0F, 0xE7, 0x0F])
    bim = "1\tsnp1\t0\t1\tG\tA\n1\tsnp2\t0.5\t2\t1\t2\n"
    markers, mp = read_plink(_write(tmp_path / "doc", bed, FAM6, bim), ids="fid_iid")
    assert list(markers.index) == ["1_1", "1_2", "1_3", "2_1", "2_2", "2_3"]
    assert markers.index.name == "id"
    _assert_same(markers["snp1"], [2, 0, np.nan, 0, 0, 0])
    _assert_same(markers["snp2"], [0, np.nan, 1, 0, 0, 0])
    assert list(mp.columns) == ["chrom", "snp", "cm", "pos", "a1", "a2", "maf"]
    assert mp["a1"].tolist() == ["G", "1"] and mp["pos"].tolist() == [1, 2]
    assert mp["cm"].tolist() == [0.0, 0.5]
    # snp1: 2 A1 copies in 10 non-missing alleles -> p = 0.2; snp2: 1 in 10 -> 0.1
    assert mp["maf"].tolist() == pytest.approx([0.2, 0.1])


def test_every_code_and_ignored_padding(tmp_path):
    # 5 individuals -> 2 bytes per SNP; byte 1 = codes (low first) 0, 1, 2, 3 = 0b11100100;
    # byte 2 = code 2 then padding bits set to 1 (must be ignored): 0b11111110.
    bed = bytes([0x6C, 0x1B, 0x01, 0b11100100, 0b11111110])
    fam = "".join(f"F a{i} 0 0 0 0\n" for i in range(5))
    markers, _ = read_plink(_write(tmp_path / "codes", bed, fam, "2 rs1 0 100 T C\n"))
    _assert_same(markers["rs1"], [2, np.nan, 1, 0, 1])
    assert list(markers.index) == [f"a{i}" for i in range(5)]


def _pack(G: np.ndarray) -> bytes:
    """Independent writer: A1 counts (n x m, NaN missing) -> .bed bytes, bit by bit."""
    code = {2.0: 0, 1.0: 2, 0.0: 3}
    n, m = G.shape
    out = bytearray([0x6C, 0x1B, 0x01])
    for j in range(m):
        for start in range(0, n, 4):
            byte = 0
            for k in range(4):
                i = start + k
                if i < n:
                    v = G[i, j]
                    byte |= (1 if np.isnan(v) else code[float(v)]) << (2 * k)
            out.append(byte)
    return bytes(out)


@pytest.mark.parametrize("n", [1, 4, 37])
def test_round_trip_random_matrix(tmp_path, n):
    rng = np.random.default_rng(n)
    m = 23
    G = rng.integers(0, 3, size=(n, m)).astype(float)
    G[rng.random((n, m)) < 0.1] = np.nan
    fam = "".join(f"fam{i} ind{i} 0 0 {i % 3} 1.5\n" for i in range(n))
    bim = "".join(f"{1 + j // 10} snp{j} 0 {1000 * j} A G\n" for j in range(m))
    prefix = _write(tmp_path / "rt", _pack(G), fam, bim)
    for arg in (prefix, str(prefix) + ".bed", str(prefix) + ".fam"):
        markers, mp = read_plink(arg)
        _assert_same(markers.to_numpy(), G)
    assert (markers.dtypes == np.float64).all()
    m32, _ = read_plink(prefix, dtype=np.float32)
    assert (m32.dtypes == np.float32).all()
    _assert_same(m32.to_numpy(), G)
    assert mp["chrom"].tolist()[:11] == ["1"] * 10 + ["2"]


def test_large_file_decoded_in_chunks(tmp_path, monkeypatch):
    # force several chunks: the result must not depend on the chunking
    import asr_py.genetics.plink as plink

    rng = np.random.default_rng(7)
    G = rng.integers(0, 3, size=(9, 40)).astype(float)
    fam = "".join(f"0 i{i} 0 0 0 -9\n" for i in range(9))
    bim = "".join(f"1 s{j} 0 {j} A C\n" for j in range(40))
    prefix = _write(tmp_path / "chunks", _pack(G), fam, bim)
    monkeypatch.setattr(plink, "_CHUNK_BYTES", 7)
    _assert_same(read_plink(prefix)[0].to_numpy(), G)


def _gmatrix_from_plink(tmp_path: Path, G: np.ndarray, dtype: object) -> None:
    n, m = G.shape
    fam = "".join(f"0 id{i} 0 0 0 -9\n" for i in range(n))
    bim = "".join(f"1 s{j} 0 {j} A C\n" for j in range(m))
    markers, _ = read_plink(_write(tmp_path / "g", _pack(G), fam, bim), dtype=dtype)
    K = gmatrix(markers)
    K_ref = gmatrix(G, ids=[f"id{i}" for i in range(n)])
    assert K.ids == tuple(f"id{i}" for i in range(n))
    np.testing.assert_allclose(np.asarray(K.matrix), np.asarray(K_ref.matrix), rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_gmatrix_accepts_the_markers(tmp_path, dtype):
    G = np.random.default_rng(3).integers(0, 3, size=(12, 30)).astype(float)
    _gmatrix_from_plink(tmp_path, G, dtype)


def test_gmatrix_imputes_missing_plink_genotypes(tmp_path):
    G = np.random.default_rng(3).integers(0, 3, size=(12, 30)).astype(float)
    G[2, 5] = np.nan
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _gmatrix_from_plink(tmp_path, G, np.float64)
    assert any("imputed 1 missing" in str(w.message) for w in caught)


def test_bim_and_fam_tables(tmp_path):
    (tmp_path / "x.fam").write_text("F1 A 0 0 2 -9\nF1 B A 0 1 2.5\n")
    (tmp_path / "x.bim").write_text("X rs7 1.25 555 A T\n")
    fam = read_fam(tmp_path / "x.fam")
    assert fam["father"].tolist() == ["0", "A"] and fam["pheno"].tolist() == ["-9", "2.5"]
    bim = read_bim(tmp_path / "x.bim")
    assert bim.iloc[0].tolist() == ["X", "rs7", 1.25, 555, "A", "T"]


# ----- errors -----------------------------------------------------------------------------

BIM2 = "1 s1 0 1 A C\n1 s2 0 2 A C\n"


def test_bad_magic_names_the_file(tmp_path):
    p = _write(tmp_path / "bad", bytes([0x6C, 0x1C, 0x01, 0, 0, 0, 0]), FAM6, BIM2)
    with pytest.raises(DataError, match=r"bad\.bed.*magic bytes 0x6c 0x1b.*0x6c 0x1c 0x01"):
        read_plink(p)
    p = _write(tmp_path / "empty", b"", FAM6, BIM2)
    with pytest.raises(DataError, match=r"empty\.bed.*an empty file"):
        read_plink(p)


def test_individual_major_refused(tmp_path):
    p = _write(tmp_path / "im", bytes([0x6C, 0x1B, 0x00, 0, 0, 0, 0]), FAM6, BIM2)
    with pytest.raises(DataError, match=r"im\.bed.*mode byte 0x00.*SNP-major") as e:
        read_plink(p)
    assert "--make-bed" in str(e.value)


def test_truncated_bed(tmp_path):
    # 6 individuals x 2 SNPs need 3 + 2 x 2 = 7 bytes; give 6
    p = _write(tmp_path / "trunc", bytes([0x6C, 0x1B, 0x01, 0xDC, 0x0F, 0xE7]), FAM6, BIM2)
    with pytest.raises(DataError, match=r"trunc\.bed.* 6 bytes.*6 individuals.*2 SNPs.*= 7 "
                                         r"bytes: the \.bed is truncated"):
        read_plink(p)


def test_fam_and_bim_counts_that_do_not_match(tmp_path):
    bed = bytes([0x6C, 0x1B, 0x01, 0xDC, 0x0F, 0xE7, 0x0F])
    # one SNP too many in the .bim: needs 9 bytes
    p = _write(tmp_path / "bim3", bed, FAM6, BIM2 + "1 s3 0 3 A C\n")
    with pytest.raises(DataError, match=r"bim3\.bim.*lists 3 SNPs.*= 9 bytes"):
        read_plink(p)
    # 9 individuals need 3 bytes per SNP: 9 in all, the .bed has 7
    fam9 = FAM6 + "3 1 0 0 1 -9\n3 2 0 0 1 -9\n3 3 0 0 1 -9\n"
    p = _write(tmp_path / "fam9", bed, fam9, BIM2)
    with pytest.raises(DataError, match=r"fam9\.fam.*lists 9 individuals"):
        read_plink(p)
    # fewer individuals (1 byte per SNP): the .bed is longer than expected
    p = _write(tmp_path / "fam2", bed, "a a 0 0 0 0\nb b 0 0 0 0\n", BIM2)
    with pytest.raises(DataError, match="longer than expected"):
        read_plink(p)


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(DataError, match=r"nothere\.bed.*does not exist"):
        read_plink(tmp_path / "nothere")
    bed = bytes([0x6C, 0x1B, 0x01, 0xDC, 0x0F, 0xE7, 0x0F])
    p = _write(tmp_path / "nofam", bed, FAM6, BIM2)
    p.with_name("nofam.fam").unlink()
    with pytest.raises(DataError, match=r"nofam\.fam.*does not exist"):
        read_plink(p)
    p = _write(tmp_path / "short", bed, FAM6.replace("2 2 0 0 1 -9", "2 2 0 0 1"), BIM2)
    with pytest.raises(DataError, match=r"short\.fam.*line 5: expected 6.*found 5"):
        read_plink(p)
    p = _write(tmp_path / "pos", bed, FAM6, "1 s1 0 1 A C\n1 s2 0 two A C\n")
    with pytest.raises(DataError, match=r"pos\.bim.*SNP 2.*'pos'.*'two'"):
        read_plink(p)
    p = _write(tmp_path / "nobim", bed, FAM6, "\n\n")
    with pytest.raises(DataError, match=r"nobim\.bim.*is empty"):
        read_plink(p)


def test_duplicated_ids_point_to_fid_iid(tmp_path):
    bed = bytes([0x6C, 0x1B, 0x01, 0xDC, 0x0F, 0xE7, 0x0F])
    p = _write(tmp_path / "dup", bed, FAM6, BIM2)
    with pytest.raises(DataError, match=r"dup\.fam.*repeat.*\['1', '2', '3'\]") as e:
        read_plink(p)
    assert "ids='fid_iid'" in str(e.value)
    with pytest.raises(DataError, match="ids must be"):
        read_plink(p, ids="name")
