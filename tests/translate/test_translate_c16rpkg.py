"""translate(): other R functions scripts call around their fits (issue 14, session 14,
c16rpkg): base R's ``svd()``, ``det()``, ``determinant()``, ``drop()``, ``diag<-``,
``expand.grid()``; stats' ``optim()``, ``optimize()``, ``nlminb()``; optimx's ``optimr()``;
tidyr's ``expand_grid()``/``crossing()``.

Expected values: the outputs R prints for the examples of ``?optim`` and ``?optimize``
(R 4.x; they are deterministic - R's Nelder-Mead and BFGS are ported, so their counts must
match too), closed forms (Rosenbrock's Hessian, 2 x 2 determinants, the ANOVA estimators
that are the REML estimates of a balanced one-way model) and the documented orderings of
expand.grid()/expand_grid()/crossing().
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_r

from asr_py.errors import AsrError
from asr_py.translate import translate
from asr_py.translate.rexpand import r_crossing, r_expand_grid, r_tidyr_expand_grid
from asr_py.translate.roptim import r_nlminb, r_optim, r_optimize, r_optimr
from asr_py.translate.rsvd import r_det, r_determinant, r_drop, r_set_diag, r_svd


def fr(x):
    return 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2


def grr(x):
    return np.array([-400 * x[0] * (x[1] - x[0] ** 2) - 2 * (1 - x[0]),
                     200 * (x[1] - x[0] ** 2)])


# ----- optim ------------------------------------------------------------------------------
def test_optim_nelder_mead_is_rs_own() -> None:
    # ?optim: optim(c(-1.2, 1), fr) prints par 1.000260 1.000506, value 8.825241e-08,
    # counts 195 NA, convergence 0
    r = r_optim([-1.2, 1.0], fr)
    np.testing.assert_allclose(r["par"], [1.000260, 1.000506], rtol=0, atol=5e-7)
    assert r["value"] == pytest.approx(8.825241e-08, rel=1e-6)
    assert r["counts"].iloc[0] == 195 and np.isnan(r["counts"].iloc[1])
    assert r["convergence"] == 0 and r["message"] is None


def test_optim_bfgs_is_rs_own_and_hessian_is_the_closed_form() -> None:
    # ?optim: optim(c(-1.2, 1), fr, grr, method = "BFGS") prints par 1 1, value
    # 9.594956e-18, counts 110 43
    r = r_optim([-1.2, 1.0], fr, grr, method="BFGS", hessian=True)
    np.testing.assert_allclose(r["par"], [1.0, 1.0], atol=1e-8)
    assert r["value"] == pytest.approx(9.594956e-18, rel=1e-5)
    assert list(r["counts"]) == [110, 43]
    # Rosenbrock's Hessian at (1, 1): [[1200x^2 - 400y + 2, -400x], [-400x, 200]]
    np.testing.assert_allclose(r["hessian"], [[802.0, -400.0], [-400.0, 200.0]], atol=1e-3)


def test_optim_lbfgsb_box_constrained_25_dimensional_example() -> None:
    # ?optim: the 25-dimensional box constrained "flb": value 368.105912874334 and par[24]
    # (2.109093) is not at its bound
    def flb(x):
        p = len(x)
        return float(np.sum(np.r_[1, np.repeat(4, p - 1)] * (x - np.r_[1, x[:-1]] ** 2) ** 2))

    r = r_optim(np.repeat(3.0, 25), flb, None, method="L-BFGS-B",
                lower=np.repeat(2, 25), upper=np.repeat(4, 25))
    assert r["value"] == pytest.approx(368.105912874334, rel=1e-9)
    assert r["par"][23] == pytest.approx(2.109093, abs=1e-5)
    assert r["par"][24] == pytest.approx(4.0) and np.all(r["par"][:23] == 2.0)
    assert r["convergence"] == 0 and "CONVERGENCE" in r["message"]


def test_optim_fnscale_maximises_and_parscale_names_and_dots() -> None:
    # maximise -(a - 2)^2 - (b + 1)^2 + 5 with fnscale = -1: optimum (2, -1), value 5
    def f(p, shift):
        return -(p["a"] - shift) ** 2 - (p["b"] + 1) ** 2 + 5

    r = r_optim({"a": 0.0, "b": 0.0}, f, method="BFGS", control={"fnscale": -1,
                                                                 "parscale": [10, 1]},
                shift=2.0)
    assert list(r["par"].index) == ["a", "b"]
    # BFGS stops on a relative change of f below reltol (R's vmmin): par to ~1e-3
    np.testing.assert_allclose(r["par"], [2.0, -1.0], atol=2e-3)
    assert r["value"] == pytest.approx(5.0, abs=1e-6)


def test_optim_cg_and_brent_reach_the_optimum() -> None:
    r = r_optim([-1.2, 1.0], fr, grr, method="CG", control={"maxit": 5000})
    np.testing.assert_allclose(r["par"], [1.0, 1.0], atol=1e-3)
    r = r_optim(1.0, lambda x: (x[0] - np.pi) ** 2, method="Brent", lower=0, upper=10)
    assert r["par"][0] == pytest.approx(np.pi, abs=1e-6)


def test_optim_refuses_sann_unknown_control_and_bounds_switch_with_warning() -> None:
    with pytest.raises(AsrError, match="SANN"):
        r_optim([1.0, 1.0], fr, method="SANN")
    with pytest.raises(AsrError, match="unknown names in control: foo"):
        r_optim([1.0, 1.0], fr, control={"foo": 1})
    with pytest.raises(AsrError, match="'fn' must be a function"):
        r_optim([1.0], 3)
    with pytest.warns(UserWarning, match="L-BFGS-B"):
        r = r_optim([0.5, 0.5], fr, lower=0, upper=0.8)
    assert r["par"][0] <= 0.8 and r["message"].startswith("CONVERGENCE")


def test_optimize_documented_example() -> None:
    # ?optimize: optimize(f, c(0, 1), tol = 0.0001, a = 1/3) with f = (x - a)^2 gives
    # minimum 0.3333333, objective 0
    r = r_optimize(lambda x, a: (x - a) ** 2, [0, 1], tol=0.0001, a=1 / 3)
    assert r["minimum"] == pytest.approx(1 / 3, abs=1e-4)
    assert r["objective"] == pytest.approx(0.0, abs=1e-8)
    m = r_optimize(lambda x: np.sin(x), lower=0, upper=3, maximum=True)
    assert m["maximum"] == pytest.approx(np.pi / 2, abs=1e-4)


# ----- nlminb / optimr against closed-form REML estimates ---------------------------------------
def _one_way(seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a, n = 6, 4
    g = np.repeat(np.arange(a), n)
    y = 10 + rng.normal(0, 1.2, a)[g] + rng.normal(0, 0.8, a * n)
    return y, g


def _anova_reml(y: np.ndarray, g: np.ndarray) -> tuple[float, float]:
    """Balanced one-way ANOVA estimators = REML estimates when both are positive."""
    a, n = g.max() + 1, len(y) // (g.max() + 1)
    means = np.array([y[g == k].mean() for k in range(a)])
    msb = n * np.sum((means - y.mean()) ** 2) / (a - 1)
    msw = sum(np.sum((y[g == k] - means[k]) ** 2) for k in range(a)) / (a * (n - 1))
    return (msb - msw) / n, msw


def _neg_reml(theta, y, g):
    n = len(y)
    Z = (g[:, None] == np.arange(g.max() + 1)).astype(float)
    X = np.ones((n, 1))
    V = theta[0] * Z @ Z.T + theta[1] * np.eye(n)
    Vi = np.linalg.inv(V)
    XVX = X.T @ Vi @ X
    P = Vi - Vi @ X @ np.linalg.solve(XVX, X.T @ Vi)
    return 0.5 * (np.linalg.slogdet(V)[1] + np.linalg.slogdet(XVX)[1] + y @ P @ y)


def test_nlminb_and_optimr_find_the_reml_estimates() -> None:
    y, g = _one_way()
    sg, se = _anova_reml(y, g)
    assert sg > 0 and se > 0
    r = r_nlminb([0.1, 0.1], _neg_reml, lower=[0, 0], upper=[np.inf, np.inf], y=y, g=g)
    np.testing.assert_allclose(r["par"], [sg, se], rtol=1e-4)
    assert r["convergence"] == 0 and "emulated" in r["message"]
    o = r_optimr([0.1, 0.1], _neg_reml, lower=[0, 0], upper=[np.inf, np.inf],
                 method="nlminb", y=y, g=g)
    np.testing.assert_allclose(o["par"], [sg, se], rtol=1e-4)
    assert o["value"] == pytest.approx(_neg_reml([sg, se], y, g), rel=1e-8)
    o = r_optimr([0.5, 0.5], _neg_reml, method="Nelder-Mead", y=y, g=g,
                 control={"reltol": 1e-12})
    np.testing.assert_allclose(o["par"], [sg, se], rtol=1e-3)


def test_translated_optimr_nlminb_script_gives_the_anova_estimates() -> None:
    y, g = _one_way(5)
    sg, se = _anova_reml(y, g)
    ys = ", ".join(f"{v:.12g}" for v in y)
    code = f"""
