"""Session 19 (run B): emulations of other R packages' functions the corpus scripts call.

Each is checked against the documented construction it implements (closed forms written
independently here) or a recorded result the script ships.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _fetched import fetched

from asr_py.errors import AsrError
from asr_py.translate.rtpsbits import bspline_basis, penalty_split, r_tpsmmb


# ------------------------------------------------------------------ TPSbits' tpsmmb()
def _tpower_basis(x: np.ndarray, xl: float, xr: float, nseg: int, deg: int) -> np.ndarray:
    """Eilers & Marx (2010): B-splines as scaled differences of truncated powers."""
    dx = (xr - xl) / nseg
    knots = xl + dx * np.arange(-deg, nseg + deg + 1)
    P = np.where(x[:, None] > knots[None, :], (x[:, None] - knots[None, :]) ** deg, 0.0)
    D = np.diff(np.eye(len(knots)), n=deg + 1, axis=0) / (math.gamma(deg + 1) * dx ** deg)
    return (-1) ** (deg + 1) * P @ D.T


@pytest.mark.parametrize("deg,nseg", [(3, 5), (2, 7), (1, 4)])
def test_bspline_basis_is_the_truncated_power_construction(deg: int, nseg: int) -> None:
    x = np.linspace(1.0, 12.0, 23)
    B = bspline_basis(x, 1.0, 12.0, nseg, deg)
    assert B.shape == (23, nseg + deg)
    np.testing.assert_allclose(B, _tpower_basis(x, 1.0, 12.0, nseg, deg), atol=1e-9)
    np.testing.assert_allclose(B.sum(axis=1), 1.0, atol=1e-12)      # partition of unity


def test_penalty_split_null_space_is_the_polynomials() -> None:
    n, d = 9, 2
    UZ, UX, lam = penalty_split(n, d)
    D = np.diff(np.eye(n), n=d, axis=0)
    np.testing.assert_allclose(D @ UX, 0.0, atol=1e-12)            # unpenalised
    np.testing.assert_allclose(UZ.T @ UX, 0.0, atol=1e-12)         # orthogonal parts
    np.testing.assert_allclose(D.T @ D @ UZ, UZ * lam, atol=1e-10)
    assert (lam > 0).all() and (np.diff(lam) <= 0).all()
    # the null space holds exactly the constant and linear coefficient vectors
    poly = np.column_stack([np.ones(n), np.arange(n)])
    np.testing.assert_allclose(UX @ UX.T @ poly, poly, atol=1e-10)


def _grid(nc: int = 6, nr: int = 9, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = pd.DataFrame([(c, r) for c in range(1, nc + 1) for r in range(1, nr + 1)],
                     columns=["col", "row"]).astype(float)
    g["y"] = rng.normal(size=len(g))
    return g


def _span_residual(A: np.ndarray, M: np.ndarray) -> float:
    """max |M - A A⁺ M|: zero when M's columns lie in A's column space."""
    return float(np.abs(M - A @ np.linalg.lstsq(A, M, rcond=None)[0]).max())


def test_tpsmmb_fixed_part_spans_the_bilinear_polynomials() -> None:
    d = _grid()
    out = r_tpsmmb("col", "row", d, nsegments=[4, 6])
    data = out["data"]
    c, r = data["col"].to_numpy(), data["row"].to_numpy()
    # TP.C.1 constant and positive, TP.C.2 an increasing linear function of the column
    assert np.ptp(data["TP.C.1"]) < 1e-10 and data["TP.C.1"].iloc[0] > 0
    assert _span_residual(np.column_stack([np.ones_like(c), c]),
                          data[["TP.C.2"]].to_numpy()) < 1e-10
    assert np.corrcoef(data["TP.C.2"], c)[0, 1] > 0.999
    assert np.corrcoef(data["TP.R.2"], r)[0, 1] > 0.999
    X = data[[f"TP.CR.{i}" for i in range(1, 5)]].to_numpy()
    poly = np.column_stack([np.ones_like(c), c, r, c * r])
    assert np.linalg.matrix_rank(X) == 4
    assert _span_residual(X, poly) < 1e-9 and _span_residual(poly, X) < 1e-9
    assert d.columns.tolist() == ["col", "row", "y"]               # the input is not changed


def test_tpsmmb_random_parts_are_the_penalised_splines() -> None:
    """Z Z' of each smooth equals B (D'D)⁺ B' (the P-spline's mixed model: iid random
    coefficients on the penalised directions), and the smooth x smooth term's is
    (Bc□Br) (Pc ⊗ Πr + Πc ⊗ Pr)⁺ (Bc□Br)', Lee, Durbán & Eilers (2013)."""
    d = _grid()
    out = r_tpsmmb("col", "row", d, nsegments=[4, 6])
    cols = np.arange(1.0, 7.0)
    Bc = _tpower_basis(cols, 1.0, 6.0, 4, 3)
    Dc = np.diff(np.eye(Bc.shape[1]), n=2, axis=0)
    Zc = out["BcZ.df"].drop(columns="TP.col").to_numpy()
    assert out["BcZ.df"]["TP.col"].tolist() == cols.tolist()
    np.testing.assert_allclose(Zc @ Zc.T, Bc @ np.linalg.pinv(Dc.T @ Dc) @ Bc.T, atol=1e-9)
    rows = np.arange(1.0, 10.0)
    Br = _tpower_basis(rows, 1.0, 9.0, 6, 3)
    Dr = np.diff(np.eye(Br.shape[1]), n=2, axis=0)
    Pc, Pr = Dc.T @ Dc, Dr.T @ Dr
    Pic = np.eye(len(Pc)) - np.linalg.pinv(Pc) @ Pc      # projections onto the null spaces
    Pir = np.eye(len(Pr)) - np.linalg.pinv(Pr) @ Pr
    K = np.kron(Pc, np.eye(len(Pr)) - Pir) + np.kron(np.eye(len(Pc)) - Pic, Pr)
    ci = (d["col"].to_numpy() - 1).astype(int)
    ri = (d["row"].to_numpy() - 1).astype(int)
    box = (Bc[ci][:, :, None] * Br[ri][:, None, :]).reshape(len(d), -1)
    Zcr = out["BcrZ.df"].drop(columns="TP.CxR").to_numpy()
    np.testing.assert_allclose(Zcr @ Zcr.T, box @ np.linalg.pinv(K) @ box.T, atol=1e-8)
    # keys: A col + row with A the power of ten above the largest row
    np.testing.assert_array_equal(out["BcrZ.df"]["TP.CxR"], 10 * d["col"] + d["row"])
    assert out["trace"]["Zc:Zr"] == pytest.approx(float(np.trace(Zcr @ Zcr.T)))
    assert dict(out["dim"]) == {"diff.c": 2, "nbc": 5, "nbcn": 5, "diff.r": 2, "nbr": 7,
                                "nbrn": 7}


