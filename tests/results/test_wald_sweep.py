"""wald() against an independent dense computation.

With V = ZGZ' + R at the fit's variance parameters, the incremental (Type I) Wald statistic
of a term equals the drop in the generalised residual sum of squares
SS(X) = y'(V⁻¹ − V⁻¹X(X'V⁻¹X)⁻X'V⁻¹)y when the term is added after those before it, on
Df = the rank it adds (Searle 1971; asreml's Wald table with V fixed); the conditional
statistic (asreml's F.con, Welham & Thompson 1997) adds the term after every other term that
does not contain it. The designs are built here, over-parameterised (every level, no
constraints), so Df also checks asr_py's aliasing. Kenward-Roger: pbkrtest's formulas
(Kenward & Roger 1997; Halekoh & Højsgaard 2014) written here for the hypothesis space of
each test (the directions a term adds, in the V⁻¹ metric), with the variance parameters
as components; asreml's rule (denDF='numeric') the same with W = AI⁻¹. Data: simulated at
user scales, unbalanced.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_mme import Design
from scipy import stats
from test_predict_sweep import ENV, GEN, _factorial, _met, _nested

import asr_py as asr


def _ss(X: np.ndarray, Vi: np.ndarray, y: np.ndarray) -> tuple[float, int]:
    """(generalised residual SS, rank of X)."""
    if X.shape[1] == 0:
        return float(y @ Vi @ y), 0
    nrm = np.linalg.norm(X, axis=0)
    X = X / np.where(nrm > 0, nrm, 1.0)          # unit columns: user-scale covariates
    A = X.T @ Vi @ X
    b = X.T @ Vi @ y
    return float(y @ Vi @ y - b @ np.linalg.pinv(A, rcond=1e-10, hermitian=True) @ b), int(
        np.linalg.matrix_rank(X, tol=1e-8))


def _cols(design: Design, terms: list[int]) -> list[int]:
    bl = design.blocks()
    return [c for t in terms for c in range(*bl[t])]


def _contains(outer: tuple, inner: tuple) -> bool:
    return set(inner) < set(outer)


def dense_wald(design: Design, X: np.ndarray, Vi: np.ndarray, y: np.ndarray,
               conditional: bool = False, nested: dict[int, set[int]] | None = None
               ) -> pd.DataFrame:
    """Per term of ``design`` (model order): Df and the Wald statistic by extra SS.
    Conditional: after every term that does not contain it, explicitly (factors) or as
    ``nested[k]`` says (the terms in which term k is nested though coded apart)."""
    rows = []
    for k, t in enumerate(design.terms):
        if conditional:
            inner = (nested or {}).get(k, set())
            before = [j for j, s in enumerate(design.terms)
                      if j != k and not _contains(s, t) and j not in inner]
        else:
            before = list(range(k))
        s0, r0 = _ss(X[:, _cols(design, before)], Vi, y)
        s1, r1 = _ss(X[:, _cols(design, before + [k])], Vi, y)
        rows.append((r1 - r0, s0 - s1))
    return pd.DataFrame(rows, columns=["Df", "W"])


def dense_kr(X: np.ndarray, y: np.ndarray, dV: list[np.ndarray], V: np.ndarray,
             before: np.ndarray, term: np.ndarray, rule: str = "kr"
             ) -> tuple[float, float, int]:
    """Kenward-Roger (denominator df, scaled F, numerator df) for the directions that the
    columns ``term`` add to the columns ``before`` (V⁻¹ metric). Full-rank X (a basis of
    the column space of the whole design) is formed first. ``rule='asreml'``: W = the
    inverse of the average information ½ y'P V̇_i P V̇_j P y (asreml's Var(θ̂)) and λ times
    the F of the unadjusted Var(β̂)."""
    Vi = np.linalg.inv(V)
    U, s, _ = np.linalg.svd(X, full_matrices=False)
    Xf = U[:, s > 1e-8 * s[0]] * s[s > 1e-8 * s[0]]          # a basis of col(X)
    Phi = np.linalg.inv(Xf.T @ Vi @ Xf)
    beta = Phi @ Xf.T @ Vi @ y
    # hypothesis: the component of col([before, term]) V⁻¹-orthogonal to col(before)
    w, vec = np.linalg.eigh(V)
    Vmh = vec @ np.diag(w ** -0.5) @ vec.T
    Wb, Wt = Vmh @ before, Vmh @ term
    if Wb.shape[1]:
        Qb = np.linalg.svd(Wb, full_matrices=False)
        Qb = Qb[0][:, Qb[1] > 1e-8 * Qb[1][0]]
        Wt = Wt - Qb @ (Qb.T @ Wt)
    Ut, st, _ = np.linalg.svd(Wt, full_matrices=False)
    Qt = Ut[:, st > 1e-8 * max(st[0], 1.0)]
    L = Qt.T @ (Vmh @ Xf)                                  # q x p', estimable, rank q
    q = L.shape[0]
    P = [-Xf.T @ Vi @ d @ Vi @ Xf for d in dV]
    Pm = Vi - Vi @ Xf @ Phi @ Xf.T @ Vi
    info = np.array([[0.5 * np.trace(Pm @ a @ Pm @ b) for b in dV] for a in dV])
    if rule == "asreml":
        py = Pm @ y
        info = np.array([[0.5 * float(py @ a @ Pm @ b @ py) for b in dV] for a in dV])
    Wt_ = np.linalg.inv(info)
    Q = [[Xf.T @ Vi @ a @ Vi @ b @ Vi @ Xf for b in dV] for a in dV]
    n = len(dV)
    Lam = sum(Wt_[i, j] * (Q[i][j] - P[i] @ Phi @ P[j]) for i in range(n) for j in range(n))
    PhiA = Phi + 2 * Phi @ Lam @ Phi
    Theta = L.T @ np.linalg.inv(L @ Phi @ L.T) @ L
    tr1 = [np.trace(Theta @ Phi @ P[i] @ Phi) for i in range(n)]
    A1 = sum(Wt_[i, j] * tr1[i] * tr1[j] for i in range(n) for j in range(n))
    A2 = sum(Wt_[i, j] * np.trace(Theta @ Phi @ P[i] @ Phi @ Theta @ Phi @ P[j] @ Phi)
             for i in range(n) for j in range(n))
    B = (A1 + 6 * A2) / (2 * q)
    g = ((q + 1) * A1 - (q + 4) * A2) / ((q + 2) * A2)
    den = 3 * q + 2 * (1 - g)
    c1, c2, c3 = g / den, (q - g) / den, (q + 2 - g) / den
    Es = 1 / (1 - A2 / q)
    Vs = 2 / q * (1 + c1 * B) / ((1 - c2 * B) ** 2 * (1 - c3 * B))
    rho = Vs / (2 * Es ** 2)
    m = 4 + (q + 2) / (q * rho - 1)
    lam = m / (Es * (m - 2))
    lb = L @ beta
    if rule == "asreml":
        F = float(lb @ np.linalg.solve(L @ Phi @ L.T, lb)) / q
        return float(m), lam * F, q
    F = float(lb @ np.linalg.solve(L @ PhiA @ L.T, lb)) / q
    return float(m), lam * F, q


def _compare(tab: pd.DataFrame, ref: pd.DataFrame, col: str = "Wald statistic",
             rtol: float = 1e-6) -> None:
    assert list(tab["Df.con" if col == "Wald.con" else "Df"]) == list(ref["Df"])
    np.testing.assert_allclose(tab[col].to_numpy(float), ref["W"].to_numpy(float),
                               rtol=rtol, atol=1e-8 * ref["W"].abs().max())


def _blocks_dV(d: pd.DataFrame, factors: list[str]) -> list[np.ndarray]:
    """∂V/∂σ² of each random factor (ZZ') and of the residual (I)."""
    out = []
    for f in factors:
        Z = pd.get_dummies(d[f].astype(str)).to_numpy(float)
        out.append(Z @ Z.T)
    return out + [np.eye(len(d))]


# ---- cases ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fac():
    d = _factorial(seed=11)
    m = asr.asreml("y ~ A*B + x", random="~ Blk", data=d)
    dd = d.dropna(subset=["y"]).reset_index(drop=True)
    lev = {f: sorted(dd[f].unique()) for f in ("A", "B")}
    # asr_py's (asreml's) term order: main effects (A, B, x) before the interaction
    des = Design([(), ("A",), ("B",), ("x",), ("A", "B")], lev)
    dV = _blocks_dV(dd, ["Blk"])
    V = sum(t * v for t, v in zip(m.result.theta, dV))
    return m, des, des.rows(dd), V, dd["y"].to_numpy(float), dV


def test_incremental_and_conditional_factorial(fac):
    m, des, X, V, y, _ = fac
    Vi = np.linalg.inv(V)
    tab = m.wald(ssType="conditional")
    assert list(tab.index) == ["(Intercept)", "A", "B", "x", "A:B"]
    assert list(tab["Df"]) == [1, 3, 2, 1, 5]                 # A:B loses the empty cell
    _compare(tab, dense_wald(des, X, Vi, y))
    _compare(tab, dense_wald(des, X, Vi, y, conditional=True), "Wald.con")
    np.testing.assert_allclose(tab["F.inc"], tab["Wald statistic"] / tab["Df"])
    np.testing.assert_allclose(tab["Pr(Chisq)"],
                               stats.chi2.sf(tab["Wald statistic"], tab["Df"]), rtol=1e-9)


def test_kenward_roger_factorial(fac):
    m, des, X, V, y, dV = fac
    tab = m.wald(denDF="kenward-roger", ssType="conditional")
    for k, t in enumerate(des.terms):
        for cond, dcol, fcol in ((False, "denDF", "F.adj"), (True, "denDF.con", "F.con.adj")):
            before = ([j for j, s in enumerate(des.terms) if j != k and not _contains(s, t)]
                      if cond else list(range(k)))
            mkr, fkr, q = dense_kr(X, y, dV, V, X[:, _cols(des, before)],
                                   X[:, _cols(des, [k])])
            row = tab.iloc[k]
            assert q == row["Df"]
            np.testing.assert_allclose(row[dcol], mkr, rtol=1e-5, err_msg=f"{t} {dcol}")
            np.testing.assert_allclose(row[fcol], fkr, rtol=1e-5, err_msg=f"{t} {fcol}")


def test_asreml_rule_factorial(fac):
    """denDF='numeric' (asreml's rule): W = AI⁻¹; F.adj = λ·F.inc, F.con.adj = λ·F.con."""
    m, des, X, V, y, dV = fac
    tab = m.wald(denDF="numeric", ssType="conditional")
    kr = m.wald(denDF="kenward-roger", ssType="conditional")
    assert np.abs(tab["denDF"] - kr["denDF"]).max() > 1e-3      # AI⁻¹ is not I_E⁻¹ here
    for k, t in enumerate(des.terms):
        for cond, dcol, fcol in ((False, "denDF", "F.adj"), (True, "denDF.con", "F.con.adj")):
            before = ([j for j, s in enumerate(des.terms) if j != k and not _contains(s, t)]
                      if cond else list(range(k)))
            mkr, fkr, q = dense_kr(X, y, dV, V, X[:, _cols(des, before)],
                                   X[:, _cols(des, [k])], rule="asreml")
            row = tab.iloc[k]
            np.testing.assert_allclose(row[dcol], mkr, rtol=1e-5, err_msg=f"{t} {dcol}")
            np.testing.assert_allclose(row[fcol], fkr, rtol=1e-5, err_msg=f"{t} {fcol}")
        pr = stats.f.sf(tab.iloc[k]["F.con.adj"], tab.iloc[k]["Df.con"], tab.iloc[k]["denDF.con"])
        np.testing.assert_allclose(tab.iloc[k]["Pr(F.con)"], pr, rtol=1e-9)


def test_separate_slopes_and_weights():
    d = _factorial(seed=21)
    m = asr.asreml("y ~ A + x + A:x", random="~ Blk", data=d, weights="w")
    dd = d.dropna(subset=["y"]).reset_index(drop=True)
    des = Design([(), ("A",), ("x",), ("A", "x")], {"A": sorted(dd.A.unique())})
    s2b, s2e = m.result.theta
    Zb = pd.get_dummies(dd.Blk).to_numpy(float)
    V = s2b * Zb @ Zb.T + np.diag(s2e / dd.w.to_numpy(float))
    Vi = np.linalg.inv(V)
    X, y = des.rows(dd), dd["y"].to_numpy(float)
    tab = m.wald(ssType="conditional")
    assert list(tab["Df"]) == [1, 3, 1, 3]
    _compare(tab, dense_wald(des, X, Vi, y))
    _compare(tab, dense_wald(des, X, Vi, y, conditional=True), "Wald.con")


def test_nested_fixed_factors_aliased():
    d = _nested()
    m = asr.asreml("y ~ Loc + Site + Trt", data=d)
    des = Design([(), ("Loc",), ("Site",), ("Trt",)],
                 {"Loc": ["L1", "L2"], "Site": ["S1", "S2", "S3", "S4", "S5"],
                  "Trt": ["T1", "T2", "T3"]})
    Vi = np.eye(len(d)) / m.result.theta[-1]
    X, y = des.rows(d), d["y"].to_numpy(float)
    tab = m.wald(ssType="conditional")
    assert list(tab["Df"]) == [1, 1, 3, 2]
    _compare(tab, dense_wald(des, X, Vi, y))
    # asreml's rule: Loc is not adjusted for Site, whose levels are nested in Loc's
    # (ASReml User Guide, conditional F statistics: REGION and LOCATION)
    _compare(tab, dense_wald(des, X, Vi, y, conditional=True, nested={1: {2}}), "Wald.con")


def test_term_partly_aliased_with_a_covariate():
    """An indicator covariate equal to one location's dummy: incrementally the covariate is
    aliased (no row); conditionally Loc keeps one df of its two (Df.con = 1)."""
    d = _nested(seed=6)
    d["Loc"] = d["Site"].map({"S1": "L1", "S2": "L2", "S3": "L3", "S4": "L3", "S5": "L1"})
    d["irr"] = (d["Loc"] == "L3").astype(float)
    m = asr.asreml("y ~ Loc + Trt + irr", data=d)
    des = Design([(), ("Loc",), ("Trt",), ("irr",)],
                 {"Loc": ["L1", "L2", "L3"], "Trt": ["T1", "T2", "T3"]})
    Vi = np.eye(len(d)) / m.result.theta[-1]
    X, y = des.rows(d), d["y"].to_numpy(float)
    tab = m.wald(ssType="conditional", denDF="numeric")
    assert list(tab.index) == ["(Intercept)", "Loc", "Trt"]
    ref = dense_wald(des, X, Vi, y, conditional=True)
    assert list(ref["Df"]) == [1, 1, 2, 0]
    assert list(tab["Df.con"]) == [1, 1, 2]
    np.testing.assert_allclose(tab["Wald.con"], ref["W"][:3], rtol=1e-6)
    np.testing.assert_allclose(tab["F.con"], ref["W"][:3] / ref["Df"][:3], rtol=1e-6)
    np.testing.assert_allclose(tab["Pr(Chisq.con)"], stats.chi2.sf(ref["W"][:3], [1, 1, 2]),
                               rtol=1e-6)
    # no variance parameter but the residual: the F tests are exact, denDF = n - rank(X)
    np.testing.assert_allclose(tab["denDF.con"], len(d) - 5, rtol=1e-8)
    np.testing.assert_allclose(tab["F.con.adj"], tab["F.con"], rtol=1e-8)


def test_met_rep_within_env_kr():
    d = _met(seed=9)
    m = asr.asreml("y ~ Env + Env:Rep", random="~ Gen + Env:Gen", data=d)
    des = Design([(), ("Env",), ("Env", "Rep")], {"Env": ENV, "Rep": ["R1", "R2"]})
    ge = d["Env"] + ":" + d["Gen"]
    dV = _blocks_dV(d.assign(GE=ge), ["Gen", "GE"])
    assert [t for t in m.result.names] == ["Gen", "Env:Gen", "units!R"]
    V = sum(t * v for t, v in zip(m.result.theta, dV))
    X, y = des.rows(d), d["y"].to_numpy(float)
    tab = m.wald(denDF="kenward-roger", ssType="conditional")
    _compare(tab, dense_wald(des, X, np.linalg.inv(V), y))
    _compare(tab, dense_wald(des, X, np.linalg.inv(V), y, conditional=True), "Wald.con")
    for k in range(len(des.terms)):
        mkr, fkr, q = dense_kr(X, y, dV, V, X[:, _cols(des, list(range(k)))],
                               X[:, _cols(des, [k])])
        np.testing.assert_allclose(tab.iloc[k]["denDF"], mkr, rtol=1e-5)
        np.testing.assert_allclose(tab.iloc[k]["F.adj"], fkr, rtol=1e-5)
    assert len(GEN) == 12


def test_multitrait_wald():
    from test_predict_sweep import IDS, _geno, _kin

    d, K = _geno(), _kin()
    m = asr.asreml("cbind(y1, y2) ~ trait + trait:Env", random="~ us(trait):vm(id, K)",
                   residual="~ units:us(trait)", data=d, K=K)
    th = dict(zip(m.result.names, m.result.theta))
    g = [th[f"trait:vm(id, K)!trait_{a}"] for a in ("y1:y1", "y2:y1", "y2:y2")]
    e = [th[f"units:trait!trait_{a}"] for a in ("y1:y1", "y2:y1", "y2:y2")]
    sg = np.array([[g[0], g[1]], [g[1], g[2]]])
    se = np.array([[e[0], e[1]], [e[1], e[2]]])
    long = pd.concat([d.assign(trait=t, y=d[t]) for t in ("y1", "y2")], ignore_index=True)
    obs = long["y"].notna().to_numpy()
    lev = {"trait": ["y1", "y2"], "Env": ["E1", "E2"], "id": IDS}
    des = Design([("trait",), ("trait", "Env")], lev)
    Z = Design([("trait", "id")], lev).rows(long[obs])
    V = Z @ np.kron(sg, K.to_numpy()) @ Z.T + np.kron(se, np.eye(len(d)))[np.ix_(obs, obs)]
    X, y = des.rows(long[obs]), long["y"][obs].to_numpy(float)
    tab = m.wald(ssType="conditional")
    assert list(tab.index) == ["trait", "trait:Env"]
    _compare(tab, dense_wald(des, X, np.linalg.inv(V), y), rtol=1e-5)
    _compare(tab, dense_wald(des, X, np.linalg.inv(V), y, conditional=True), "Wald.con",
             rtol=1e-5)


def test_kr_heterogeneous_residual():
    """Kenward-Roger with one residual variance per environment (dsum): ∂V/∂σ²_e is the
    indicator of environment e's records."""
    d = _met(seed=9)
    m = asr.asreml("y ~ Env + Env:Rep", random="~ Gen", residual="~ dsum(~ units | Env)",
                   data=d)
    th = dict(zip(m.result.names, m.result.theta))
    Zg = pd.get_dummies(d["Gen"]).to_numpy(float)
    dV = [Zg @ Zg.T] + [np.diag((d["Env"] == e).to_numpy(float)) for e in ENV]
    V = sum(t * v for t, v in zip([th["Gen"]] + [th[f"Env_{e}!units!R"] for e in ENV], dV))
    des = Design([(), ("Env",), ("Env", "Rep")], {"Env": ENV, "Rep": ["R1", "R2"]})
    X, y = des.rows(d), d["y"].to_numpy(float)
    tab = m.wald(denDF="kenward-roger")
    asr_tab = m.wald(denDF="numeric")
    _compare(tab, dense_wald(des, X, np.linalg.inv(V), y))
    for k in range(1, len(des.terms)):
        mkr, fkr, q = dense_kr(X, y, dV, V, X[:, _cols(des, list(range(k)))],
                               X[:, _cols(des, [k])])
        assert q == tab.iloc[k]["Df"]
        np.testing.assert_allclose(tab.iloc[k]["denDF"], mkr, rtol=1e-5)
        np.testing.assert_allclose(tab.iloc[k]["F.adj"], fkr, rtol=1e-5)
        mai, fai, _ = dense_kr(X, y, dV, V, X[:, _cols(des, list(range(k)))],
                               X[:, _cols(des, [k])], rule="asreml")
        np.testing.assert_allclose(asr_tab.iloc[k]["denDF"], mai, rtol=1e-5)
        np.testing.assert_allclose(asr_tab.iloc[k]["F.adj"], fai, rtol=1e-5)
