"""compile_model: X, Z, templates and parameter names checked against hand-built matrices."""

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import asr_py as asr
from asr_py.vcov import to_dense


@pytest.fixture
def toy() -> pd.DataFrame:
    # 6 records: 3 sires in 2 environments (a small sire-model layout)
    return pd.DataFrame({
        "y": [9.0, 12.0, 11.0, 6.0, 7.0, 14.0],
        "env": ["E1", "E1", "E1", "E2", "E2", "E2"],
        "sire": ["S1", "S2", "S3", "S1", "S2", "S3"],
        "x": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
    })


def test_sire_model_matrices(toy):
    m = asr.compile_model("y ~ env", "~ sire", data=toy)
    np.testing.assert_array_equal(m.X, [[1, 0], [1, 0], [1, 0], [1, 1], [1, 1], [1, 1]])
    Z = m.random[0].Z.toarray()
    np.testing.assert_array_equal(Z, np.vstack([np.eye(3), np.eye(3)]))
    assert m.fixed.names == ["(Intercept)", "env_E2"]
    assert m.param_names == ["sire", "units!R"]
    G = to_dense(m.random[0].template.matrix(np.array([2.0])))
    np.testing.assert_allclose(G, 2 * np.eye(3))


def test_no_intercept_full_indicators_and_covariate(toy):
    m = asr.compile_model("y ~ -1 + env + x", data=toy)
    np.testing.assert_array_equal(m.X[:, :2], [[1, 0]] * 3 + [[0, 1]] * 3)
    np.testing.assert_array_equal(m.X[:, 2], toy["x"])


def test_aliased_columns_listed(toy):
    d = toy.assign(x2=2 * toy["x"])
    m = asr.compile_model("y ~ x + x2", data=d)
    assert m.fixed.names == ["(Intercept)", "x"]
    assert m.fixed.aliased == ["x2"]
    assert any("aliased" in w for w in m.warnings)


def test_bivariate_stacking_with_missing(toy):
    d = toy.assign(y2=[1.0, np.nan, 3.0, 4.0, 5.0, np.nan])
    m = asr.compile_model("cbind(y, y2) ~ trait + trait:env", "~ us(trait):sire",
                          "~ units:us(trait)", data=d)
    # trait within row; a missing y2 drops only that record
    np.testing.assert_array_equal(m.y, [9, 1, 12, 11, 3, 6, 4, 7, 5, 14])
    np.testing.assert_array_equal(m.records.trait, [0, 1, 0, 0, 1, 0, 1, 0, 1, 0])
    np.testing.assert_array_equal(m.records.row, [0, 0, 1, 2, 2, 3, 3, 4, 4, 5])
    assert m.fixed.names == ["trait_y", "trait_y2", "trait_y:env_E2", "trait_y2:env_E2"]
    X = np.zeros((10, 4))
    for r, (row, t) in enumerate(zip(m.records.row, m.records.trait)):
        X[r, t] = 1
        if row >= 3:
            X[r, 2 + t] = 1
    np.testing.assert_array_equal(m.X, X)
    # Z: column = trait * 3 + sire (trait outermost, as us(trait) ⊗ I)
    Z = np.zeros((10, 6))
    for r, (row, t) in enumerate(zip(m.records.row, m.records.trait)):
        Z[r, t * 3 + row % 3] = 1
    np.testing.assert_array_equal(m.random[0].Z.toarray(), Z)
    # R^-1: block-diagonal per data row, inverse of the observed part of Σ_e
    Se = np.array([[4.0, 1.0], [1.0, 2.0]])
    th = np.array([4.0, 1.0, 2.0])
    Rinv = to_dense(m.residual.template.inverse(th))
    expect = np.zeros((10, 10))
    start = 0
    for row in range(6):
        obs = [t for r, t in zip(m.records.row, m.records.trait) if r == row]
        k = len(obs)
        expect[start:start + k, start:start + k] = np.linalg.inv(Se[np.ix_(obs, obs)])
        start += k
    np.testing.assert_allclose(Rinv, expect, atol=1e-12)
    assert m.param_names[:3] == ["trait:sire!trait_y:y", "trait:sire!trait_y2:y",
                                 "trait:sire!trait_y2:y2"]


def test_numeric_id_alone_warns(toy):
    d = toy.assign(num=[1, 2, 3, 1, 2, 3])
    m = asr.compile_model("y ~ 1", "~ num", data=d)
    assert any("numeric column" in w and "covariate" in w for w in m.warnings)
    assert m.random[0].Z.shape == (6, 1)
    m2 = asr.compile_model("y ~ 1", "~ num", data=d, factors=["num"])
    assert m2.random[0].Z.shape == (6, 3)