y <- matrix(c({ys}))
g <- factor(rep(1:6, each = 4))
d <- data.frame(g = g)
X <- model.matrix(~ 1, d)
Z <- model.matrix(~ -1 + g, d)
loglik <- function(theta, y, X, Z) {{
  V <- Z %*% diag(x = theta[1], nrow = ncol(Z)) %*% t(Z) + diag(x = theta[2], nrow = length(y))
  diag(V) <- diag(V) + 1e-14
  Vi <- solve(V)
  XVX <- t(X) %*% Vi %*% X
  b <- solve(XVX) %*% t(X) %*% Vi %*% y
  yPy <- t(y) %*% (Vi %*% y - Vi %*% X %*% b) |> drop()
  0.5 * (log(det(V)) + log(det(XVX)) + yPy)
}}
sol <- optimr(par = c(0.1, 0.1), fn = loglik, lower = c(0, 0), upper = c(Inf, Inf),
              y = y, X = X, Z = Z, method = "nlminb")
est <- sol$par
"""
    ns = run_r(code, complete=True)
    np.testing.assert_allclose(ns["est"], [sg, se], rtol=1e-4)


def test_translate_passes_dots_to_the_objective() -> None:
    py = translate("s <- optim(c(1, 2), fn = f, y = y, method = 'BFGS')\n"
                   "o <- optimize(f, c(0, 1), a = 2)\n")
    assert "r_optim(par=[1, 2], fn=f, method='BFGS', y=y)" in py
    assert "r_optimize(f=f, interval=[0, 1], a=2)" in py


# ----- svd / det / determinant / drop / diag<- --------------------------------------------
def test_svd_reconstructs_and_has_rs_shape() -> None:
    X = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]])
    s = r_svd(X)
    assert s["u"].shape == (3, 2) and s["v"].shape == (2, 2)
    np.testing.assert_allclose(s["u"] @ np.diag(s["d"]) @ s["v"].T, X, atol=1e-12)
    np.testing.assert_allclose(s["d"] ** 2, np.sort(np.linalg.eigvalsh(X.T @ X))[::-1])
    assert np.all(np.diff(s["d"]) <= 0)
    s0 = r_svd(X, nu=0, nv=0)
    assert set(s0) == {"d"}
    assert r_svd(X, nu=3)["u"].shape == (3, 3)
    with pytest.raises(AsrError, match="infinite or missing"):
        r_svd(np.array([[1.0, np.nan]]))


def test_svd_rotation_of_fa_loadings_as_scripts_do() -> None:
    # MET scripts rotate FA loadings L by svd(L)$v: L V has orthogonal columns and the
    # same L L'
    L = np.array([[0.9, 0.2], [0.7, -0.3], [0.5, 0.4], [0.8, 0.1]])
    py = translate("s <- svd(L)\nLs <- L %*% s$v * -1\nd <- s$d\n")
    assert "r_svd(x=L)" in py
    ns = run_r("s <- svd(L)\nLs <- L %*% s$v * -1\n", complete=True, L=L)
    Ls = np.asarray(ns["Ls"])
    np.testing.assert_allclose(Ls @ Ls.T, L @ L.T, atol=1e-12)
    off = Ls.T @ Ls
    assert abs(off[0, 1]) < 1e-12


def test_det_and_determinant_closed_forms() -> None:
    X = np.array([[4.0, 2.0], [2.0, 3.0]])
    assert r_det(X) == pytest.approx(8.0)
    d = r_determinant(X)
    assert d["modulus"] == pytest.approx(np.log(8.0)) and d["sign"] == 1
    assert r_determinant(np.array([[0.0, 1.0], [1.0, 0.0]]), logarithm=False) == \
        {"modulus": pytest.approx(1.0), "sign": -1}
    assert r_det(np.array([[1.0, 2.0], [2.0, 4.0]])) == 0.0
    with pytest.raises(AsrError, match="square"):
        r_det(np.ones((2, 3)))
    ns = run_r("X <- matrix(c(4, 2, 2, 3), 2, 2)\nd <- det(X)\n"
               "l <- determinant(X, logarithm = TRUE)$modulus\n", complete=True)
    assert ns["d"] == pytest.approx(8.0) and ns["l"] == pytest.approx(np.log(8.0))


def test_drop_and_set_diag() -> None:
    assert r_drop(np.array([[2.5]])) == 2.5
    np.testing.assert_array_equal(r_drop(np.ones((3, 1))), np.ones(3))
    assert r_drop(np.ones((2, 2))).shape == (2, 2)
    m = r_set_diag(np.zeros((3, 3)), 1e-14)
    np.testing.assert_array_equal(np.diag(m), [1e-14] * 3)
    m = r_set_diag(np.zeros((2, 3), dtype=int), [1.5, 2.5])
    assert m[1, 1] == 2.5 and m.shape == (2, 3)
    df = pd.DataFrame(np.eye(2), index=["a", "b"], columns=["a", "b"])
    assert list(r_set_diag(df, 3).index) == ["a", "b"]
    with pytest.raises(AsrError, match="wrong length"):
        r_set_diag(np.zeros((3, 3)), [1, 2])
    # diag(vd) <- NA (NA translates to None), also of an integer matrix
    m = r_set_diag(np.ones((2, 2), dtype=int), None)
    assert np.isnan(m[0, 0]) and np.isnan(m[1, 1]) and m[0, 1] == 1
    ns = run_r("V <- diag(2, 3)\ndiag(V) <- diag(V) + 1\nL <- list(m = diag(3))\n"
               "diag(L$m) <- 5\n", complete=True)
    np.testing.assert_array_equal(np.diag(ns["V"]), [3, 3, 3])
    np.testing.assert_array_equal(np.diag(np.asarray(ns["L"]["m"])), [5, 5, 5])


# ----- expand.grid / expand_grid / crossing ------------------------------------------------
def test_expand_grid_orders() -> None:
    g = r_expand_grid([("a", [1, 2]), ("b", ["x", "y", "z"])])
    # R: the first factor varies fastest; text becomes a factor in the given order
    assert g["a"].tolist() == [1, 2, 1, 2, 1, 2]
    assert g["b"].astype(str).tolist() == ["x", "x", "y", "y", "z", "z"]
    assert list(g["b"].cat.categories) == ["x", "y", "z"]
    v = r_expand_grid([(None, [1, 2]), (None, [3, 4])])
    assert list(v.columns) == ["Var1", "Var2"]
    t = r_tidyr_expand_grid([("i", range(1, 4)), ("j", [2, 1])])
    # tidyr: the first varies slowest, values as given
    assert t["i"].tolist() == [1, 1, 2, 2, 3, 3] and t["j"].tolist() == [2, 1] * 3
    c = r_crossing([("i", [2, 1, 2]), ("j", ["b", "a"])])
    assert c["i"].tolist() == [1, 1, 2, 2] and c["j"].tolist() == ["a", "b", "a", "b"]
    with pytest.raises(AsrError, match="needs a name"):
        r_tidyr_expand_grid([(None, [1, 2])])


def test_translated_expand_grid_pipeline() -> None:
    code = """