def test_tpsmmb_grp_layout_and_errors() -> None:
    d = _grid()
    out = r_tpsmmb("col", "row", d, nsegments=[4, 6], asreml="grp")
    grp, data = out["grp"], out["data"]
    assert list(grp) == ["TP.C.1_frow", "TP.C.2_frow", "TP.R.1_fcol", "TP.R.2_fcol",
                         "TP_fcol_frow", "All"]
    first = data.columns.get_loc("TP_fcol_frow_1") + 1              # R's 1-based numbers
    assert grp["TP_fcol_frow"][0] == first and len(grp["TP_fcol_frow"]) == 5 * 7
    assert grp["All"] == list(range(grp["TP.C.1_frow"][0], grp["TP_fcol_frow"][-1] + 1))
    np.testing.assert_allclose(
        data["TP.R.2_fcol_3"],
        data["TP.R.2"] * out["BcZ.df"].set_index("TP.col").loc[data["col"], "V3"].to_numpy())
    with pytest.raises(AsrError, match="columncoordinates must name a column"):
        r_tpsmmb("Col", "row", d)
    with pytest.raises(AsrError, match="rotateX"):
        r_tpsmmb("col", "row", d, rotateX=True)
    with pytest.raises(AsrError, match="numeric"):
        r_tpsmmb("col", "row", d.assign(col=d["col"].astype(str)))