def test_at_random_terms_get_own_variances(toy):
    m = asr.compile_model("y ~ env", "~ at(env):sire", data=toy)
    # asreml 4.2's names: the level quoted (asr_py.model.at_label)
    assert [t.label for t in m.random] == ["at(env, 'E1'):sire", "at(env, 'E2'):sire"]
    Z1 = m.random[0].Z.toarray()
    np.testing.assert_array_equal(Z1[3:], 0)
    np.testing.assert_array_equal(Z1[:3], np.eye(3))


def test_vm_known_matrix_ids_and_extra_levels(toy):
    ids = ["S0", "S1", "S2", "S3"]
    K = pd.DataFrame(np.eye(4) + 0.1, index=ids, columns=ids)
    m = asr.compile_model("y ~ 1", "~ vm(sire, K)", data=toy, K=K)
    t = m.random[0]
    assert t.Z.shape == (6, 4)  # S0 has no records but keeps a column (gets a BLUP)
    np.testing.assert_array_equal(t.Z.toarray()[:, 0], 0)
    np.testing.assert_allclose(to_dense(t.template.matrix(np.array([1.5]))), 1.5 * K.to_numpy())


def test_errors_name_the_problem(toy):
    with pytest.raises(asr.FormulaError, match="'sir' is not in the data") as e:
        asr.compile_model("y ~ 1", "~ sir", data=toy)
    assert "sire" in str(e.value)  # close match offered
    K = pd.DataFrame(np.eye(2), index=["S1", "S2"], columns=["S1", "S2"])
    with pytest.raises(asr.MatrixError, match="S3"):
        asr.compile_model("y ~ 1", "~ vm(sire, K)", data=toy, K=K)
    with pytest.raises(asr.FormulaError, match="matrix 'K' is not given"):
        asr.compile_model("y ~ 1", "~ vm(sire, K)", data=toy)
    with pytest.raises(asr.FormulaError, match="not numeric"):
        asr.compile_model("env ~ 1", data=toy)
    with pytest.raises(asr.FormulaError, match="level 'E9'"):
        asr.compile_model("y ~ 1", "~ at(env, 'E9'):sire", data=toy)
    with pytest.raises(asr.FormulaError, match="init"):
        asr.compile_model("y ~ 1", "~ us(env, init = c(1, 2)):sire", data=toy)


def test_input_not_mutated(toy):
    before = toy.copy()
    asr.compile_model("log(y) ~ env + x", "~ sire", data=toy)
    pd.testing.assert_frame_equal(before, toy)


def test_spatial_residual_ar1_ar1():
    rows, cols = np.meshgrid(np.arange(1, 4), np.arange(1, 5), indexing="ij")
    d = pd.DataFrame({"y": np.arange(12.0), "Row": rows.ravel().astype(str),
                      "Col": cols.ravel().astype(str)})
    d = d.sample(frac=1.0, random_state=1)  # records need not be in grid order
    m = asr.compile_model("y ~ 1", residual="~ ar1(Row):ar1(Col)", data=d)
    assert m.param_names == ["Row:Col!R", "Row:Col!Row!cor", "Row:Col!Col!cor"]
    R = to_dense(m.residual.template.matrix(np.array([2.0, 0.5, 0.3])))
    r = d["Row"].astype(int).to_numpy()
    c = d["Col"].astype(int).to_numpy()
    expect = 2.0 * 0.5 ** np.abs(r[:, None] - r[None, :]) * 0.3 ** np.abs(c[:, None] - c[None])
    np.testing.assert_allclose(R, expect)


def test_str_random_regression_design(toy):
    m = asr.compile_model("y ~ x", "~ str(~ sire + x:sire, ~ us(2):id(sire))", data=toy)
    Z = m.random[0].Z.toarray()
    expect = np.hstack([np.vstack([np.eye(3)] * 2),
                        np.vstack([np.eye(3)] * 2) * toy["x"].to_numpy()[:, None]])
    np.testing.assert_array_equal(Z, expect)
    assert m.random[0].template.n_params == 3
    with pytest.raises(asr.FormulaError, match="dimension"):
        asr.compile_model("y ~ x", "~ str(~ sire + x:sire, ~ us(3):id(sire))", data=toy)


def test_dsum_sections(toy):
    m = asr.compile_model("y ~ env", "~ sire", "~ dsum(~ units | env)", data=toy)
    assert m.param_names[1:] == ["env_E1!units!R", "env_E2!units!R"]
    R = to_dense(m.residual.template.matrix(np.array([1.0, 3.0])))
    np.testing.assert_allclose(np.diag(R), [1, 1, 1, 3, 3, 3])


def test_large_model_stays_sparse():
    rng = np.random.default_rng(0)
    n = 20000
    d = pd.DataFrame({"y": rng.normal(size=n), "g": rng.integers(0, 2000, n).astype(str)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = asr.compile_model("y ~ 1", "~ g", data=d)
    assert sp.issparse(m.random[0].Z) and m.random[0].Z.nnz == n