library(dplyr)
n <- 4
pairs_tbl <- tidyr::expand_grid(i = seq_len(n), j = seq_len(n)) %>% filter(i < j)
k <- nrow(pairs_tbl)
grid <- expand.grid(env = c("E1", "E2"), rep = 1:3)
"""
    ns = run_r(code, complete=True)
    assert ns["k"] == 6
    assert ns["pairs_tbl"]["i"].tolist() == [1, 1, 1, 2, 2, 3]
    assert ns["grid"]["env"].astype(str).tolist() == ["E1", "E2"] * 3


# ----- purrr map family, pmax/pmin, mutate's own columns ------------------------------------
def test_map_family() -> None:
    from asr_py.translate.rpurrr import r_map, r_pmax, r_pmin

    np.testing.assert_array_equal(r_map("dbl", lambda x: x ** 2, [1, 2, 3]), [1.0, 4.0, 9.0])
    assert r_map(None, lambda x: [x] * x, {"a": 1, "b": 2}) == {"a": [1], "b": [2, 2]}
    s = r_map("dbl", "loglik", {"m1": {"loglik": -3.0}, "m2": {"loglik": -1.5}})
    assert list(s.index) == ["m1", "m2"] and s["m2"] == -1.5
    np.testing.assert_array_equal(r_map("dbl", lambda x, y: x * y, [1, 2, 3], 10),
                                  [10.0, 20.0, 30.0])
    with pytest.raises(AsrError, match="single value"):
        r_map("dbl", lambda x: [x, x], [1, 2])
    with pytest.raises(AsrError, match="cannot be recycled"):
        r_map("dbl", lambda x, y: x, [1, 2, 3], [1, 2])
    # R: pmax(c(1, NA, 5), 3) is 3 NA 5; with na.rm = TRUE 3 3 5; pmin recycles
    np.testing.assert_array_equal(r_pmax([1, np.nan, 5], 3), [3, np.nan, 5])
    np.testing.assert_array_equal(r_pmax([1, np.nan, 5], 3, na_rm=True), [3, 3, 5])
    np.testing.assert_array_equal(r_pmin([1, 4, 6, 8], [5, 2]), [1, 2, 5, 2])


def test_translated_pairwise_table_with_map2_and_outer_vectors() -> None:
    # the pairwise-heritability idiom: expand_grid() -> filter(i < j) -> transmute() with
    # id[i], map2_dbl(i, j, ~ M[.x, .y]) and a column made before in the same call
    code = """