#: crWerner/fieldsimr 7335473 code-papers/FieldSimR_frontiers/pheno_df.RData (2.6 kB, GPL >= 3),
#: not committed: built locally by scripts/fetched_data.py (tests/data/README.md)


def test_tpsmmb_reproduces_the_recorded_tps_fit_of_fieldsimr_s11() -> None:
    """SupplementaryScriptS11.R (Werner, Gemenet & Tolhurst 2024) records, for its TPS + ID
    model fitted by asreml with tpsmmb()'s bases, the residual deviance -110.789 (and 55.39
    for the loglik after update())."""
    import asr_py as asr
    from asr_py.translate.runtime import load_rdata

    pheno = load_rdata(str(fetched("fieldsimr_s11_pheno_df.RData")))["pheno_df"]
    df = pheno[pheno["env"].astype(str).str.strip() == "1"].copy()
    for c in ("block", "col", "row", "id"):
        df[c] = df[c].astype(str).str.strip().astype(int)
    df = df.sort_values(["col", "row"])
    df["col.num"], df["row.num"] = df["col"].astype(float), df["row"].astype(float)
    for c in ("block", "col", "row", "id"):
        df[c] = pd.Categorical(df[c])
    tps = r_tpsmmb("col.num", "row.num", df, stub="1", nsegments=[5, 11])
    fit = asr.asreml(
        fixed="y.Trait1 ~ 1 + TP.CR.2 + TP.CR.3 + TP.CR.4",
        random="~ id + block + TP.C.1:mbf(TP.row) + TP.C.2:mbf(TP.row) + "
               "TP.R.1:mbf(TP.col) + TP.R.2:mbf(TP.col) + mbf(TP.CxR)",
        mbf={"TP.col": {"key": ("TP.col", "TP.col"), "cov": "BcZ"},
             "TP.row": {"key": ("TP.row", "TP.row"), "cov": "BrZ"},
             "TP.CxR": {"key": ("TP.CxR", "TP.CxR"), "cov": "BcrZ"}},
        BcZ=tps["BcZ.df"], BrZ=tps["BrZ.df"], BcrZ=tps["BcrZ.df"], data=tps["data"])
    # asreml's loglik leaves out the constant -(n - p)/2 log 2π (n = 200, p = 4)
    asreml_loglik = fit.loglik + 0.5 * (200 - 4) * math.log(2 * math.pi)
    assert -2 * asreml_loglik == pytest.approx(-110.789, abs=0.01)


# ------------------------------------------------------------ LMMsolver's helpers
def test_calcusc_is_the_scaled_penalty_eigenbasis() -> None:
    from asr_py.translate.rlmmsolverbits import r_calcUsc

    for q, o in ((22, 1), (10, 2)):
        U = r_calcUsc(q, ord=o)
        assert U.shape == (q, q - o)
        D = np.diff(np.eye(q), n=o, axis=0)
        # U U' is the penalty's pseudo-inverse (iid effects on the penalised directions)
        np.testing.assert_allclose(U @ U.T, np.linalg.pinv(D.T @ D), atol=1e-10)
        # the columns are orthogonal to the polynomials of degree < ord (sum to zero)
        poly = np.vander(np.arange(q, dtype=float), o, increasing=True)
        np.testing.assert_allclose(poly.T @ U, 0.0, atol=1e-9)
    with pytest.raises(AsrError, match="0 < ord < q"):
        r_calcUsc(3, ord=3)


