"""Pedigree checks, inbreeding, A (tabular) and A-inverse (Henderson/Quaas)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _dense_reml import tabular_a

from asr_py.errors import AsrError, PedigreeError
from asr_py.genetics import ainverse, amatrix, inbreeding, prepare_pedigree

DATA = Path(__file__).resolve().parents[1] / "data"

# ---------------------------------------------------------------------------------------------
# Mrode, R.A. (2005) Linear Models for the Prediction of Animal Breeding Values, 2nd ed.,
# Example 2.1 (tabular A) and the A-inverse accounting for inbreeding (Section 2.3, Example 2.2):
# six animals; 3 = 1 x 2, 4 = 1 x ?, 5 = 4 x 3, 6 = 5 x 2; animals 5 and 6 have F = 0.125.
# ---------------------------------------------------------------------------------------------
MRODE = pd.DataFrame({"calf": [1, 2, 3, 4, 5, 6], "sire": [0, 0, 1, 1, 4, 5],
                      "dam": [0, 0, 2, 0, 3, 2]})
# A worked by hand with the tabular method (as printed in Mrode, Example 2.1).
MRODE_A = np.array([
    [1.000, 0.000, 0.500, 0.500, 0.500, 0.250],
    [0.000, 1.000, 0.500, 0.000, 0.250, 0.625],
    [0.500, 0.500, 1.000, 0.250, 0.625, 0.5625],
    [0.500, 0.000, 0.250, 1.000, 0.625, 0.3125],
    [0.500, 0.250, 0.625, 0.625, 1.125, 0.6875],
    [0.250, 0.625, 0.5625, 0.3125, 0.6875, 1.125],
])
# Henderson's rules with Quaas' correction by hand: d = 1/D with D = (1, 1, 1/2, 3/4, 1/2,
# 1/2 - (F5 + F2)/4 = 15/32), so d6 = 32/15; e.g. A^-1[5,5] = d5 + d6/4 = 2 + 8/15.
_d6 = 32 / 15
MRODE_AINV = np.array([
    [1 + 1 / 2 + 1 / 3, 1 / 2, -1, -2 / 3, 0, 0],
    [1 / 2, 1 + 1 / 2 + _d6 / 4, -1, 0, _d6 / 4, -_d6 / 2],
    [-1, -1, 2 + 1 / 2, 1 / 2, -1, 0],
    [-2 / 3, 0, 1 / 2, 4 / 3 + 1 / 2, -1, 0],
    [0, _d6 / 4, -1, -1, 2 + _d6 / 4, -_d6 / 2],
    [0, -_d6 / 2, 0, 0, -_d6 / 2, _d6],
])
MRODE_D = np.array([1, 1, 0.5, 0.75, 0.5, 15 / 32])


def test_mrode_amatrix_by_hand():
    A = amatrix(MRODE)
    assert A.ids == ("1", "2", "3", "4", "5", "6")
    assert A.kind == "A" and not A.inverse
    np.testing.assert_allclose(A.toarray(), MRODE_A, atol=1e-15)
    np.testing.assert_allclose(A.logdet, np.log(MRODE_D).sum(), rtol=1e-13)
    np.testing.assert_allclose(A.logdet, np.linalg.slogdet(MRODE_A)[1], rtol=1e-12)


def test_mrode_inbreeding():
    F = inbreeding(MRODE)
    np.testing.assert_allclose(F.to_numpy(), [0, 0, 0, 0, 0.125, 0.125], atol=1e-15)
    np.testing.assert_allclose(F.to_numpy(), np.diag(MRODE_A) - 1, atol=1e-15)
    assert list(F.index) == ["1", "2", "3", "4", "5", "6"]


def test_mrode_ainverse_by_hand_and_against_inverse_of_tabular_a():
    Ai = ainverse(MRODE)
    assert Ai.inverse and Ai.kind == "Ainv" and Ai.is_sparse
    M = Ai.toarray()
    np.testing.assert_allclose(M, MRODE_AINV, atol=1e-13)
    np.testing.assert_allclose(M, np.linalg.inv(MRODE_A), atol=1e-12)
    # Mrode prints A^-1 to 3 decimals: a few of those entries
    assert M[1, 1] == pytest.approx(2.033, abs=5e-4)
    assert M[4, 4] == pytest.approx(2.533, abs=5e-4)
    assert M[5, 5] == pytest.approx(2.133, abs=5e-4)
    assert M[4, 5] == pytest.approx(-1.067, abs=5e-4)
    np.testing.assert_allclose(Ai.logdet, np.linalg.slogdet(MRODE_A)[1], rtol=1e-12)
    np.testing.assert_allclose(Ai.inbreeding.to_numpy(), np.diag(MRODE_A) - 1, atol=1e-15)
    assert (Ai.matrix != Ai.matrix.T).nnz == 0


# ---------------------------------------------------------------------------------------------
# Gryphon pedigree (tests/data/P_gryphon.csv, a copy of shared/data/sommer/P_gryphon.csv).
# Reference numbers from shared/reference/g_gryphon_animal.json, dataset.relationship_matrix,
# computed in R by the tabular method (equal to sommer's A_gryphon).
# ---------------------------------------------------------------------------------------------
GRYPHON_REF = {
    "n_animals": 1309,
    "sum_A": 8597.447265625,
    "trace_A": 1309.25,
    "logdet_A": -509.30887418641,
    "n_inbred": 1,
    "nnz_Ainv_full": 5373,
}


@pytest.fixture(scope="module")
def gryphon() -> pd.DataFrame:
    return pd.read_csv(DATA / "P_gryphon.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def gryphon_a(gryphon) -> np.ndarray:
    return amatrix(gryphon)


def test_gryphon_amatrix_matches_reference(gryphon_a):
    A = gryphon_a.toarray()
    assert A.shape == (GRYPHON_REF["n_animals"],) * 2
    assert A.sum() == pytest.approx(GRYPHON_REF["sum_A"], rel=1e-13)
    assert np.trace(A) == pytest.approx(GRYPHON_REF["trace_A"], rel=1e-13)
    assert np.linalg.slogdet(A)[1] == pytest.approx(GRYPHON_REF["logdet_A"], rel=1e-11)
    assert gryphon_a.logdet == pytest.approx(GRYPHON_REF["logdet_A"], rel=1e-11)
    assert int((gryphon_a.inbreeding > 0).sum()) == GRYPHON_REF["n_inbred"]


def test_gryphon_ainverse_matches_reference_and_tabular(gryphon, gryphon_a):
    Ai = ainverse(gryphon)
    assert Ai.ids == gryphon_a.ids
    assert Ai.matrix.nnz == GRYPHON_REF["nnz_Ainv_full"]
    assert Ai.logdet == pytest.approx(GRYPHON_REF["logdet_A"], rel=1e-11)
    prod = Ai.matrix @ gryphon_a.toarray()
    np.testing.assert_allclose(prod, np.eye(Ai.n), atol=1e-10)
    F = inbreeding(gryphon)
    np.testing.assert_allclose(F.to_numpy(), np.diag(gryphon_a.toarray()) - 1, atol=1e-14)
    assert (F > 0).sum() == 1 and F.max() == pytest.approx(0.25)


def test_gryphon_numeric_read_gives_same_ids(gryphon):
    # read with pandas defaults: ids are ints, sire/dam floats with NaN (1306.0 must be '1306')
    raw = pd.read_csv(DATA / "P_gryphon.csv")
    assert raw["sire"].dtype.kind == "f"
    a = ainverse(raw)
    b = ainverse(gryphon)
    assert a.ids == b.ids
    assert (a.matrix != b.matrix).nnz == 0


def test_gryphon_is_sorted_parents_first(gryphon):
    ped = prepare_pedigree(gryphon)
    pos = {k: i for i, k in enumerate(ped["id"])}
    for col in ("sire", "dam"):
        known = ped[col].notna()
        assert all(pos[p] < pos[c] for p, c in zip(ped.loc[known, col], ped.loc[known, "id"]))
    gen = dict(zip(ped["id"], ped["generation"]))
    for _, r in ped.iterrows():
        parents = [gen[p] for p in (r["sire"], r["dam"]) if p is not None]
        assert r["generation"] == (1 + max(parents) if parents else 0)


# ---------------------------------------------------------------------------------------------
# simulated pedigrees: overlapping generations, selfing, unknown parents, shuffled rows
# ---------------------------------------------------------------------------------------------
def _random_pedigree(n: int, seed: int, selfing: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sire = np.zeros(n, dtype=int)
    dam = np.zeros(n, dtype=int)
    for i in range(10, n):
        pool = np.arange(max(1, i - 60), i + 1)  # recent animals: inbreeding builds up
        s, d = rng.choice(pool, 2, replace=False)
        if selfing and rng.random() < 0.2:
            d = s
        sire[i] = s if rng.random() > 0.1 else 0
        dam[i] = d if rng.random() > 0.1 else 0
    ped = pd.DataFrame({"id": np.arange(1, n + 1), "sire": sire, "dam": dam})
    return ped.sample(frac=1, random_state=seed).reset_index(drop=True)


@pytest.mark.parametrize("seed", [1, 2])
def test_random_pedigree_inverse_and_inbreeding(seed):
    ped = _random_pedigree(300, seed)
    A = amatrix(ped, check_roles=False)
    Ai = ainverse(ped, check_roles=False)
    M = A.toarray()
    assert (A.inbreeding > 0).sum() > 20  # the test pedigree really is inbred
    np.testing.assert_allclose(Ai.matrix @ M, np.eye(len(M)), atol=1e-9)
    F = inbreeding(ped, check_roles=False)
    np.testing.assert_allclose(F.to_numpy(), np.diag(M) - 1, atol=1e-13)
    assert Ai.logdet == pytest.approx(np.linalg.slogdet(M)[1], rel=1e-10)


def test_selfing_allowed_without_role_check():
    ped = _random_pedigree(200, 3, selfing=True)
    with pytest.raises(PedigreeError, match="both sire and dam"):
        ainverse(ped)
    A = amatrix(ped, check_roles=False).toarray()
    Ai = ainverse(ped, check_roles=False)
    np.testing.assert_allclose(Ai.matrix @ A, np.eye(len(A)), atol=1e-9)
    # a selfed offspring of a non-inbred parent has F = 1/2
    simple = pd.DataFrame({"id": ["a", "b"], "sire": ["0", "a"], "dam": ["0", "a"]})
    F = inbreeding(simple, check_roles=False)
    assert F["b"] == pytest.approx(0.5)


def test_tabular_a_and_ainverse_agree_with_independent_recursion():
    """A by a plain animal-by-animal tabular recursion (independent code) equals amatrix."""
    ped = prepare_pedigree(_random_pedigree(120, 5), check_roles=False)
    ids = list(ped["id"])
    pos = {k: i for i, k in enumerate(ids)}
    A = tabular_a([pos.get(s) for s in ped["sire"]], [pos.get(d) for d in ped["dam"]])
    np.testing.assert_allclose(amatrix(ped, check_roles=False).toarray(), A, atol=1e-14)


# ---------------------------------------------------------------------------------------------
# preparation: codes, founders, sorting, errors, no mutation
# ---------------------------------------------------------------------------------------------
def test_unknown_parent_codes():
    ped = pd.DataFrame({
        "id": ["a", "b", "c", "d", "e", "f", "g"],
        "sire": ["0", None, "*", "", "a", "a", "-99"],
        "dam": [0, np.nan, pd.NA, "b", "  ", "b", "b"],
    }, dtype=object)
    out = prepare_pedigree(ped, unknown=(0, "0", "", pd.NA, "*", "-99"))
    got = out.set_index("id")
    assert got.loc["a", "sire"] is None and got.loc["a", "dam"] is None
    assert got.loc["c", "sire"] is None and got.loc["c", "dam"] is None
    assert got.loc["d", "sire"] is None and got.loc["d", "dam"] == "b"
    assert got.loc["e", "sire"] == "a" and got.loc["e", "dam"] is None  # blank after strip
    assert got.loc["g", "sire"] is None and got.loc["g", "dam"] == "b"
    # with the default codes, '-99' is an id: it is added as a founder
    out2 = prepare_pedigree(ped)
    assert "-99" in set(out2["id"]) and len(out2) == 8


def test_float_zero_code_and_integer_ids():
    ped = pd.DataFrame({"id": [1, 2, 3], "sire": [0.0, 0.0, 1.0], "dam": [np.nan, 0.0, 2.0]})
    out = prepare_pedigree(ped)
    assert list(out["id"]) == ["1", "2", "3"]
    assert out.iloc[2]["sire"] == "1" and out.iloc[2]["dam"] == "2"


def test_founders_added_and_sorted():
    ped = pd.DataFrame({"id": ["k2", "k1", "p"], "sire": ["k1", "s", "s"],
                        "dam": ["p", "x", "y"]})
    out = prepare_pedigree(ped)
    assert set(out["id"]) == {"k2", "k1", "p", "s", "x", "y"}
    added = out[out["id"].isin(["s", "x", "y"])]
    assert (added["generation"] == 0).all() and added["sire"].isna().all()
    order = list(out["id"])
    assert order.index("k1") < order.index("k2") and order.index("p") < order.index("k2")
    assert dict(zip(out["id"], out["generation"]))["k2"] == 2
    assert ainverse(ped).info["n_founders_added"] == 3


def test_named_columns_and_extra_columns():
    ped = pd.DataFrame({"note": ["x", "y", "z"], "animal": ["c", "a", "b"],
                        "father": ["a", "0", "0"], "mother": ["b", "0", "0"]})
    out = prepare_pedigree(ped, id="animal", sire="father", dam="mother")
    assert list(out["id"]) == ["a", "b", "c"]
    with pytest.raises(PedigreeError, match="no sire column 'dad'"):
        prepare_pedigree(ped, id="animal", sire="dad", dam="mother")


def test_loop_is_reported_with_its_cycle():
    ped = pd.DataFrame({
        "id": ["f", "a", "b", "c", "kid"],
        "sire": ["0", "b", "c", "a", "a"],
        "dam": ["0", "f", "f", "f", "f"],
    })
    with pytest.raises(PedigreeError, match="own ancestor") as info:
        prepare_pedigree(ped)
    cyc = info.value.cycle
    assert cyc[0] == cyc[-1] and sorted(cyc[:-1]) == ["a", "b", "c"]
    parent_of = {"a": "b", "b": "c", "c": "a"}  # child -> sire
    for p, k in zip(cyc, cyc[1:]):
        assert parent_of[k] == p  # each is a parent of the next
    assert " -> ".join(cyc) in str(info.value)


def test_self_parent_loop():
    ped = pd.DataFrame({"id": ["a", "b"], "sire": ["0", "b"], "dam": ["0", "a"]})
    with pytest.raises(PedigreeError) as info:
        ainverse(ped)
    assert info.value.cycle == ["b", "b"]


def test_sire_and_dam_roles():
    ped = pd.DataFrame({"id": ["a", "b", "c", "d"], "sire": ["0", "0", "a", "b"],
                        "dam": ["0", "0", "b", "c"]})
    with pytest.raises(PedigreeError, match="both sire and dam: 'b'"):
        prepare_pedigree(ped)
    assert len(prepare_pedigree(ped, check_roles=False)) == 4


def test_sex_conflict():
    ped = pd.DataFrame({
        "id": ["m1", "m2", "f1", "f2", "k1", "k2", "k3"],
        "sire": ["0", "0", "0", "0", "m1", "m2", "f2"],
        "dam": ["0", "0", "0", "0", "f1", "f1", "f1"],
        "sex": ["M", "M", "F", "F", "M", "F", "M"],
    })
    with pytest.raises(PedigreeError, match=r"used as sire but sex is not 'M': 'f2' \(sex 'F'\)"):
        prepare_pedigree(ped, sex="sex")
    ok = ped.assign(sire=["0", "0", "0", "0", "m1", "m2", "m2"])
    out = prepare_pedigree(ok, sex="sex")
    assert list(out.columns) == ["id", "sire", "dam", "generation", "sex"]


def test_duplicates():
    same = pd.DataFrame({"id": ["a", "b", "c", "c"], "sire": ["0", "0", "a", "a"],
                         "dam": ["0", "0", "b", "b"]})
    assert len(prepare_pedigree(same)) == 3
    diff = same.assign(dam=["0", "0", "b", "0"])
    with pytest.raises(PedigreeError, match="more than once with different parents: 'c'"):
        prepare_pedigree(diff)


def test_missing_id_and_bad_input():
    ped = pd.DataFrame({"id": ["a", None], "sire": ["0", "a"], "dam": ["0", "0"]})
    with pytest.raises(PedigreeError, match="missing or unknown-coded animal id"):
        prepare_pedigree(ped)
    with pytest.raises(PedigreeError, match="must be a pandas DataFrame"):
        prepare_pedigree([["a", "0", "0"]])  # type: ignore[arg-type]
    with pytest.raises(PedigreeError, match="needs three columns"):
        prepare_pedigree(pd.DataFrame({"id": ["a"], "sire": ["0"]}))


def test_errors_are_asr_errors():
    assert issubclass(PedigreeError, AsrError)


def test_input_not_mutated(gryphon):
    ped = _random_pedigree(150, 9)
    ped["extra"] = np.arange(len(ped))
    before = ped.copy(deep=True)
    g_before = gryphon.copy(deep=True)
    prepare_pedigree(ped, check_roles=False)
    inbreeding(ped, check_roles=False)
    ainverse(ped, check_roles=False)
    amatrix(ped, check_roles=False)
    ainverse(gryphon)
    pd.testing.assert_frame_equal(ped, before)
    pd.testing.assert_frame_equal(gryphon, g_before)


def test_amatrix_size_limit():
    ped = _random_pedigree(50, 4)
    with pytest.raises(PedigreeError, match="use ainverse"):
        amatrix(ped, max_animals=40, check_roles=False)


def test_large_pedigree_diagonal_by_henderson_rule():
    """20 000 animals: the diagonal of A-inverse for animals without offspring is 1/D_ii."""
    rng = np.random.default_rng(0)
    n_gen, per = 5, 4000
    ids = np.arange(1, n_gen * per + 1)
    gen = np.repeat(np.arange(n_gen), per)
    sire = np.zeros(ids.size, int)
    dam = np.zeros(ids.size, int)
    for g in range(1, n_gen):
        prev = ids[gen == g - 1]
        k = gen == g
        sire[k] = rng.choice(prev[: per // 2], k.sum())
        dam[k] = rng.choice(prev[per // 2:], k.sum())
    ped = pd.DataFrame({"id": ids, "sire": sire, "dam": dam})
    Ai = ainverse(ped)
    F = Ai.inbreeding
    assert Ai.n == ids.size and (F >= 0).all()
    # last generation: both parents known, no offspring, so A-inverse[i,i] = d_i
    last = np.flatnonzero(gen == n_gen - 1)[:50]
    pos = Ai.positions(ids[last])
    fs = F.iloc[Ai.positions(sire[last])].to_numpy()
    fd = F.iloc[Ai.positions(dam[last])].to_numpy()
    d = 1 / (0.5 - 0.25 * (fs + fd))
    np.testing.assert_allclose(Ai.matrix[pos, pos].A1, d, rtol=1e-12)


def test_ainverse_reordered_by_id_is_inverse_of_reordered_a():
    Ai, A = ainverse(MRODE), amatrix(MRODE)
    order = ["6", "3", "1", "5", "2", "4"]
    P = Ai.subset(order)
    assert P.is_sparse and P.ids == tuple(order) and P.logdet == Ai.logdet
    np.testing.assert_allclose(P.toarray() @ A.subset(order).toarray(), np.eye(6), atol=1e-12)
    assert list(P.inbreeding.index) == order
    with pytest.raises(AsrError, match="cannot drop rows of the inverse"):
        Ai.subset(["1", "2"])
    with pytest.raises(AsrError, match=r"1 id\(s\) not in relationship matrix 'Ainv'.*'99'"):
        Ai.positions(["1", "99"])


@pytest.mark.parametrize("method", ["window", "sparse"])
@pytest.mark.parametrize("selfing", [False, True])
def test_both_inbreeding_methods_match_tabular(method, selfing):
    from asr_py.genetics.pedigree import _inbreeding_arrays, _prepare

    ped = _random_pedigree(250, 11, selfing=selfing)
    p = _prepare(ped, check_roles=False)
    F, D = _inbreeding_arrays(p.sire, p.dam, p.generation, method=method)
    A = amatrix(ped, check_roles=False)
    np.testing.assert_allclose(F, np.diag(A.toarray()) - 1, atol=1e-13)
    np.testing.assert_allclose(np.log(D).sum(), np.linalg.slogdet(A.toarray())[1], rtol=1e-10)
    assert (F > 0).sum() > 20