library(dplyr)
library(purrr)
id <- c("g1", "g2", "g3")
M <- matrix(c(4, 1, 2, 1, 5, 3, 2, 3, 6), 3, 3)
f <- function(x) { vd <- x * 2; vd }
pairs_tbl <- tidyr::expand_grid(i = seq_len(3), j = seq_len(3)) %>%
  filter(i < j) %>%
  transmute(gen1 = id[i], gen2 = id[j],
            vd = map2_dbl(i, j, ~ M[.x, .y]),
            var_true = map2_dbl(i, j, ~ M[.x, .x] + M[.y, .y] - 2 * M[.x, .y]),
            h = pmax(pmin(1 - vd / var_true, 1), 0))
"""
    ns = run_r(code, complete=True)
    p = ns["pairs_tbl"]
    M = np.array([[4, 1, 2], [1, 5, 3], [2, 3, 6]], dtype=float)
    pairs = [(0, 1), (0, 2), (1, 2)]
    assert list(p["gen1"]) == ["g1", "g1", "g2"] and list(p["gen2"]) == ["g2", "g3", "g3"]
    vd = np.array([M[i, j] for i, j in pairs])
    vt = np.array([M[i, i] + M[j, j] - 2 * M[i, j] for i, j in pairs])
    np.testing.assert_allclose(p["vd"], vd)
    np.testing.assert_allclose(p["h"], np.clip(1 - vd / vt, 0, 1))


def test_cvxr_problem_is_translated_unless_the_script_defines_it() -> None:
    py = translate("p <- CVXR::Problem(objective, constraints)\n"
                   "Problem <- function(a, b) a + b\nq <- Problem(1, 2)\n")
    assert "r_Problem(objective=objective, constraints=constraints)" in py   # rcvxr.py
    assert "q = Problem(1, 2)" in py          # a script's own Problem() is its own


# ----- LMMsolver's LMMsolve() ------------------------------------------------------------
def _rcbd(seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    gens, blocks = [f"g{i}" for i in range(1, 7)], ["1", "2", "3"]
    d = pd.DataFrame([(g, b, k) for g in gens for b in blocks for k in range(2)],
                     columns=["gen", "block", "k"]).drop(columns="k")
    ge = dict(zip(gens, rng.normal(0, 1.0, 6)))
    be = {"1": 0.0, "2": 0.8, "3": -0.5}
    d["env"] = np.where(np.arange(len(d)) % 2 == 0, "E1", "E2")
    sd = np.where(d["env"] == "E1", 0.3, 0.9)
    d["y"] = 10 + d["gen"].map(ge) + d["block"].map(be) + rng.normal(0, 1, len(d)) * sd
    return d


def _dense_reml(d: pd.DataFrame, hetero: bool) -> dict:
    """REML by dense V and scipy: variances, LMMsolver's logL (-1/2 (log|V| + log|X'V^-1X|
    + y'Py), = -1/2 (log|R| + log|G| + log|C|)), BLUEs and BLUPs."""
    from scipy.optimize import minimize

    y = d["y"].to_numpy()
    X = np.column_stack([np.ones(len(d)), d["block"] == "2", d["block"] == "3"]).astype(float)
    Z = (d["gen"].to_numpy()[:, None] == np.array([f"g{i}" for i in range(1, 7)])).astype(float)
    grp = (d["env"] == "E2").to_numpy()

    def parts(lt):
        s = np.exp(lt)
        r = np.where(grp, s[2], s[1]) if hetero else np.full(len(y), s[1])
        V = s[0] * Z @ Z.T + np.diag(r)
        Vi = np.linalg.inv(V)
        XVX = X.T @ Vi @ X
        b = np.linalg.solve(XVX, X.T @ Vi @ y)
        e = y - X @ b
        ll = -0.5 * (np.linalg.slogdet(V)[1] + np.linalg.slogdet(XVX)[1] + e @ Vi @ e)
        return ll, b, s[0] * Z.T @ Vi @ e, s

    k = 3 if hetero else 2
    res = minimize(lambda lt: -parts(lt)[0], np.zeros(k), method="Nelder-Mead",
                   options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000})
    ll, b, u, s = parts(res.x)
    return {"logL": ll, "beta": b, "u": u, "s": s}


