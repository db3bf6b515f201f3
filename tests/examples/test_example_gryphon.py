"""examples/gryphon_animal_model.py: estimates against lme4 (recorded), breeding values and PEV
against dense mixed model equations built here from a tabular-method A (numpy only)."""

import numpy as np
import pytest

# shared/reference/g_gryphon_animal.json, lme4::lmer fit (vm(ANIMAL, A), MOTHER, units)
LME4_VARCOMP = [2.69600235858844, 1.07934243225768, 2.26078716163526]
LME4_SE_AI = [0.583701720030641, 0.267016124161901, 0.447879629621097]


@pytest.fixture(scope="module")
def run(tmp_path_factory, load_example):
    out = tmp_path_factory.mktemp("gryphon")
    return load_example("gryphon_animal_model").main(out), out


def _tabular_a(ped):
    """A by the tabular method (parents ordered before offspring), numpy only."""
    ids = list(ped["id"])
    sire = {i: s for i, s in zip(ped["id"], ped["sire"]) if s}
    dam = {i: d for i, d in zip(ped["id"], ped["dam"]) if d}
    order, seen = [], set()

    def visit(i):
        if i in seen:
            return
        for par in (sire.get(i), dam.get(i)):
            if par is not None:
                visit(par)
        seen.add(i)
        order.append(i)

    for i in ids:
        visit(i)
    pos = {i: k for k, i in enumerate(order)}
    n = len(order)
    A = np.zeros((n, n))
    for k, i in enumerate(order):
        s, d = pos.get(sire.get(i)), pos.get(dam.get(i))
        row = np.zeros(k)
        if s is not None:
            row += 0.5 * A[s, :k]
        if d is not None:
            row += 0.5 * A[d, :k]
        A[k, :k] = row
        A[:k, k] = row
        A[k, k] = 1.0 + (0.5 * A[s, d] if s is not None and d is not None else 0.0)
    return A, order


def test_estimates_match_lme4(run):
    res, out = run
    m = res["fit"]
    assert m.converged
    vc = m.varcomp.loc[list(m.result.names)]     # formula order (varcomp: asreml's order)
    np.testing.assert_allclose(vc["component"], LME4_VARCOMP, rtol=2e-5)
    np.testing.assert_allclose(vc["std.error"], LME4_SE_AI, rtol=2e-3)
    v = np.array(LME4_VARCOMP)
    np.testing.assert_allclose(res["ratios"].loc["h2", "Estimate"], v[0] / v.sum(), rtol=2e-5)
    np.testing.assert_allclose(res["ratios"].loc["m2", "Estimate"], v[1] / v.sum(), rtol=2e-5)
    # delta-method SE of h2 from the AI inverse, recomputed here
    th = m.varcomp.loc[list(m.result.names), "component"].to_numpy()
    g = np.array([th[1] + th[2], -th[0], -th[0]]) / th.sum() ** 2
    assert res["ratios"].loc["h2", "SE"] == pytest.approx(
        np.sqrt(g @ m.result.vcov_theta @ g), rel=1e-8)
    assert (out / "gryphon_animal_model.png").stat().st_size > 1000


def test_breeding_values_and_pev_match_dense_mme(run):
    res, _ = run
    m, df, ped, bv = res["fit"], res["data"], res["pedigree"], res["bv"]
    A, order = _tabular_a(ped)
    d = df[df["BWT"].notna()]
    y = d["BWT"].to_numpy()
    X = np.column_stack([np.ones(len(d)), (d["SEX"] == "2").to_numpy(float)])
    pos = {i: k for k, i in enumerate(order)}
    Za = np.zeros((len(d), len(order)))
    Za[np.arange(len(d)), [pos[i] for i in d["ANIMAL"]]] = 1.0
    mothers = sorted(df["MOTHER"].dropna().unique())
    mpos = {i: k for k, i in enumerate(mothers)}
    Zm = np.zeros((len(d), len(mothers)))
    Zm[np.arange(len(d)), [mpos[i] for i in d["MOTHER"]]] = 1.0
    s2a, s2m, s2e = m.varcomp.loc[list(m.result.names), "component"].to_numpy()
    W = np.hstack([X, Za, Zm])
    Ginv = np.zeros((W.shape[1], W.shape[1]))
    na = len(order)
    Ginv[2:2 + na, 2:2 + na] = np.linalg.inv(A) / s2a
    Ginv[2 + na:, 2 + na:] = np.eye(len(mothers)) / s2m
    C = W.T @ W / s2e + Ginv
    Cinv = np.linalg.inv(C)
    sol = Cinv @ (W.T @ y / s2e)
    np.testing.assert_allclose(m.coef_fixed["solution"], sol[:2], rtol=1e-8)
    ebv = bv["EBV"].reindex(order).to_numpy()
    pev = bv["PEV"].reindex(order).to_numpy()
    np.testing.assert_allclose(ebv, sol[2:2 + na], atol=1e-8)
    np.testing.assert_allclose(pev, np.diag(Cinv)[2:2 + na], rtol=1e-8)
    acc = bv["accuracy"].reindex(order).to_numpy()
    rel = pev / (np.diag(A) * s2a)
    assert rel.max() < 1 + 1e-9  # PEV <= Var(a_i) = (1 + F_i) sigma2_A, up to round-off
    np.testing.assert_allclose(acc, np.sqrt(np.clip(1 - rel, 0, None)), rtol=1e-8, atol=1e-6)
    # records add information: animals with a birth weight are predicted more accurately
    assert bv.loc[bv["phenotyped"], "accuracy"].mean() > bv.loc[
        ~bv["phenotyped"], "accuracy"].mean() + 0.1
