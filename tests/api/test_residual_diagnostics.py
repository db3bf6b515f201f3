"""resid(type=) and aom(): conditional residuals and outlier statistics against a dense
computation from V built here in numpy at the fitted variances.

References: V = Σ σ²_k Z_k Z_k' + R (R = σ²I, or the separable AR1 x AR1 written from the
coordinates), P = V⁻¹ − V⁻¹X(X'V⁻¹X)⁻¹X'V⁻¹; Var(ê) = diag(RPR), Var(û) = diag(GZ'PZG);
studentised residuals by brute force: refit the GLS without record i (covariance shape
held, scale re-estimated) and predict y_i from the others.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import AsrError


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    rows = [(f"E{e}", f"E{e}b{b}", f"G{g}") for e in (1, 2, 3) for b in (1, 2)
            for g in range(1, 6) for _ in range(2)]
    d = pd.DataFrame(rows, columns=["Env", "Blk", "Gen"])
    d["x"] = rng.normal(size=len(d))
    blk = dict(zip(sorted(d["Blk"].unique()), rng.normal(size=6)))
    gen = dict(zip(sorted(d["Gen"].unique()), rng.normal(scale=0.7, size=5)))
    d["y"] = 2 + d["x"] + d["Blk"].map(blk) + d["Gen"].map(gen) + rng.normal(size=len(d))
    d.loc[7, "y"] += 6.0  # an outlier
    return d


@pytest.fixture(scope="module")
def fit(data):
    return asr.asreml("y ~ Env + x", random="~ Blk + Gen", data=data)


def _ind(col: pd.Series) -> np.ndarray:
    return np.column_stack([(col == lv).to_numpy(float) for lv in sorted(col.unique())])


def _dense(fit, d: pd.DataFrame) -> dict[str, np.ndarray]:
    vc = fit.varcomp["component"]
    X = np.column_stack([np.ones(len(d)), _ind(d["Env"])[:, 1:], d["x"]])
    Zb, Zg = _ind(d["Blk"]), _ind(d["Gen"])
    R = vc["units!R"] * np.eye(len(d))
    V = vc["Blk"] * Zb @ Zb.T + vc["Gen"] * Zg @ Zg.T + R
    Vi = np.linalg.inv(V)
    P = Vi - Vi @ X @ np.linalg.inv(X.T @ Vi @ X) @ X.T @ Vi
    y = d["y"].to_numpy()
    e = R @ P @ y
    var_e = np.diag(R @ P @ R)
    ub = vc["Blk"] * Zb.T @ P @ y
    var_ub = np.diag(vc["Blk"] ** 2 * Zb.T @ P @ Zb)
    return {"X": X, "V": V, "y": y, "e": e, "var_e": var_e, "R": np.diag(R), "ub": ub,
            "var_ub": var_ub, "G_b": vc["Blk"]}


def _loo_studentised(X: np.ndarray, V: np.ndarray, y: np.ndarray) -> np.ndarray:
    """t_i = (y_i − ŷ_(i)) / sqrt(s²_(i) Var₁(y_i − ŷ_(i))) from the GLS fit without i."""
    n, p = X.shape
    out = np.empty(n)
    for i in range(n):
        k = np.arange(n) != i
        Vk, Xk, yk = V[np.ix_(k, k)], X[k], y[k]
        Vki = np.linalg.inv(Vk)
        A = np.linalg.inv(Xk.T @ Vki @ Xk)
        b = A @ Xk.T @ Vki @ yk
        c = V[i, k] @ Vki
        d = y[i] - X[i] @ b - c @ (yk - Xk @ b)
        h = X[i] - Xk.T @ c
        var1 = V[i, i] - c @ V[k, i] + h @ A @ h
        r = yk - Xk @ b
        s2 = r @ Vki @ r / (n - 1 - p)
        out[i] = d / np.sqrt(s2 * var1)
    return out


def test_record_statistics_against_dense_v(fit, data):
    ref = _dense(fit, data)
    a = fit.aom()["R"]
    np.testing.assert_allclose(a["residual"], ref["e"], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(a["var"], ref["var_e"], rtol=1e-6)
    np.testing.assert_allclose(a["stdCond"], ref["e"] / np.sqrt(ref["var_e"]), rtol=1e-6)
    np.testing.assert_allclose(a["pearson"], ref["e"] / np.sqrt(ref["R"]), rtol=1e-6)
    np.testing.assert_allclose(fit.resid("stdCond"), a["stdCond"], rtol=1e-12)
    pd.testing.assert_series_equal(fit.resid("response"), fit.residuals)


def test_studentised_is_leave_one_out(fit, data):
    ref = _dense(fit, data)
    t = fit.resid("studentised")
    np.testing.assert_allclose(t, _loo_studentised(ref["X"], ref["V"], ref["y"]), rtol=1e-5)
    # the planted outlier is the most extreme record, and flagged
    assert int(np.argmax(np.abs(t.to_numpy()))) == 7 and abs(t.iloc[7]) > 3


def test_random_statistics_against_dense_v(fit, data):
    ref = _dense(fit, data)
    g = fit.aom()["G"]
    blk = g[g["term"] == "Blk"]
    assert list(blk["level"]) == sorted(data["Blk"].unique())
    np.testing.assert_allclose(blk["blup"], ref["ub"], rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(blk["var"], ref["var_ub"], rtol=1e-5)
    np.testing.assert_allclose(blk["G"], ref["G_b"], rtol=1e-12)
    np.testing.assert_allclose(blk["stdCond"], ref["ub"] / np.sqrt(ref["var_ub"]), rtol=1e-5)
    assert set(g["term"]) == {"Blk", "Gen"}


def test_units_and_row_order_invariance(fit, data):
    d2 = data.sample(frac=1.0, random_state=2).assign(y=lambda d: 100.0 * d["y"])
    m2 = asr.asreml("y ~ Env + x", random="~ Blk + Gen", data=d2)
    for kind in ("stdCond", "studentised", "pearson"):
        a, b = fit.resid(kind), m2.resid(kind).loc[fit.residuals.index]
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-6)


def test_non_diagonal_residual():
    """An AR1 x AR1 residual: Var(ê) = diag(RPR) and t_i from the dense V."""
    rng = np.random.default_rng(5)
    g = pd.DataFrame([(r, c) for r in range(1, 7) for c in range(1, 6)], columns=["Row", "Col"])
    g["Gen"] = [f"G{(i * 7) % 6}" for i in range(len(g))]
    g["y"] = 10 + rng.normal(size=len(g)).cumsum() * 0.3 + rng.normal(size=len(g))
    g = g.astype({"Row": str, "Col": str})
    m = asr.asreml("y ~ Gen", residual="~ ar1(Row):ar1(Col)", data=g)
    vc = m.varcomp["component"]
    s2 = vc.iloc[0]
    rho_r, rho_c = vc.iloc[1], vc.iloc[2]
    assert "Row" in vc.index[1] and "Col" in vc.index[2]
    r = g["Row"].astype(int).to_numpy()
    c = g["Col"].astype(int).to_numpy()
    R = s2 * rho_r ** np.abs(r[:, None] - r[None, :]) * rho_c ** np.abs(c[:, None] - c[None, :])
    X = np.column_stack([np.ones(len(g)), _ind(g["Gen"])[:, 1:]])
    Vi = np.linalg.inv(R)
    P = Vi - Vi @ X @ np.linalg.inv(X.T @ Vi @ X) @ X.T @ Vi
    y = g["y"].to_numpy()
    a = m.aom()["R"]
    np.testing.assert_allclose(a["residual"], R @ P @ y, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(a["var"], np.diag(R @ P @ R), rtol=1e-6)
    np.testing.assert_allclose(a["studentised"], _loo_studentised(X, R, y), rtol=1e-5)


def test_bad_type(fit):
    with pytest.raises(AsrError, match="unknown type 'stdcond'") as e:
        fit.resid("stdcond")
    assert "stdCond" in str(e.value)


def test_large_inverse_term_gets_nan_with_a_note(monkeypatch):
    """A term given by its inverse (ped()) over more levels than the limit is not inverted
    densely: NaN statistics and a note; under the limit its Var(û) = G − PEV is finite."""
    import asr_py.results.residual_diagnostics as rd

    names = [f"a{i}" for i in range(12)]
    sire = ["0"] * 4 + ["a0", "a0", "a2", "a2", "a4", "a4", "a6", "a6"]
    dam = ["0"] * 4 + ["a1", "a1", "a3", "a3", "a5", "a7", "a5", "a7"]
    ped = pd.DataFrame({"id": names, "sire": sire, "dam": dam})
    rng = np.random.default_rng(1)
    d = pd.DataFrame({"id": names[4:] * 3, "y": rng.normal(size=24)})
    d["y"] += np.repeat(rng.normal(size=8), 1).tolist() * 3
    m = asr.asreml("y ~ 1", random="~ ped(id)", data=d, pedigree=ped)
    g = m.aom()["G"]
    assert g["var"].notna().all() and g.attrs["notes"] == []
    monkeypatch.setattr(rd, "_G_LIMIT", 5)
    g = m.aom()["G"]
    assert g["stdCond"].isna().all() and "inverse" in g.attrs["notes"][0]
    assert m.aom()["R"]["stdCond"].notna().all()


def test_cinv_diag_paths_against_a_dense_inverse(fit):
    """Rows with 0, 1 and several random entries (PEV path and solved path) against C⁻¹
    inverted densely in numpy from C = W'R⁻¹W + G⁻¹."""
    import scipy.sparse as sp

    from asr_py.results.cinv_diag import cinv_diag

    vc = fit.varcomp["component"]
    X = np.asarray(fit.model.X)
    Zs = [t.Z.toarray() for t in fit.model.random]
    W = np.hstack([X, *Zs])
    C = W.T @ W / vc["units!R"]
    p, qb = X.shape[1], Zs[0].shape[1]
    C[p:p + qb, p:p + qb] += np.eye(qb) / vc["Blk"]
    C[p + qb:, p + qb:] += np.eye(Zs[1].shape[1]) / vc["Gen"]
    Ci = np.linalg.inv(C)
    rng = np.random.default_rng(0)
    L = np.zeros((5, W.shape[1]))
    L[:, :p] = rng.normal(size=(5, p))
    L[1, p + 2] = 0.7                      # one random entry: the PEV path
    L[2, [p + 1, p + qb + 3]] = [0.5, 2.0]  # two: the solved path
    L[3, p:] = rng.normal(size=W.shape[1] - p)
    L[4, :p] = 0.0
    L[4, p + qb] = 1.0                     # a BLUP alone
    np.testing.assert_allclose(cinv_diag(fit.result, sp.csr_matrix(L), p),
                               np.einsum("ij,jk,ik->i", L, Ci, L), rtol=1e-8)