def test_ndxmatrix_numbers_the_columns_cbind_adds() -> None:
    from asr_py.translate.rlmmsolverbits import r_ndxMatrix

    df = pd.DataFrame({"a": [1, 2], "b": [3, 4], "c": [5, 6]})
    lz = [np.zeros((2, 4)), np.zeros((2, 2))]
    assert r_ndxMatrix(df, lz, ["P1", "P2"]) == {"P1": [4, 5, 6, 7], "P2": [8, 9]}
    with pytest.raises(AsrError, match="2 matrices in lZ but 1 names"):
        r_ndxMatrix(df, lz, "P1")


def test_dlogdet_is_the_gradient_of_the_log_determinant() -> None:
    """tr(C⁻¹P_i) against central finite differences of log|Σθ_i P_i|, and Σθ_i tr(C⁻¹P_i)
    = tr(I) (the effective dimensions add up to the size of C)."""
    from asr_py.translate.rlmmsolverbits import r_ADchol, r_dlogdet, r_linearSum

    rng = np.random.default_rng(3)
    X = rng.normal(size=(30, 5))
    P = [np.diag([0, 0, 1.0, 1.0, 1.0]), X[:17].T @ X[:17], X[17:].T @ X[17:]]
    theta = np.array([2.0, 0.7, 1.3])
    g = r_dlogdet(r_ADchol(P), theta)
    h = 1e-6
    for i in range(3):
        e = np.zeros(3)
        e[i] = h
        fd = (np.linalg.slogdet(r_linearSum(theta + e, P))[1]
              - np.linalg.slogdet(r_linearSum(theta - e, P))[1]) / (2 * h)
        assert g[i] == pytest.approx(fd, rel=1e-6)
    assert float(theta @ g) == pytest.approx(5.0)
    with pytest.raises(AsrError, match="not positive definite"):
        r_dlogdet(r_ADchol(P), np.array([1.0, -5.0, 0.0]))


def test_construct_rinv_splits_the_weights_by_level() -> None:
    from asr_py.translate.rlmmsolverbits import r_constructRinv

    df = pd.DataFrame({"cross": ["AxC", "AxB", "AxC"]})
    R = r_constructRinv(df, "~cross", weights=2.0)
    assert list(R) == ["cross_AxC!R", "cross_AxB!R"]              # order of appearance
    np.testing.assert_array_equal(np.diag(R["cross_AxC!R"]), [2.0, 0.0, 2.0])
    np.testing.assert_array_equal(R["cross_AxC!R"] + R["cross_AxB!R"], 2.0 * np.eye(3))


def test_kronecker_of_a_matrix_and_a_vector_is_r_s() -> None:
    """R pads the shorter dim with trailing 1s: a vector is a column there."""
    from asr_py.translate.rbase import r_kronecker

    K = r_kronecker(np.eye(2), np.ones(3))
    assert K.shape == (6, 2)
    np.testing.assert_array_equal(K[:, 0], [1, 1, 1, 0, 0, 0])
    K2 = r_kronecker(np.array([1.0, 2.0]), np.eye(2))
    np.testing.assert_array_equal(K2, [[1, 0], [0, 1], [2, 0], [0, 2]])
    assert r_kronecker(np.array([1.0, 2.0]), np.array([1.0, 10.0])).tolist() == [1, 10, 2, 20]