@pytest.mark.parametrize("hetero", [False, True])
def test_lmmsolve_matches_dense_reml(hetero: bool) -> None:
    from asr_py.translate.rlmmsolver import r_LMMsolve

    d = _rcbd()
    ref = _dense_reml(d, hetero)
    obj = r_LMMsolve("y ~ block", random="~ gen", data=d,
                     residual="~ env" if hetero else None)
    assert obj["logL"] == pytest.approx(ref["logL"], abs=1e-5)
    # logLik() adds LMMsolver's constantREML = -1/2 log(2 pi) (n - p): lme4's REML value
    assert obj["constantREML"] == pytest.approx(-0.5 * np.log(2 * np.pi) * (36 - 3))
    assert obj.logLik() == pytest.approx(ref["logL"] - 0.5 * np.log(2 * np.pi) * 33,
                                         abs=1e-5)
    assert obj.deviance(relative=False, includeConstant=False) == pytest.approx(
        -2 * ref["logL"], abs=1e-4)
    np.testing.assert_allclose(obj["VarDf"]["Variance"], ref["s"], rtol=1e-3)
    assert obj["VarDf"]["VarComp"].iloc[0] == "gen"
    np.testing.assert_allclose(obj["theta"], 1 / ref["s"], rtol=1e-3)
    cf = obj.coef()
    assert list(cf) == ["(Intercept)", "block", "gen"]
    assert list(cf["block"].index) == ["block_1", "block_2", "block_3"]
    np.testing.assert_allclose(cf["block"], [0.0, *ref["beta"][1:]], atol=1e-4)
    assert list(cf["gen"].index) == [f"gen_g{i}" for i in range(1, 7)]
    np.testing.assert_allclose(cf["gen"], ref["u"], atol=1e-4)
    se = obj.coef(se=True)["gen"]
    assert list(se.columns) == ["coef", "value", "se", "zRatio"] and (se["se"] > 0).all()
    np.testing.assert_allclose(obj["yhat"] + obj["residuals"], d["y"])


