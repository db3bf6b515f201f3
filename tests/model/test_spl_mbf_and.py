"""spl(), mbf() and and(): designs checked against independent constructions.

* spl: Green & Silverman's Q, R against scipy's natural CubicSpline (second derivatives,
  roughness integral); the BLUP with fixed variances against
  scipy.interpolate.make_smoothing_spline (which minimises Σ w_i (y_i − f(x_i))² + λ∫f''²)
  at λ = σ²_e/σ²_s, and, for knots off the data, against a penalised regression spline built
  from CubicSpline bases and a quadrature penalty.
* mbf: Z against the covariate rows looked up by hand; the fit against grp() and G-BLUP.
* and: Z against a hand-built overlay; the fit against grp() on hand-made parent columns.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.interpolate import CubicSpline, make_smoothing_spline

import asr_py as asr
from asr_py.model.splines import (
    interpolation_matrices,
    penalty_matrices,
    spline_design,
    spline_knots,
)
from asr_py.vcov import to_dense

# ---------------------------------------------------------------------------------------------
# spl
# ---------------------------------------------------------------------------------------------

KNOTS = np.array([0.0, 0.7, 1.5, 3.0, 3.2, 5.0])


def _second_derivs(t: np.ndarray, g: np.ndarray) -> np.ndarray:
    return CubicSpline(t, g, bc_type="natural")(t, 2)


def test_penalty_matrices_give_natural_spline_second_derivatives_and_roughness() -> None:
    rng = np.random.default_rng(1)
    g = rng.normal(size=KNOTS.size)
    Q, R = penalty_matrices(KNOTS)
    gamma = np.linalg.solve(R, Q.T @ g)
    cs2 = _second_derivs(KNOTS, g)
    np.testing.assert_allclose(gamma, cs2[1:-1], atol=1e-12)
    assert abs(cs2[0]) < 1e-12 and abs(cs2[-1]) < 1e-12
    # g'' is piecewise linear: ∫ over [t_i, t_i+1] = h (a² + ab + b²) / 3
    a, b, h = cs2[:-1], cs2[1:], np.diff(KNOTS)
    rough = float(np.sum(h * (a * a + a * b + b * b) / 3))
    assert g @ Q @ np.linalg.solve(R, Q.T @ g) == pytest.approx(rough, rel=1e-12)
    # linear functions have no roughness: Q'[1, t] = 0
    np.testing.assert_allclose(Q.T @ np.column_stack([np.ones(KNOTS.size), KNOTS]), 0,
                               atol=1e-12)


def test_interpolation_between_knots_matches_cubic_spline() -> None:
    rng = np.random.default_rng(2)
    g = rng.normal(size=KNOTS.size)
    x = np.concatenate([KNOTS, rng.uniform(0, 5, 30)])
    A, C = interpolation_matrices(x, KNOTS)
    Q, R = penalty_matrices(KNOTS)
    val = A @ g + C @ np.linalg.solve(R, Q.T @ g)
    np.testing.assert_allclose(val, CubicSpline(KNOTS, g, bc_type="natural")(x), atol=1e-12)
    # at the knots N is the incidence matrix
    np.testing.assert_allclose(A[: KNOTS.size].toarray(), np.eye(KNOTS.size))
    assert C[: KNOTS.size].nnz == 0


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.05, 3.0), min_size=2, max_size=9), st.integers(0, 2**31 - 1))
def test_spline_design_reproduces_natural_splines_for_any_knots(gaps, seed) -> None:
    # any natural cubic spline g with these knots is X_s β + Q(Q'Q)⁻¹δ, δ = Q'g, and the
    # design Z_s = A Q(Q'Q)⁻¹ + C R⁻¹ evaluates its non-linear part anywhere in the range
    t = np.concatenate([[0.0], np.cumsum(gaps)])
    rng = np.random.default_rng(seed)
    g = rng.normal(size=t.size)
    x = rng.uniform(0, t[-1], 15)
    Q, _ = penalty_matrices(t)
    Z, _ = spline_design(x, t, standardise=False)
    Xs = np.column_stack([np.ones(t.size), t])
    beta = np.linalg.lstsq(Xs, g - Q @ np.linalg.solve(Q.T @ Q, Q.T @ g), rcond=None)[0]
    val = beta[0] + beta[1] * x + Z @ (Q.T @ g)
    np.testing.assert_allclose(val, CubicSpline(t, g, bc_type="natural")(x), atol=1e-8)


def test_spline_design_at_knots_is_incidence_times_Q_QtQ_inverse() -> None:
    x = np.array([1.5, 0.0, 5.0, 1.5, 3.2, 0.7, 3.0])
    Z, R = spline_design(x, KNOTS, standardise=False)
    Q, R2 = penalty_matrices(KNOTS)
    N = (x[:, None] == KNOTS[None, :]).astype(float)
    np.testing.assert_allclose(Z, N @ Q @ np.linalg.inv(Q.T @ Q), atol=1e-12)
    np.testing.assert_allclose(R, R2)
    # asreml's standardised scale: x, t divided by c = (t_r − t_1)/9 gives Z/c and R/c
    c = (KNOTS[-1] - KNOTS[0]) / 9
    Zs, Rs = spline_design(x, KNOTS)
    np.testing.assert_allclose(Zs, Z / c, atol=1e-12)
    np.testing.assert_allclose(Rs, R / c, rtol=1e-12)


def test_default_knots_unique_values_then_fifty_equally_spaced() -> None:
    x = np.array([3.0, 1.0, 2.0, 1.0, 5.0])
    np.testing.assert_array_equal(spline_knots(x), [1, 2, 3, 5])
    np.testing.assert_allclose(spline_knots(x, 5), [1, 2, 3, 4, 5])
    big = np.linspace(0, 1, 80) ** 2
    np.testing.assert_allclose(spline_knots(big), np.linspace(0, 1, 50))


def _fixed_params(fit_sv: pd.DataFrame, values: dict[str, float]) -> pd.DataFrame:
    t = fit_sv.copy()
    for k, v in values.items():
        t.loc[t["Component"] == k, "Value"] = v
    t["Constraint"] = "F"
    return t


def _blup_fitted(df: pd.DataFrame, random: str, s2s: float, s2e: float,
                 knots: np.ndarray) -> np.ndarray:
    """Fitted values with the spline variance fixed at s2s on x's own scale: asreml's
    standardised component is c³·s2s, c = (t_r − t_1)/9 (splines.spline_scale)."""
    c = (knots[-1] - knots[0]) / 9
    sv = asr.asreml("y ~ x", random, data=df, start_values=True)
    params = _fixed_params(sv, {sv["Component"].iloc[0]: s2s * c**3, "units!R": s2e})
    fit = asr.asreml("y ~ x", random, data=df, params=params)
    return fit.result.fitted


def test_spl_blup_is_the_smoothing_spline_with_lambda_ratio() -> None:
    rng = np.random.default_rng(0)
    x = np.sort(rng.uniform(0, 10, 25))
    y = np.sin(x) + rng.normal(0, 0.3, x.size)
    df = pd.DataFrame({"x": x, "y": y}).sample(frac=1.0, random_state=4)  # order irrelevant
    s2s, s2e = 2.0, 0.5
    fitted = _blup_fitted(df, "~ spl(x)", s2s, s2e, x)
    ref = make_smoothing_spline(x, y, lam=s2e / s2s)
    np.testing.assert_allclose(fitted, ref(df["x"].to_numpy()), atol=1e-8)


def test_spl_with_replicates_is_the_weighted_smoothing_spline() -> None:
    rng = np.random.default_rng(5)
    xs = np.array([0.0, 0.5, 1.2, 2.0, 2.4, 3.1, 4.0, 4.5])
    reps = np.array([1, 3, 2, 1, 4, 2, 1, 2])
    x = np.repeat(xs, reps)
    y = np.cos(x) + rng.normal(0, 0.2, x.size)
    df = pd.DataFrame({"x": x, "y": y})
    s2s, s2e = 0.7, 0.3
    fitted = _blup_fitted(df, "~ spl(x)", s2s, s2e, xs)
    # Σ (y_ij − f(x_j))² = Σ_j n_j (ȳ_j − f(x_j))² + const
    means = df.groupby("x")["y"].mean().to_numpy()
    ref = make_smoothing_spline(xs, means, w=reps.astype(float), lam=s2e / s2s)
    np.testing.assert_allclose(fitted, ref(x), atol=1e-8)


def test_spl_with_k_knots_is_the_penalised_regression_spline() -> None:
    rng = np.random.default_rng(6)
    x = rng.uniform(0, 3, 40)
    y = x**2 - np.sin(3 * x) + rng.normal(0, 0.2, x.size)
    df = pd.DataFrame({"x": x, "y": y})
    s2s, s2e = 1.3, 0.4
    fitted = _blup_fitted(df, "~ spl(x, 7)", s2s, s2e, np.array([x.min(), x.max()]))
    # independent: natural cubic spline basis B_j (value 1 at knot j, 0 at the others) from
    # scipy; penalty Ω_jk = ∫ B_j'' B_k'' by 3-point Gauss-Legendre per interval (exact here)
    t = np.linspace(x.min(), x.max(), 7)
    basis = [CubicSpline(t, np.eye(7)[j], bc_type="natural") for j in range(7)]
    B = np.column_stack([b(x) for b in basis])
    nodes, weights = np.polynomial.legendre.leggauss(3)
    Om = np.zeros((7, 7))
    for lo, hi in zip(t[:-1], t[1:]):
        u = (hi - lo) / 2 * nodes + (hi + lo) / 2
        D = np.column_stack([b(u, 2) for b in basis])
        Om += D.T @ (D * ((hi - lo) / 2 * weights)[:, None])
    g = np.linalg.solve(B.T @ B + s2e / s2s * Om, B.T @ y)
    np.testing.assert_allclose(fitted, B @ g, atol=1e-8)


def test_spl_reml_invariant_to_rescaling_x() -> None:
    # x -> c x: on x's own scale Z_s -> c Z_s, R -> c R, so σ²_s -> σ²_s / c³, but asreml's
    # standardised scale (x/((t_r − t_1)/9)) is the same for both: σ²_s and σ²_e unchanged;
    # the REML log-likelihood moves by -log c only through log|X'V⁻¹X| (X's x column × c)
    rng = np.random.default_rng(3)
    x = np.repeat(np.linspace(0, 6, 15), 2)
    y = np.cos(x) + rng.normal(0, 0.3, x.size)
    df = pd.DataFrame({"x": x, "y": y})
    f1 = asr.asreml("y ~ x", "~ spl(x)", data=df)
    f2 = asr.asreml("y ~ x", "~ spl(x)", data=df.assign(x=10 * x))
    assert f1.converged and f2.converged
    c1, c2 = f1.varcomp["component"], f2.varcomp["component"]
    assert c2.iloc[0] == pytest.approx(c1.iloc[0], rel=1e-4)
    assert c2.iloc[1] == pytest.approx(c1.iloc[1], rel=1e-4)
    assert f1.loglik - f2.loglik == pytest.approx(np.log(10), abs=1e-6)


def test_spl_compiled_sizes_and_names() -> None:
    x = np.linspace(0, 1, 80) ** 2
    df = pd.DataFrame({"x": x, "y": np.sin(4 * x)})
    m = asr.compile_model("y ~ x", "~ spl(x) + spl(x, 6) + spl(x, k = 5)", data=df)
    assert [r.Z.shape for r in m.random] == [(80, 48), (80, 4), (80, 3)]
    assert m.param_names == ["spl(x)", "spl(x, 6)", "spl(x, k = 5)", "units!R"]
    R = to_dense(m.random[1].template.matrix(np.array([2.0])))
    # the penalty of the standardised knots t/c, c = (1 − 0)/9: R(t)/c
    np.testing.assert_allclose(R, 2.0 * penalty_matrices(np.linspace(0, 1, 6))[1] * 9)


@pytest.mark.parametrize("fixed, random, msg", [
    ("y ~ spl(x)", None, "spl\\(\\) is a random term"),
    ("y ~ x", "~ spl(x, 2)", "too few"),
    ("y ~ x", "~ spl(x, 2.5)", "whole number"),
    ("y ~ x", "~ spl(z)", "at least 3 distinct"),
    ("y ~ x", "~ spl(x, init = 1)", "init= is not supported"),
])
def test_spl_errors(fixed: str, random: str | None, msg: str) -> None:
    df = pd.DataFrame({"x": [0.0, 1, 2, 3, 4], "z": [1.0, 1, 2, 2, 1], "y": [1.0, 3, 2, 5, 4]})
    with pytest.raises(asr.FormulaError, match=msg) as e:
        asr.compile_model(fixed, random, data=df)
    assert "^" in str(e.value)


# ---------------------------------------------------------------------------------------------
# mbf
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def markers():
    rng = np.random.default_rng(11)
    n_lines, m = 30, 40
    W = rng.integers(0, 3, size=(n_lines, m)).astype(float) - 1.0
    ids = [f"G{i:02d}" for i in range(n_lines)]
    cols = [f"m{j}" for j in range(m)]
    a = rng.normal(scale=0.2, size=m)
    # 2 records per line, data in a different order from M
    rec = rng.permutation(np.repeat(np.arange(n_lines), 2))
    y = 5 + W[rec] @ a + rng.normal(size=rec.size)
    df = pd.DataFrame({"geno": [ids[i] for i in rec], "y": y})
    M = pd.DataFrame(W, columns=cols).assign(line=ids).sample(frac=1.0, random_state=2)
    return df, M, W, ids, cols, rec


def test_mbf_z_is_covariate_rows_by_key(markers) -> None:
    df, M, W, ids, cols, rec = markers
    spec = {"mk": {"key": ("geno", "line"), "cov": "M"}}
    before = M.copy()
    m = asr.compile_model("y ~ 1", "~ mbf(mk)", data=df, mbf=spec, M=M)
    np.testing.assert_array_equal(m.random[0].Z.toarray(), W[rec])
    assert m.random[0].levels == cols
    assert m.param_names == ["mbf(mk)", "units!R"]
    pd.testing.assert_frame_equal(M, before)  # user input untouched


def test_mbf_fit_equals_grp_and_gblup(markers) -> None:
    df, M, W, ids, cols, rec = markers
    wide = pd.concat([df, pd.DataFrame(W[rec], columns=cols)], axis=1)
    mb = asr.asreml("y ~ 1", "~ mbf(mk)", data=df,
                    mbf={"mk": {"key": ("geno", "line"), "cov": "M"}}, M=M)
    gr = asr.asreml("y ~ 1", "~ grp(mk)", data=wide, group={"mk": cols})
    G = pd.DataFrame(W @ W.T / len(cols), index=ids, columns=ids)
    gb = asr.asreml("y ~ 1", "~ vm(geno, G)", data=df, G=G)
    assert mb.converged and gr.converged and gb.converged
    assert mb.loglik == pytest.approx(gr.loglik, abs=1e-8)
    assert mb.loglik == pytest.approx(gb.loglik, abs=1e-6)
    s2b = mb.varcomp["component"].iloc[0]
    assert gb.varcomp["component"].iloc[0] == pytest.approx(len(cols) * s2b, rel=1e-4)


def test_mbf_key_as_one_name_and_index(markers) -> None:
    df, M, W, ids, cols, rec = markers
    d2 = df.rename(columns={"geno": "line"})
    m1 = asr.compile_model("y ~ 1", "~ mbf(mk)", data=d2, mbf={"mk": {"key": "line",
                                                                      "cov": "M"}}, M=M)
    m2 = asr.compile_model("y ~ 1", "~ mbf(mk)", data=d2,
                           mbf={"mk": {"key": "line", "cov": M.set_index("line")}})
    np.testing.assert_array_equal(m1.random[0].Z.toarray(), W[rec])
    np.testing.assert_array_equal(m2.random[0].Z.toarray(), W[rec])


def test_mbf_errors(markers) -> None:
    df, M, W, ids, cols, rec = markers
    spec = {"mk": {"key": ("geno", "line"), "cov": "M"}}
    bad = df.copy()
    bad.loc[3, "geno"] = "NOPE"
    with pytest.raises(asr.MatrixError, match="NOPE") as e:
        asr.compile_model("y ~ 1", "~ mbf(mk)", data=bad, mbf=spec, M=M)
    assert "have no row" in str(e.value) and "hint" in str(e.value)
    with pytest.raises(asr.FormulaError, match="mbf entry 'mk' is not defined"):
        asr.compile_model("y ~ 1", "~ mbf(mk)", data=df, M=M)
    with pytest.raises(asr.FormulaError, match="'M2' is not given"):
        asr.compile_model("y ~ 1", "~ mbf(mk)", data=df,
                          mbf={"mk": {"key": ("geno", "line"), "cov": "M2"}}, M=M)
    with pytest.raises(asr.MatrixError, match="more than once"):
        asr.compile_model("y ~ 1", "~ mbf(mk)", data=df, mbf=spec,
                          M=pd.concat([M, M.iloc[:1]]))
    with pytest.raises(asr.MatrixError, match="no key column 'id'"):
        asr.compile_model("y ~ 1", "~ mbf(mk)", data=df,
                          mbf={"mk": {"key": ("geno", "id"), "cov": "M"}}, M=M)


# ---------------------------------------------------------------------------------------------
# and
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def parents() -> pd.DataFrame:
    return pd.DataFrame({
        "y": [10.0, 12.0, 9.0, 14.0, 11.0, 13.0, 8.0, 12.5],
        "mother": ["A", "B", "A", "C", "B", "C", "A", "B"],
        "father": ["D", "E", "D", "A", "E", "D", "B", "F"],
    })


def _overlay_z(df: pd.DataFrame, levels: list[str], times: float) -> np.ndarray:
    Z = np.zeros((len(df), len(levels)))
    for i, (mo, fa) in enumerate(zip(df["mother"], df["father"])):
        Z[i, levels.index(mo)] += 1.0
        Z[i, levels.index(fa)] += times
    return Z


@pytest.mark.parametrize("random, times", [("~ mother + and(father)", 1.0),
                                           ("~ mother + and(father, times = 0.5)", 0.5),
                                           ("~ mother + and(father, -1)", -1.0)])
def test_and_overlays_on_union_of_levels(parents, random, times) -> None:
    m = asr.compile_model("y ~ 1", random, data=parents)
    assert len(m.random) == 1
    r = m.random[0]
    assert r.levels == ["A", "B", "C", "D", "E", "F"]
    np.testing.assert_allclose(r.Z.toarray(), _overlay_z(parents, r.levels, times))
    assert m.param_names == ["mother", "units!R"]
    assert r.template.n == 6


def test_and_follows_written_order_not_expansion_order(parents) -> None:
    d = parents.assign(blk=["1", "2"] * 4)
    m = asr.compile_model("y ~ 1", "~ blk:mother + mother + and(father)", data=d)
    assert [r.label for r in m.random] == ["mother", "blk:mother"]
    np.testing.assert_allclose(m.random[0].Z.toarray(),
                               _overlay_z(parents, m.random[0].levels, 1.0))


def test_and_on_diag_extends_parameters_and_on_known_matrix_keeps_ids(parents) -> None:
    m = asr.compile_model("y ~ 1", "~ diag(mother) + and(father)", data=parents)
    assert m.random[0].template.n_params == 6
    ids = ["F", "E", "D", "C", "B", "A", "X"]
    K = pd.DataFrame(np.eye(7) + 0.1, index=ids, columns=ids)
    mk = asr.compile_model("y ~ 1", "~ vm(mother, K) + and(father)", data=parents, K=K)
    r = mk.random[0]
    assert r.levels == ids
    np.testing.assert_allclose(r.Z.toarray(), _overlay_z(parents, ids, 1.0))
    np.testing.assert_allclose(to_dense(r.template.matrix(np.array([2.0]))), 2 * K.to_numpy())


def test_and_fit_equals_grp_on_hand_built_columns(parents) -> None:
    levels = ["A", "B", "C", "D", "E", "F"]
    Z = _overlay_z(parents, levels, 0.5)
    wide = pd.concat([parents, pd.DataFrame(Z, columns=[f"p{lv}" for lv in levels])], axis=1)
    fa = asr.asreml("y ~ 1", "~ mother + and(father, 0.5)", data=parents)
    fg = asr.asreml("y ~ 1", "~ grp(par)", data=wide, group={"par": [f"p{lv}" for lv in levels]})
    assert fa.loglik == pytest.approx(fg.loglik, abs=1e-8)
    np.testing.assert_allclose(fa.varcomp["component"], fg.varcomp["component"], rtol=1e-5)


@pytest.mark.parametrize("random, msg", [
    ("~ and(father) + mother", "no previous term"),
    ("~ us(mother) + and(father)", "cannot overlay"),
    ("~ mother:father + and(father)", "needs a term of 2 parts"),
    ("~ mother + and(y)", "plain factor"),
    ("~ mother + and(father, times = q)", "'q' is not given"),
])
def test_and_errors(parents, random, msg) -> None:
    with pytest.raises(asr.FormulaError, match=msg) as e:
        asr.compile_model("y ~ 1", random, data=parents)
    assert "^" in str(e.value)


def test_and_level_missing_from_known_matrix(parents) -> None:
    ids = ["A", "B", "C", "D", "E"]
    K = pd.DataFrame(np.eye(5), index=ids, columns=ids)
    with pytest.raises(asr.FormulaError, match="not ids of the matrix.*F"):
        asr.compile_model("y ~ 1", "~ vm(mother, K) + and(father)", data=parents, K=K)


def test_spl_variance_on_asremls_standardised_scale_orange_tree_1() -> None:
    # ASReml 3 User Guide, orange example (tree 1 of R's datasets::Orange, knots = the 7 ages;
    # htmlhelp/asreml/xoranges.htm): "spl(x,7) IDV_V 0.789210E-01 3.96756", "Residual
    # 50.2726", LogL −20.8996 (asreml leaves out −½(n − p)·log 2π). Its last iterations still
    # moved the ratio by ~1 % (0.0780 → 0.0789), so agreement is asked to 1 %; on x's own
    # scale σ²_s would be 3.97/c³ = 9.2e-7 (c = 1464/9), far from it.
    df = pd.DataFrame({"age": [118, 484, 664, 1004, 1231, 1372, 1582],
                       "circ": [30, 58, 87, 115, 120, 142, 145]})
    fit = asr.asreml("circ ~ age", random="~ spl(age)", data=df)
    comp = fit.varcomp["component"]
    assert comp["spl(age)"] == pytest.approx(3.96756, rel=0.01)
    assert comp["units!R"] == pytest.approx(50.2726, rel=0.01)
    assert fit.loglik + 0.5 * 5 * np.log(2 * np.pi) == pytest.approx(-20.8996, abs=1e-3)