# ------------------------------------------------------------ caret's createFolds(), sample()
def test_createfolds_balances_the_folds_within_quantile_groups() -> None:
    """caret's documented rule: numeric y in min(max(n %/% k, 2), 5) quantile groups; in each
    group the folds 1..k dealt n_g %/% k times each plus n_g %% k distinct extras."""
    from asr_py.translate.rcaret import r_createFolds

    np.random.seed(11)
    y = np.arange(1, 101, dtype=float)            # 1:n, as predFA.R's SamplingLines()
    f = r_createFolds(y, k=4, list=False)
    assert sorted(set(f.tolist())) == [1, 2, 3, 4]
    # groups: quantile(1:100, c(0, 1/4, 1/2, 3/4, 1)) = 1, 25.75, 50.5, 75.25, 100
    groups = [y <= 25.75, (y > 25.75) & (y <= 50.5), (y > 50.5) & (y <= 75.25), y > 75.25]
    for g in groups:
        counts = np.bincount(f[g], minlength=5)[1:]
        assert counts.max() - counts.min() <= 1 and counts.sum() == g.sum()
    folds = r_createFolds(y, k=10)
    assert list(folds)[:2] == ["Fold01", "Fold02"] and len(folds) == 10
    assert sorted(np.concatenate(list(folds.values())).tolist()) == list(range(1, 101))
    train = r_createFolds(y, k=3, returnTrain=True)
    # the training sets are the complements of 3 disjoint folds covering 1..100
    assert sum(100 - len(v) for v in train.values()) == 100
    assert len(set.intersection(*(set(range(1, 101)) - set(v.tolist())
                                  for v in train.values()))) == 0
    # a factor: balanced within each level; k >= n: one observation per fold
    lab = np.array(["a"] * 6 + ["b"] * 3)
    f2 = r_createFolds(lab, k=3, list=False)
    assert sorted(f2[:6].tolist()) == [1, 1, 2, 2, 3, 3] and sorted(f2[6:].tolist()) == [1, 2, 3]
    assert r_createFolds(np.array([5.0, 6.0]), k=4, list=False).tolist() == [1, 2]


def test_sample_follows_r_rules() -> None:
    from asr_py.translate.rsample import r_sample, r_sample_int

    np.random.seed(2)
    assert sorted(r_sample(5).tolist()) == [1, 2, 3, 4, 5]          # one number n: 1:n
    envs = np.array(["E1", "E2", "E3", "E4"])
    s = r_sample(envs, 2, replace=False)
    assert len(set(s)) == 2 and set(s) <= set(envs)
    assert sorted(r_sample(np.array([7.5]), 7).tolist()) == list(range(1, 8))  # 7.5: 1:7
    assert set(r_sample(np.array([0.5, 0.25]), 2).tolist()) == {0.5, 0.25}
    assert (r_sample_int(3, 50, replace=True, prob=[0, 1, 0]) == 2).all()
    with pytest.raises(AsrError, match="larger than the population"):
        r_sample(envs, 5)
    with pytest.raises(AsrError, match="incorrect number of probabilities"):
        r_sample(envs, 1, prob=[1, 2])


# ------------------------------------------------------------ CVXR's problems
def test_cvxr_merit_index_is_the_lagrange_closed_form() -> None:
    """maximize v'x s.t. x'Qx <= r²: x* = r Q⁻¹v / sqrt(v'Q⁻¹v) (Lagrange), checked against
    the constraint being active and the KKT condition v = 2μQx*; and against a brute-force
    search over the ellipse's boundary."""
    from asr_py.translate.rbase import r_matmul
    from asr_py.translate.rcvxr import (
        r_Maximize,
        r_Minimize,
        r_Problem,
        r_quad_form,
        r_Variable,
    )
    from asr_py.translate.rsolve import r_solve

    Q = np.array([[2.0, 0.8], [0.8, 1.0]])
    v = np.array([[1.0, 0.0]])
    x = r_Variable(2)
    res = r_solve(r_Problem(r_Maximize(r_matmul(v, x)), [r_quad_form(x, Q) <= 1.5 ** 2]))
    xs = res["getValue"](x)
    assert res["status"] == "optimal"
    assert float(xs @ Q @ xs) == pytest.approx(2.25)
    g = Q @ xs                                                        # v ∥ Qx* (KKT)
    assert g[0] * v[0, 1] - g[1] * v[0, 0] == pytest.approx(0.0, abs=1e-12)
    t = np.linspace(0, 2 * np.pi, 20001)
    L = np.linalg.cholesky(Q)
    pts = 1.5 * np.linalg.solve(L.T, np.vstack([np.cos(t), np.sin(t)]))  # x'Qx = 2.25
    assert res["value"] == pytest.approx(float((v @ pts).max()), rel=1e-6)
    lo = r_solve(r_Problem(r_Minimize(r_matmul(v, x)), [r_quad_form(x, Q) <= 2.25]))
    np.testing.assert_allclose(lo["getValue"](x), -xs)