def test_lmmsolve_grp_and_ginverse_and_clear_errors() -> None:
    from asr_py.translate.rlmmsolver import r_LMMsolve

    d = _rcbd(4)
    # grp(): the columns 5:6 (by position, as LMMsolver's group = list(Q = 5:6))
    rng = np.random.default_rng(2)
    d["m1"], d["m2"] = rng.normal(size=len(d)), rng.normal(size=len(d))
    obj = r_LMMsolve("y ~ block", random="~ grp(Q)", group={"Q": [5, 6]}, data=d)
    assert list(obj.coef()["Q"].index) == ["Q_m1", "Q_m2"]
    # ginverse with an identity: the same fit as a plain random gen
    plain = r_LMMsolve("y ~ block", random="~ gen", data=d)
    gi = r_LMMsolve("y ~ block", random="~ gen", ginverse={"gen": np.eye(6)}, data=d)
    assert gi["logL"] == pytest.approx(plain["logL"], abs=1e-6)
    np.testing.assert_allclose(gi.coef()["gen"], plain.coef()["gen"], atol=1e-6)
    with pytest.raises(AsrError, match="P-splines"):
        r_LMMsolve("y ~ block", spline="~ spl1D(x, nseg = 10)", data=d)
    from asr_py.translate.checks import Untranslated

    np.testing.assert_allclose(gi["C"], plain["C"], rtol=1e-6)
    assert isinstance(plain["ED"], Untranslated) and "$ED" in plain["ED"].what
    with pytest.raises(AsrError, match=r"\$ED"):
        np.asarray(plain["ED"])
    assert "effective dimensions" in plain.describe().what
    with pytest.raises(AsrError, match="no such component"):
        plain["nonsense"]


def test_translated_lmmsolve_accessors() -> None:
    d = _rcbd()
    code = """
library(LMMsolver)
obj <- LMMsolve(fixed = y ~ block, random = ~ gen, data = d)
l <- obj$logL
cf <- coef(obj)
cs <- coef(obj, se = TRUE)
ll <- logLik(obj)
f <- fitted(obj)
dv <- deviance(obj)
"""
    ns = run_r(code, complete=True, d=d)
    ref = _dense_reml(d, False)
    assert ns["l"] == pytest.approx(ref["logL"], abs=1e-5)
    assert ns["ll"] == pytest.approx(ref["logL"] - 16.5 * np.log(2 * np.pi), abs=1e-5)
    np.testing.assert_allclose(ns["cf"]["gen"], ref["u"], atol=1e-4)
    assert isinstance(ns["cs"]["gen"], pd.DataFrame)
    assert ns["dv"] == pytest.approx(float(np.sum((d["y"] - ns["f"]) ** 2)))


@pytest.mark.parametrize("hetero", [False, True])
def test_lmmsolve_mme_matrix_and_predict(hetero: bool) -> None:
    from asr_py.translate.rlmmsolver import r_LMMsolve

    d = _rcbd()
    obj = r_LMMsolve("y ~ block", random="~ gen", data=d,
                     residual="~ env" if hetero else None)
    C = obj["C"]
    assert C.shape == (3 + 6, 3 + 6)
    # C^-1 is the covariance of the BLUEs and prediction errors of the BLUPs: its diagonal
    # gives the standard errors the asreml fit reports (computed there by its own solver)
    se = np.sqrt(np.diag(np.linalg.inv(C)))
    m = obj.fit
    np.testing.assert_allclose(se[:3], m.coef_fixed["std.error"], rtol=1e-5)
    np.testing.assert_allclose(se[3:], m.coef_random["std.error"], rtol=1e-5)
    # and solving C gives the estimates (U'R^-1 y on the right-hand side)
    ref = _dense_reml(d, hetero)
    X, zs = obj._designs(d)
    U = np.hstack([X, zs[0][0]])
    sol = np.linalg.solve(C, U.T @ (obj["rweights"] * d["y"].to_numpy()))
    np.testing.assert_allclose(sol[3:], ref["u"], atol=1e-4)
    # predict(newdata): X b + Z u at those rows
    nd = pd.DataFrame({"block": ["1", "3"], "gen": ["g1", "g4"]})
    p = obj.predict(nd)
    b, u = obj.coef()["block"], obj.coef()["gen"]
    expect = [obj.coef()["(Intercept)"].iloc[0] + b["block_1"] + u["gen_g1"],
              obj.coef()["(Intercept)"].iloc[0] + b["block_3"] + u["gen_g4"]]
    np.testing.assert_allclose(p, expect, atol=1e-10)
    np.testing.assert_allclose(obj.predict(d), obj["yhat"], atol=1e-6)


def test_svd_parts_indexed_as_scripts_do() -> None:
    # Finlay-Wilkinson by SVD (a corpus script): svd(Y)$u[, 1] * svd(Y)$d[1]
    Y = np.array([[1.0, 2.0, 3.0], [2.0, 4.1, 6.2], [0.5, 1.0, 1.4]])
    ns = run_r("s1 <- svd(Y)$u[, 1] * svd(Y)$d[1]\nz1 <- svd(Y)$v[, 1]\n", complete=True, Y=Y)
    u, d, vt = np.linalg.svd(Y)
    np.testing.assert_allclose(np.abs(np.asarray(ns["s1"], dtype=float)), np.abs(u[:, 0] * d[0]))
    np.testing.assert_allclose(np.abs(np.asarray(ns["z1"], dtype=float)), np.abs(vt[0]))