def test_cvxr_other_problems_are_solved_numerically() -> None:
    """minimize ||x - a||² s.t. sum(x) == 1, x >= 0: the projection onto the simplex,
    whose closed form (sort-and-threshold) is computed here independently."""
    from asr_py.translate.rcvxr import (
        r_Minimize,
        r_Problem,
        r_sum_entries,
        r_sum_squares,
        r_Variable,
    )
    from asr_py.translate.rsolve import r_solve

    a = np.array([0.9, 0.6, -0.2, 0.1])
    x = r_Variable(4)
    res = r_solve(r_Problem(r_Minimize(r_sum_squares(x - a)),
                            [r_sum_entries(x) == 1, x >= 0]))
    u = np.sort(a)[::-1]
    css = np.cumsum(u)
    rho = np.nonzero(u * np.arange(1, 5) > (css - 1))[0][-1]
    proj = np.maximum(a - (css[rho] - 1) / (rho + 1), 0)
    assert res["status"] == "optimal"
    np.testing.assert_allclose(res["getValue"](x), proj, atol=1e-6)
    with pytest.raises(AsrError, match="more than one Variable"):
        r_solve(r_Problem(r_Minimize(r_sum_squares(x)), [r_Variable(4) >= 0]))


# ------------------------------------------------------------ translated R, end to end
def test_translated_scripts_use_the_emulations() -> None:
    """R semantics stated per line: as.data.frame(as.matrix(v)) has one column V1;
    as.numeric(crossprod(v)) is a number; kronecker(diag(2), rep(1, 3)) is 6 x 2;
    the CVXR merit problem's optimum is r Q⁻¹v / sqrt(v'Q⁻¹v)."""
    from _translate_fixtures import run_r

    ns = run_r("v <- c(a = 1, b = 2)\nd <- as.data.frame(as.matrix(v))\n"
               "s <- as.numeric(crossprod(c(1, 2), c(3, 4)))\n"
               "K <- kronecker(diag(2), rep(1, 3))\n"
               "library(CVXR)\nQ <- matrix(c(2, 0.8, 0.8, 1), 2)\nx <- Variable(2)\n"
               "p <- Problem(Maximize(matrix(c(1, 0), nrow = 1) %*% x),\n"
               "             list(quad_form(x, Q) <= 4))\n"
               "res <- solve(p)\nxs <- as.numeric(res$getValue(x))\n"
               "f <- caret::createFolds(1:20, k = 4, list = FALSE)\n", complete=True)
    assert list(ns["d"].columns) == ["V1"]
    assert float(ns["s"]) == pytest.approx(11.0)
    assert np.shape(ns["K"]) == (6, 2)
    Qi = np.linalg.inv(np.array([[2.0, 0.8], [0.8, 1.0]]))
    c = np.array([1.0, 0.0])
    np.testing.assert_allclose(ns["xs"], 2 * Qi @ c / np.sqrt(c @ Qi @ c))
    # 4 quantile groups of 5: each deals folds 1..4 once plus one extra fold
    sizes = np.bincount(ns["f"])[1:]
    assert sizes.sum() == 20 and len(sizes) == 4 and sizes.min() >= 4 and sizes.max() <= 8


def test_statgenibd_calls_get_a_todo_saying_what_to_supply() -> None:
    from asr_py.translate import translate

    py = translate("df1 <- calcIBD::calcIBD(poptype = 'F4DH', locfile = 'AxB.loc')\n"
                   "r2 <- statgenIBD::calcIBD(poptype = 'DH', locfile = 'a.loc')\n"
                   "Q <- getQTL(r2, c('M1'))\nx <- other::calcIBD(1)\n"
                   "getQTL <- function(a, b) a\nq2 <- getQTL(1, 2)\n")
    assert py.count("R package statgenIBD, formerly calcIBD") == 2 * 2   # TODO + placeholder
    assert "getQTL() (R package statgenIBD)" in py and "write.csv(" in py
    assert "other::calcIBD(), a function of the R package other" in py
    assert "q2 = getQTL(1, 2)" in py            # a script's own getQTL() is its own


# ------------------------------------------------------------ grouped verbs at scale
def test_grouped_filter_and_mutate_match_dplyr_semantics_on_many_groups() -> None:
    """filter(n() > 2, .by = g) keeps the rows of groups with more than two rows, in the
    data's order; mutate(z = y - mean(y), .by = g) centres within groups (pandas' transform
    computes both independently here); one reordered copy is sliced per group."""
    from asr_py.translate.rgrouped import r_group_filter, r_group_mutate

    rng = np.random.default_rng(5)
    n = 3000
    d = pd.DataFrame({"g": pd.Categorical(rng.integers(0, 900, n).astype(str)),
                      "y": rng.normal(size=n)}, index=rng.permutation(n) + 10)
    got = r_group_filter(d, ["g"], [lambda g: len(g) > 2])
    size = d.groupby("g", observed=True)["y"].transform("size")
    pd.testing.assert_frame_equal(got, d[size > 2])
    m = r_group_mutate(d, ["g"], [("z", lambda g: g["y"] - g["y"].mean()),
                                  ("w", lambda g: g["z"] * 2)])
    z = d["y"] - d.groupby("g", observed=True)["y"].transform("mean")
    np.testing.assert_allclose(m["z"], z)
    np.testing.assert_allclose(m["w"], 2 * z)
    assert list(m.index) == list(d.index) and "z" not in d.columns


def test_read_excel_caches_the_workbook_but_sees_a_changed_file(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    from asr_py.translate.rreadxl import r_read_excel

    f = tmp_path / "d.xlsx"
    with pd.ExcelWriter(f) as w:
        pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]}).to_excel(w, sheet_name="S1",
                                                                      index=False)
        pd.DataFrame({"c": [7.5]}).to_excel(w, sheet_name="S2", index=False)
    one = r_read_excel(str(f), sheet="S1", n_max=1)
    assert one.shape == (1, 2) and one["a"].tolist() == [1]
    full = r_read_excel(str(f), sheet="S1", col_types="text")
    assert full["a"].tolist() == ["1", "2", "3"]
    full["b"] = "changed"                                    # the caller's copy only
    assert r_read_excel(str(f), sheet="S1")["b"].tolist() == ["x", "y", "z"]
    assert r_read_excel(str(f), sheet=2)["c"].tolist() == [7.5]
    import os
    import time
    time.sleep(0.01)
    with pd.ExcelWriter(f) as w:
        pd.DataFrame({"a": [9, 8, 7, 6]}).to_excel(w, sheet_name="S1", index=False)
    os.utime(f, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert r_read_excel(str(f), sheet="S1")["a"].tolist() == [9, 8, 7, 6]


def test_rows_of_a_one_column_matrix_drop_to_a_named_vector() -> None:
    """R: m[i, ] of an n x 1 matrix drops the column (drop = TRUE): a vector named by the
    selected rows; a data frame's one-column subset keeps its own rule here."""
    from asr_py.translate.rbase import r_ij

    m = pd.DataFrame({"v": [1.0, 2.0, 3.0]}, index=["genA", "genB", "trait1"])
    got = r_ij(m, [True, True, False], None)
    assert isinstance(got, pd.Series) and got.to_dict() == {"genA": 1.0, "genB": 2.0}
    two = pd.DataFrame({"v": [1.0, 2.0], "w": [3.0, 4.0]}, index=["a", "b"])
    assert isinstance(r_ij(two, [True, False], None), pd.DataFrame)


def test_lmmsolve_coef_of_a_term_the_fit_lacks_is_a_clear_error() -> None:
    from asr_py.translate.rlmmsolver import _Terms

    t = _Terms({"gen": pd.Series([1.0]), "rep": pd.Series([0.0])})
    with pytest.raises(AsrError, match=r"no term 'Prow' .*R gives NULL"):
        t["Prow"]
    assert t["gen"].tolist() == [1.0]
