"""predict() against an independent dense computation (tests/results/_dense_mme.py).

For each case the fit's variance parameters are taken from asr_py, the mixed model
equations are rebuilt densely from the data frame with an over-parameterised design and
a generalised inverse, and each prediction is formed as L·[β; u] with L the weighted
average of cell rows given by the asreml rules (asreml manual, "Prediction process": the
averaging set is the fixed-term variables not in classify, plus those named by average/
present; the terms used are those whose variables all lie in the classify and averaging
sets; simple covariates at their overall mean - the mean over the data rows of the fit,
those with a missing response included, as asreml 3 prints agridat's ilri.sheep year means,
tests/compat/test_compat_printed_outputs_2.py). Values, standard errors sqrt(diag L C⁻ L'),
SEDs, V and estimability are compared.
Data: simulated at user scales (yields near 5000 kg/ha, SDs in the hundreds), unbalanced.
"""

from __future__ import annotations

import copy
import itertools

import numpy as np
import pandas as pd
import pytest
from _dense_mme import DenseMME, Design, average_rows, equal, sed_of

import asr_py as asr
from asr_py.errors import AsrError

A = ["a0", "a1", "a2", "a3"]
B = ["b0", "b1", "b2"]
BLK = [f"B{k}" for k in range(6)]


def _factorial(seed: int = 11, empty: bool = True) -> pd.DataFrame:
    """A x B x blocks, unbalanced (random dropouts), (a3, b2) empty when ``empty``, a
    covariate x, a few missing responses."""
    rng = np.random.default_rng(seed)
    rows = [(a, b, k) for k in BLK for a in A for b in B
            if not (empty and (a, b) == ("a3", "b2")) and rng.random() > 0.2]
    d = pd.DataFrame(rows, columns=["A", "B", "Blk"])
    d["x"] = rng.normal(120, 15, len(d)).round(1)
    eff_a = dict(zip(A, [0, 300, -200, 150]))
    eff_b = dict(zip(B, [0, 100, -50]))
    eff_k = dict(zip(BLK, rng.normal(0, 300, len(BLK))))
    d["y"] = (5000 + d.A.map(eff_a) + d.B.map(eff_b) + 12 * (d.x - 120) + d.Blk.map(eff_k)
              + rng.normal(0, 400, len(d))).round(0)
    d.loc[rng.choice(len(d), 3, replace=False), "y"] = np.nan
    d["w"] = rng.uniform(0.5, 2.0, len(d)).round(2)
    return d


def _dense(d: pd.DataFrame, fixed: list[tuple], random: list[tuple], sig: list[float],
           s2e: float, weights: str | None = None) -> tuple[DenseMME, Design, Design]:
    d = d.dropna(subset=["y"]).reset_index(drop=True)
    lev = {f: sorted(d[f].astype(str).unique()) for f in ("A", "B", "Blk") if f in d}
    lev = {f: [x for x in order if x in lev[f]] for f, order in
           (("A", A), ("B", B), ("Blk", BLK)) if f in lev}
    fx = Design(fixed, lev)
    rz = Design(random, lev)
    G = np.diag(np.concatenate([np.full(b - a, s) for (a, b), s in zip(rz.blocks(), sig)]))
    w = d[weights].to_numpy(float) if weights else np.ones(len(d))
    return (DenseMME(fx.rows(d), rz.rows(d), G, np.diag(s2e / w), d["y"].to_numpy(float)),
            fx, rz)


def _check(tab: pd.DataFrame, mme: DenseMME, L: np.ndarray, *, sed: bool = False,
           rtol: float = 1e-6) -> None:
    """tab (asr_py's rows, in the order of L's rows) against the dense L."""
    est = mme.estimable(L)
    pv, V = mme.predict(np.where(np.isfinite(L), L, 0.0))
    assert list(tab["status"]) == ["Estimable" if e else "Aliased" for e in est]
    got = tab["predicted.value"].to_numpy(float)
    se = tab["std.error"].to_numpy(float)
    scale = np.nanmax(np.abs(pv[est])) if est.any() else 1.0
    np.testing.assert_allclose(got[est], pv[est], rtol=0, atol=rtol * scale)
    np.testing.assert_allclose(se[est], np.sqrt(np.diag(V))[est], rtol=rtol)
    assert np.isnan(got[~est]).all() and np.isnan(se[~est]).all()
    if sed:
        S = tab.attrs["sed"].to_numpy(float)
        ok = np.outer(est, est)
        np.testing.assert_allclose(S[ok], sed_of(V)[ok], rtol=rtol, atol=1e-9 * scale)
        assert np.isnan(S[~ok]).all()
        Vg = tab.attrs["vcov"].to_numpy(float)
        np.testing.assert_allclose(Vg[ok], V[ok], rtol=rtol, atol=1e-9 * np.abs(V).max())
        iu = np.triu_indices(len(est), 1)
        pairs = sed_of(V)[iu][ok[iu]]
        want = [pairs.min(), pairs.mean(), pairs.max()] if pairs.size else [np.nan] * 3
        np.testing.assert_allclose(tab.attrs["avsed"].to_numpy(float), want, rtol=rtol)


def _L(fx: Design, rz: Design, rows: list[tuple[dict, dict]], xbar: dict | None = None,
       rand_avg: list[dict | None] | None = None, zero_fixed: list[int] = (),
       keep=None) -> np.ndarray:
    """One L row per (classify cell, averaged factors' weights); random part averaged the
    same way over the factors of ``rand_avg[i]`` (None: random part zero)."""
    out = []
    for i, (cls, avg) in enumerate(rows):
        lf = average_rows(fx, cls, avg, xbar, keep)
        for j in zero_fixed:
            a, b = fx.blocks()[j]
            lf[a:b] = 0.0
        ra = rand_avg[i] if rand_avg else None
        lr = (np.zeros(rz.ncol) if ra is None else average_rows(rz, cls, ra, None, keep))
        out.append(np.concatenate([lf, lr]))
    return np.array(out)


@pytest.fixture(scope="module")
def fac():
    d = _factorial()
    m = asr.asreml("y ~ A*B + x", random="~ Blk", data=d)
    s2b, s2e = m.result.theta
    mme, fx, rz = _dense(d, [(), ("A",), ("B",), ("x",), ("A", "B")], [("Blk",)], [s2b], s2e)
    xbar = {"x": float(d["x"].mean())}
    return d, m, mme, fx, rz, xbar


@pytest.fixture(scope="module")
def main_eff():
    d = _factorial(seed=4)
    m = asr.asreml("y ~ A + B + x", random="~ Blk", data=d)
    s2b, s2e = m.result.theta
    mme, fx, rz = _dense(d, [(), ("A",), ("B",), ("x",)], [("Blk",)], [s2b], s2e)
    xbar = {"x": float(d["x"].mean())}
    return d, m, mme, fx, rz, xbar


def test_fixed_factor_averaged_over_b_with_empty_cell(fac):
    d, m, mme, fx, rz, xbar = fac
    tab = m.predict("A", sed=True, vcov=True)
    L = _L(fx, rz, [({"A": a}, {"B": equal(B)}) for a in tab["A"]], xbar)
    _check(tab, mme, L, sed=True)
    assert tab.set_index("A").loc["a3", "status"] == "Aliased"   # averages the empty cell


def test_interaction_cells(fac):
    d, m, mme, fx, rz, xbar = fac
    tab = m.predict("A:B", sed=True, vcov=True)
    assert len(tab) == 12
    L = _L(fx, rz, [({"A": a, "B": b}, {}) for a, b in zip(tab["A"], tab["B"])], xbar)
    _check(tab, mme, L, sed=True)


def test_present_averages_only_cells_with_data(fac):
    d, m, mme, fx, rz, xbar = fac
    seen = set(zip(d.dropna(subset=["y"]).A, d.dropna(subset=["y"]).B))
    tab = m.predict("A", present=["A", "B"], sed=True, vcov=True)
    L = _L(fx, rz, [({"A": a}, {"B": equal(B)}) for a in tab["A"]], xbar,
           keep=lambda c: (c["A"], c["B"]) in seen)
    _check(tab, mme, L, sed=True)
    assert (tab["status"] == "Estimable").all()


def test_average_weights(fac):
    d, m, mme, fx, rz, xbar = fac
    wb = {"b0": 0.5, "b1": 0.3, "b2": 0.2}
    tab = m.predict("A", average={"B": [0.5, 0.3, 0.2]})
    L = _L(fx, rz, [({"A": a}, {"B": wb}) for a in tab["A"]], xbar)
    _check(tab, mme, L)


def test_b_by_covariate_levels(fac):
    d, m, mme, fx, rz, xbar = fac
    tab = m.predict("B:x", levels={"x": [100.0, 140.5]})
    rows = [({"B": b, "x": x}, {"A": equal(A)}) for b, x in zip(tab["B"], tab["x"])]
    L = _L(fx, rz, rows)
    _check(tab, mme, L)
    assert sorted(set(tab["x"])) == [100.0, 140.5]


def test_intercept(main_eff):
    d, m, mme, fx, rz, xbar = main_eff
    tab = m.predict("(Intercept)")
    L = _L(fx, rz, [({}, {"A": equal(A), "B": equal(B)})], xbar)
    _check(tab, mme, L)


def test_random_factor_blups_plus_fixed(main_eff):
    d, m, mme, fx, rz, xbar = main_eff
    tab = m.predict("Blk", sed=True, vcov=True)
    avg = {"A": equal(A), "B": equal(B)}
    L = _L(fx, rz, [({"Blk": k}, avg) for k in tab["Blk"]], xbar, rand_avg=[{}] * len(tab))
    _check(tab, mme, L, sed=True)


def test_average_brings_random_factor_in(main_eff):
    d, m, mme, fx, rz, xbar = main_eff
    tab = m.predict("A", average="Blk")
    kept = sorted(d.dropna(subset=["y"]).Blk.unique())
    avg = {"B": equal(B), "Blk": equal(kept)}
    L = _L(fx, rz, [({"A": a}, avg) for a in tab["A"]], xbar, rand_avg=[avg] * len(tab))
    _check(tab, mme, L)


def test_ignore_covariate(main_eff):
    d, m, mme, fx, rz, xbar = main_eff
    tab = m.predict("A", ignore="x")
    L = _L(fx, rz, [({"A": a}, {"B": equal(B)}) for a in tab["A"]], xbar, zero_fixed=[3])
    _check(tab, mme, L)


def test_weights():
    d = _factorial(seed=8)
    m = asr.asreml("y ~ A + B", random="~ Blk", data=d, weights="w")
    s2b, s2e = m.result.theta
    mme, fx, rz = _dense(d, [(), ("A",), ("B",)], [("Blk",)], [s2b], s2e, weights="w")
    tab = m.predict("B", sed=True, vcov=True)
    L = _L(fx, rz, [({"B": b}, {"A": equal(A)}) for b in tab["B"]])
    _check(tab, mme, L, sed=True)


def test_nothing_the_user_passed_is_mutated(fac):
    d, m, *_ = fac
    before = d.copy(deep=True)
    levels = {"x": [100.0, 140.5]}
    average = {"B": [0.5, 0.3, 0.2]}
    present = ["A", "B"]
    snap = copy.deepcopy((levels, average, present))
    m.predict("A:x", levels=levels, average=average)
    m.predict("A", present=present)
    pd.testing.assert_frame_equal(d, before)
    assert (levels, average, present) == snap


@pytest.mark.parametrize("kw, msg", [
    ({"classify": "Q"}, "'Q' is not a factor or covariate"),
    ({"classify": "A:Q"}, "'Q' is not a factor or covariate"),
    ({"classify": "A", "present": ["Q"]}, "present names 'Q'"),
    ({"classify": "A", "average": "A"}, "average names 'A', which is in classify"),
    ({"classify": "A", "levels": {"A": ["zz"]}}, "'zz' not among the levels of 'A'"),
    ({"classify": "A", "ignore": "Q"}, "ignore names 'Q'"),
    ({"classify": "A:x", "levels": {"x": ["abc"]}}, "levels for the covariate 'x' are not num"),
    ({"classify": "A:x", "levels": {"x": [np.nan]}}, "must be finite numbers"),
    ({"classify": ""}, "classify is empty"),
    ({"classify": "A:A"}, "names A more than once"),
])
def test_bad_arguments_say_what_and_hint(fac, kw, msg):
    m = fac[1]
    with pytest.raises(AsrError) as e:
        m.predict(**kw)
    assert msg in str(e.value)
    assert e.value.hint


# ---- a multi-environment trial: genotypes random, environments fixed ---------------------
ENV = ["E1", "E2", "E3"]
GEN = [f"G{i:02d}" for i in range(12)]


def _met(seed: int = 3) -> pd.DataFrame:
    """12 genotypes in 3 environments, 2 reps, unbalanced (G11 absent from E3, random
    dropouts), yields near 6 t/ha in kg/ha."""
    rng = np.random.default_rng(seed)
    g = dict(zip(GEN, rng.normal(0, 350, len(GEN))))
    rows = []
    for e, mu in zip(ENV, [5200.0, 6100.0, 6900.0]):
        for r in ("R1", "R2"):
            for gen in GEN:
                if (gen == "G11" and e == "E3") or rng.random() < 0.12:
                    continue
                ge = rng.normal(0, 150 if e == "E1" else 450)
                rows.append((e, r, gen, mu + g[gen] + ge + rng.normal(0, 450)))
    d = pd.DataFrame(rows, columns=["Env", "Rep", "Gen", "y"])
    d["y"] = d["y"].round(0)
    return d


def _at(frame: pd.DataFrame) -> pd.DataFrame:
    """Adds at_E2 = 1 on E2 rows: at(Env, 'E2'):Gen is the covariate-by-factor term
    at_E2:Gen of the dense design."""
    env = frame["Env"] if "Env" in frame else pd.Series([None] * len(frame))
    return frame.assign(at_E2=(env == "E2").astype(float).to_numpy())


def _met_dense(d, terms, sig, s2e):
    lev = {"Env": ENV, "Gen": GEN}
    fx = Design([(), ("Env",)], lev)
    rz = Design(terms, lev)
    G = np.diag(np.concatenate([np.full(b - a, s) for (a, b), s in zip(rz.blocks(), sig)]))
    return (DenseMME(fx.rows(d), rz.rows(_at(d)), G, s2e * np.eye(len(d)),
                     d["y"].to_numpy(float)), fx, rz)


def _met_L(fx, rz, combos):
    """combos: (classify dict, averaged {factor: weights}); every random term whose
    factors are classify or averaged ones enters (cells without a factor: zero)."""
    out = []
    for cls, avg in combos:
        lf = average_rows(fx, cls, avg)
        cells = pd.DataFrame([{**cls, **dict(zip(avg, c))} for c in
                              itertools.product(*[list(v) for v in avg.values()])])
        w = np.array([np.prod([avg[f][c[f]] for f in avg]) for _, c in cells.iterrows()])
        for f in ("Env", "Gen"):
            if f not in cells:
                cells[f] = "none"
        lr = (w / w.sum()) @ rz.rows(_at(cells))
        out.append(np.concatenate([lf, lr]))
    return np.array(out)


@pytest.fixture(scope="module")
def met():
    d = _met(seed=9)
    m = asr.asreml("y ~ Env", random="~ Gen + Env:Gen", data=d)
    s2g, s2ge, s2e = m.result.theta
    mme, fx, rz = _met_dense(d, [("Gen",), ("Env", "Gen")], [s2g, s2ge], s2e)
    return d, m, mme, fx, rz


def test_met_genotype_blups_average_env_and_gxe(met):
    d, m, mme, fx, rz = met
    tab = m.predict("Gen", sed=True, vcov=True)
    L = _met_L(fx, rz, [({"Gen": g}, {"Env": equal(ENV)}) for g in tab["Gen"]])
    _check(tab, mme, L, sed=True)


def test_met_env_by_gen(met):
    d, m, mme, fx, rz = met
    tab = m.predict("Env:Gen", sed=True, vcov=True)
    L = _met_L(fx, rz, [({"Env": e, "Gen": g}, {}) for e, g in zip(tab["Env"], tab["Gen"])])
    _check(tab, mme, L, sed=True)


def test_met_env_means_leave_genotypes_out(met):
    d, m, mme, fx, rz = met
    tab = m.predict("Env")
    L = _met_L(fx, rz, [({"Env": e}, {}) for e in tab["Env"]])
    L[:, fx.ncol:] = 0.0            # Gen not in classify/averaging set: its terms ignored
    _check(tab, mme, L)


def test_met_present_env_gen(met):
    d, m, mme, fx, rz = met
    tab = m.predict("Gen", present=["Env", "Gen"])
    seen = set(zip(d.Env, d.Gen))
    combos = []
    for g in tab["Gen"]:
        envs = [e for e in ENV if (e, g) in seen]
        combos.append(({"Gen": g}, equal(envs)))
    L = _met_L(fx, rz, [(c, {"Env": w}) for c, w in combos])
    _check(tab, mme, L)


def test_met_ignore_gxe(met):
    d, m, mme, fx, rz = met
    tab = m.predict("Gen", ignore="Env:Gen")
    L = _met_L(fx, rz, [({"Gen": g}, {"Env": equal(ENV)}) for g in tab["Gen"]])
    a, b = rz.blocks()[1]
    L[:, fx.ncol + a:fx.ncol + b] = 0.0
    _check(tab, mme, L)


def test_at_level_random_term():
    d = _met(seed=9)
    m = asr.asreml("y ~ Env", random="~ Gen + at(Env, 'E2'):Gen", data=d)
    s2g, s2at, s2e = m.result.theta
    mme, fx, rz = _met_dense(d, [("Gen",), ("at_E2", "Gen")], [s2g, s2at], s2e)
    tab = m.predict("Env:Gen", sed=True, vcov=True)
    L = _met_L(fx, rz, [({"Env": e, "Gen": g}, {}) for e, g in zip(tab["Env"], tab["Gen"])])
    _check(tab, mme, L, sed=True)
    tab = m.predict("Gen")
    L = _met_L(fx, rz, [({"Gen": g}, {"Env": equal(ENV)}) for g in tab["Gen"]])
    _check(tab, mme, L)


def test_met_gxe_variance_at_its_boundary():
    d = _met(seed=3)       # Env:Gen's REML estimate is ~0 here
    m = asr.asreml("y ~ Env", random="~ Gen + Env:Gen", data=d)
    s2g, s2ge, s2e = m.result.theta
    assert s2ge < 1e-3 * s2e
    mme, fx, rz = _met_dense(d, [("Gen",), ("Env", "Gen")], [s2g, s2ge], s2e)
    tab = m.predict("Env:Gen", sed=True, vcov=True)
    L = _met_L(fx, rz, [({"Env": e, "Gen": g}, {}) for e, g in zip(tab["Env"], tab["Gen"])])
    _check(tab, mme, L, sed=True)


# ---- genomic: vm(id, K), ids without records; multi-trait -------------------------------
NID = 30
IDS = [f"i{i:02d}" for i in range(NID)]


def _kin() -> pd.DataFrame:
    t = np.arange(NID)
    K = 0.6 * np.eye(NID) + 0.4 * np.exp(-np.abs(np.subtract.outer(t, t)) / 5.0)
    return pd.DataFrame(K, index=IDS, columns=IDS)


def _geno(seed: int = 5) -> pd.DataFrame:
    """24 of 30 ids phenotyped in two environments (one record missing each trait)."""
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({"id": np.repeat(IDS[:24], 2), "Env": np.tile(["E1", "E2"], 24)})
    g = rng.multivariate_normal(np.zeros(NID), 9.0 * _kin().to_numpy())
    gi = d["id"].map(dict(zip(IDS, g))).to_numpy()
    d["y1"] = (50 + 4 * (d.Env == "E2") + gi + rng.normal(0, 4, len(d))).round(2)
    d["y2"] = (10 + 0.3 * gi + rng.normal(0, 1.5, len(d))).round(2)
    d.loc[rng.random(len(d)) < 0.2, "y2"] = np.nan
    d.loc[3, "y1"] = np.nan
    return d


def test_vm_genotype_values_all_ids():
    d, K = _geno(), _kin()
    m = asr.asreml("y1 ~ Env", random="~ vm(id, K)", data=d, K=K)
    s2g, s2e = m.result.theta
    dd = d.dropna(subset=["y1"]).reset_index(drop=True)
    lev = {"Env": ["E1", "E2"], "id": IDS}
    fx, rz = Design([(), ("Env",)], lev), Design([("id",)], lev)
    mme = DenseMME(fx.rows(dd), rz.rows(dd), s2g * K.to_numpy(), s2e * np.eye(len(dd)),
                   dd["y1"].to_numpy(float))
    tab = m.predict("id", sed=True, vcov=True)
    assert list(tab["id"]) == IDS                      # the 6 ids without records too
    L = np.array([np.concatenate([average_rows(fx, {}, {"Env": equal(["E1", "E2"])}),
                                  rz.rows(pd.DataFrame({"id": [i]}))[0]]) for i in tab["id"]])
    _check(tab, mme, L, sed=True)
    tab = m.predict("Env:id")
    L = np.array([np.concatenate([fx.rows(pd.DataFrame({"Env": [e]}))[0],
                                  rz.rows(pd.DataFrame({"id": [i]}))[0]])
                  for e, i in zip(tab["Env"], tab["id"])])
    _check(tab, mme, L)


def test_multitrait_trait_by_id():
    d, K = _geno(), _kin()
    m = asr.asreml("cbind(y1, y2) ~ trait + trait:Env", random="~ us(trait):vm(id, K)",
                   residual="~ units:us(trait)", data=d, K=K)
    th = dict(zip(m.result.names, m.result.theta))
    sg = np.array([[th["trait:vm(id, K)!trait_y1:y1"], th["trait:vm(id, K)!trait_y2:y1"]],
                   [th["trait:vm(id, K)!trait_y2:y1"], th["trait:vm(id, K)!trait_y2:y2"]]])
    se = np.array([[th["units:trait!trait_y1:y1"], th["units:trait!trait_y2:y1"]],
                   [th["units:trait!trait_y2:y1"], th["units:trait!trait_y2:y2"]]])
    long = pd.concat([d.assign(trait=t, y=d[t], rec=np.arange(len(d))) for t in ("y1", "y2")],
                     ignore_index=True)
    obs = long["y"].notna().to_numpy()
    lev = {"trait": ["y1", "y2"], "Env": ["E1", "E2"], "id": IDS}
    fx, rz = Design([("trait",), ("trait", "Env")], lev), Design([("trait", "id")], lev)
    Rfull = np.kron(se, np.eye(len(d)))                 # trait-major, as `long`
    mme = DenseMME(fx.rows(long[obs]), rz.rows(long[obs]), np.kron(sg, K.to_numpy()),
                   Rfull[np.ix_(obs, obs)], long["y"][obs].to_numpy(float))
    tab = m.predict("trait:id", sed=True, vcov=True)
    assert len(tab) == 2 * NID
    L = np.array([np.concatenate([
        average_rows(fx, {"trait": t}, {"Env": equal(["E1", "E2"])}),
        rz.rows(pd.DataFrame({"trait": [t], "id": [i]}))[0]])
        for t, i in zip(tab["trait"], tab["id"])])
    _check(tab, mme, L, sed=True, rtol=1e-5)


# ---- aliased fixed effects: sites nested in locations, both fixed -----------------------
def _nested(seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sites = {"L1": ["S1", "S2"], "L2": ["S3", "S4", "S5"]}
    rows = [(loc, s, t) for loc, ss in sites.items() for s in ss for t in ("T1", "T2", "T3")
            for _ in range(int(rng.integers(1, 4)))]
    d = pd.DataFrame(rows, columns=["Loc", "Site", "Trt"])
    d["y"] = (800 + 60 * (d.Trt == "T2") - 40 * (d.Trt == "T3") + 90 * (d.Loc == "L2")
              + d.Site.map({"S1": 0, "S2": 30, "S3": -20, "S4": 10, "S5": 50})
              + rng.normal(0, 35, len(d))).round(1)
    return d


def _avg_L(fx: Design, factor: str, values, over: list[str], lev: dict, keep=None
           ) -> np.ndarray:
    """One fixed-effects L row per value of the classify ``factor``: its design rows averaged
    with equal weights over every level of the ``over`` factors (``keep`` as average_rows)."""
    return np.array([average_rows(fx, {factor: v}, {a: equal(lev[a]) for a in over},
                                  keep=keep) for v in values])


@pytest.fixture(scope="module")
def nested():
    d = _nested()
    m = asr.asreml("y ~ Loc + Site + Trt", data=d)
    s2e = float(m.result.theta[-1])
    lev = {"Loc": ["L1", "L2"], "Site": ["S1", "S2", "S3", "S4", "S5"],
           "Trt": ["T1", "T2", "T3"]}
    fx = Design([(), ("Loc",), ("Site",), ("Trt",)], lev)
    mme = DenseMME(fx.rows(d), np.zeros((len(d), 0)), np.zeros((0, 0)),
                   s2e * np.eye(len(d)), d["y"].to_numpy(float))
    return d, m, mme, fx, lev


def test_nested_site_aliased_unless_present(nested):
    d, m, mme, fx, lev = nested
    tab = m.predict("Site")
    L = _avg_L(fx, "Site", tab["Site"], ["Loc", "Trt"], lev)
    _check(tab, mme, L)
    assert (tab["status"] == "Aliased").all()
    seen = set(zip(d.Loc, d.Site))
    tab = m.predict("Site", present=["Loc", "Site"], sed=True, vcov=True)
    L = _avg_L(fx, "Site", tab["Site"], ["Loc", "Trt"], lev,
               keep=lambda c: (c["Loc"], c["Site"]) in seen)
    _check(tab, mme, L, sed=True)
    assert (tab["status"] == "Estimable").all()


def test_nested_loc_and_trt(nested):
    d, m, mme, fx, lev = nested
    seen = set(zip(d.Loc, d.Site))
    tab = m.predict("Loc", present=["Loc", "Site"])
    L = _avg_L(fx, "Loc", tab["Loc"], ["Site", "Trt"], lev,
               keep=lambda c: (c["Loc"], c["Site"]) in seen)
    _check(tab, mme, L)
    tab = m.predict("Trt", sed=True, vcov=True)   # averaged over all sites and locations
    L = _avg_L(fx, "Trt", tab["Trt"], ["Loc", "Site"], lev)
    _check(tab, mme, L, sed=True)
    assert (tab["status"] == "Aliased").all()       # mean(Loc) + mean(Site) is not estimable
    tab = m.predict("Trt", present=["Loc", "Site"], sed=True, vcov=True)
    L = _avg_L(fx, "Trt", tab["Trt"], ["Loc", "Site"], lev,
               keep=lambda c: (c["Loc"], c["Site"]) in seen)
    _check(tab, mme, L, sed=True)
    assert (tab["status"] == "Estimable").all()


def test_aliased_true_shows_values_of_nonestimable(nested):
    d, m, mme, fx, lev = nested
    tab = m.predict("Site", aliased=True)
    assert (tab["status"] == "Aliased").all()
    assert tab["predicted.value"].notna().all() and tab["std.error"].notna().all()


def test_orthogonal_polynomial_covariate():
    """pol(x, 2) is predicted as the quadratic at x's mean (not the mean of the basis
    columns) and at given x; the dense design uses x and x² directly (same column space)."""
    d = _factorial(seed=31)
    m = asr.asreml("y ~ A + pol(x, 2)", random="~ Blk", data=d)
    s2b, s2e = m.result.theta
    mme, fx, rz = _dense(d.assign(x2=d.x ** 2), [(), ("A",), ("x",), ("x2",)], [("Blk",)],
                         [s2b], s2e)
    xb = float(d["x"].mean())
    tab = m.predict("A", sed=True, vcov=True)
    _check(tab, mme, _L(fx, rz, [({"A": a}, {}) for a in tab["A"]], {"x": xb, "x2": xb ** 2}),
           sed=True)
    tab = m.predict("A:x", levels={"x": [100.0, 140.0]})
    _check(tab, mme, _L(fx, rz, [({"A": a, "x": x, "x2": x * x}, {})
                                 for a, x in zip(tab["A"], tab["x"])]))


def test_no_intercept_model():
    d = _factorial(seed=31)
    m = asr.asreml("y ~ -1 + A + B", random="~ Blk", data=d)
    s2b, s2e = m.result.theta
    mme, fx, rz = _dense(d, [("A",), ("B",)], [("Blk",)], [s2b], s2e)
    tab = m.predict("B", sed=True, vcov=True)
    _check(tab, mme, _L(fx, rz, [({"B": b}, {"A": equal(A)}) for b in tab["B"]]), sed=True)


def test_only_the_genetic_term_gives_blups_and_pev():
    d, K = _geno(), _kin()
    m = asr.asreml("y1 ~ Env", random="~ vm(id, K)", data=d, K=K)
    s2g, s2e = m.result.theta
    dd = d.dropna(subset=["y1"]).reset_index(drop=True)
    lev = {"Env": ["E1", "E2"], "id": IDS}
    fx, rz = Design([(), ("Env",)], lev), Design([("id",)], lev)
    mme = DenseMME(fx.rows(dd), rz.rows(dd), s2g * K.to_numpy(), s2e * np.eye(len(dd)),
                   dd["y1"].to_numpy(float))
    tab = m.predict("vm(id, K)", only="vm(id, K)", sed=True, vcov=True)
    assert list(tab.columns[:1]) == ["vm(id, K)"]
    L = np.array([np.concatenate([np.zeros(fx.ncol), rz.rows(pd.DataFrame({"id": [i]}))[0]])
                  for i in tab["vm(id, K)"]])
    _check(tab, mme, L, sed=True)


def test_missing_covariate_rows_omitted():
    """na_action={'x': 'omit'}: the rows with a missing covariate leave the fit; the
    covariate's mean (the default prediction point) is over the rows kept (a missing
    response included)."""
    d = _factorial(seed=12)
    d.loc[[2, 9], "x"] = np.nan
    m = asr.asreml("y ~ A + x", random="~ Blk", data=d, na_action={"x": "omit"})
    kept = d.dropna(subset=["x"])
    s2b, s2e = m.result.theta
    mme, fx, rz = _dense(kept, [(), ("A",), ("x",)], [("Blk",)], [s2b], s2e)
    xb = {"x": float(kept["x"].mean())}
    tab = m.predict("A", sed=True, vcov=True)
    _check(tab, mme, _L(fx, rz, [({"A": a}, {}) for a in tab["A"]], xb), sed=True)


# ---- other covariance structures: only C changes; L is the same -------------------------
def test_idh_env_by_gen():
    d = _met(seed=9)
    m = asr.asreml("y ~ Env", random="~ Gen + idh(Env):Gen", data=d)
    th = dict(zip(m.result.names, m.result.theta))
    lev = {"Env": ENV, "Gen": GEN}
    fx, rz = Design([(), ("Env",)], lev), Design([("Gen",), ("Env", "Gen")], lev)
    G = np.diag(np.concatenate([np.full(len(GEN), th["Gen"])]
                               + [np.full(len(GEN), th[f"Env:Gen!Env_{e}"]) for e in ENV]))
    mme = DenseMME(fx.rows(d), rz.rows(_at(d)), G, th["units!R"] * np.eye(len(d)),
                   d["y"].to_numpy(float))
    tab = m.predict("Env:Gen", sed=True, vcov=True)
    _check(tab, mme, _met_L(fx, rz, [({"Env": e, "Gen": g}, {})
                                     for e, g in zip(tab["Env"], tab["Gen"])]), sed=True)
    tab = m.predict("Gen")
    _check(tab, mme, _met_L(fx, rz, [({"Gen": g}, {"Env": equal(ENV)}) for g in tab["Gen"]]))


def test_heterogeneous_residual_dsum():
    d = _met(seed=9)
    m = asr.asreml("y ~ Env", random="~ Gen", residual="~ dsum(~ units | Env)", data=d)
    th = dict(zip(m.result.names, m.result.theta))
    lev = {"Env": ENV, "Gen": GEN}
    fx, rz = Design([(), ("Env",)], lev), Design([("Gen",)], lev)
    R = np.diag(d["Env"].map({e: th[f"Env_{e}!units!R"] for e in ENV}).to_numpy(float))
    mme = DenseMME(fx.rows(d), rz.rows(d), th["Gen"] * np.eye(len(GEN)), R,
                   d["y"].to_numpy(float))
    tab = m.predict("Gen", sed=True, vcov=True)
    _check(tab, mme, _met_L(fx, rz, [({"Gen": g}, {"Env": equal(ENV)}) for g in tab["Gen"]]),
           sed=True)


def test_spatial_ar1_by_ar1_residual():
    rng = np.random.default_rng(4)
    nr, nc = 8, 6
    f = pd.DataFrame([(r, c) for c in range(1, nc + 1) for r in range(1, nr + 1)],
                     columns=["Row", "Col"])
    f["Gen"] = rng.permutation(np.resize(GEN, len(f)))
    f["y"] = (3000 + rng.normal(0, 200, len(f)) + np.cumsum(rng.normal(0, 60, len(f)))).round(0)
    f["RowF"], f["ColF"] = f["Row"].astype(str), f["Col"].astype(str)
    m = asr.asreml("y ~ Gen", residual="~ ar1(ColF):ar1(RowF)", data=f)
    th = dict(zip(m.result.names, m.result.theta))

    def ar(n: int, r: float) -> np.ndarray:
        return r ** np.abs(np.subtract.outer(np.arange(n), np.arange(n)))

    R = th["ColF:RowF!R"] * np.kron(ar(nc, th["ColF:RowF!ColF!cor"]),
                                    ar(nr, th["ColF:RowF!RowF!cor"]))   # f: Row within Col
    fg = Design([(), ("Gen",)], {"Gen": GEN})
    mme = DenseMME(fg.rows(f), np.zeros((len(f), 0)), np.zeros((0, 0)), R,
                   f["y"].to_numpy(float))
    tab = m.predict("Gen", sed=True, vcov=True)
    L = np.array([fg.rows(pd.DataFrame({"Gen": [g]}))[0] for g in tab["Gen"]])
    _check(tab, mme, L, sed=True)


def test_random_interaction_with_fixed_factor():
    """A fixed, Blk and A:Blk random: classify A:Blk takes both BLUPs; classify Blk
    averages A (fixed) and so brings A:Blk in; average='Blk' brings both random terms in."""
    d = _factorial(seed=21)
    m = asr.asreml("y ~ A", random="~ Blk + A:Blk", data=d)
    s2b, s2ab, s2e = m.result.theta
    mme, fx, rz = _dense(d, [(), ("A",)], [("Blk",), ("A", "Blk")], [s2b, s2ab], s2e)
    tab = m.predict("A:Blk", sed=True, vcov=True)
    _check(tab, mme, _L(fx, rz, [({"A": a, "Blk": k}, {}) for a, k in zip(tab["A"], tab["Blk"])],
                        rand_avg=[{}] * len(tab)), sed=True)
    tab = m.predict("Blk")
    av = {"A": equal(A)}
    _check(tab, mme, _L(fx, rz, [({"Blk": k}, av) for k in tab["Blk"]], rand_avg=[av] * len(tab)))
    kept = sorted(d.dropna(subset=["y"])["Blk"].unique())
    av = {"Blk": equal(kept)}
    tab = m.predict("A", average="Blk")
    _check(tab, mme, _L(fx, rz, [({"A": a}, av) for a in tab["A"]], rand_avg=[av] * len(tab)))


def test_newdata_and_parallel(main_eff):
    d, m, mme, fx, rz, xbar = main_eff
    nd = pd.DataFrame({"A": ["a1", "a0", "a3"], "B": ["b2", "b0", "b1"],
                       "x": [100.0, 130.0, 125.5]})
    tab = m.predict(newdata=nd)
    _check(tab, mme, _L(fx, rz, [(r, {}) for r in nd.to_dict("records")]))
    nd2 = nd.assign(Blk=["B0", "B3", "B5"])          # the block BLUPs enter too
    tab = m.predict(newdata=nd2, sed=True, vcov=True)
    _check(tab, mme, _L(fx, rz, [(r, {}) for r in nd2.to_dict("records")],
                        rand_avg=[{}] * 3), sed=True)
    tab = m.predict("A:B", levels={"A": ["a0", "a2"], "B": ["b1", "b2"]}, parallel=True,
                    sed=True, vcov=True)
    assert list(zip(tab["A"], tab["B"])) == [("a0", "b1"), ("a2", "b2")]
    _check(tab, mme, _L(fx, rz, [({"A": a, "B": b}, {}) for a, b in zip(tab["A"], tab["B"])],
                        xbar), sed=True)


def test_levels_outside_classify_warn(fac):
    """levels= for a variable not in classify is not used: a warning, not a silent change
    of meaning (the covariate stays at its mean)."""
    m = fac[1]
    with pytest.warns(asr.AsrWarning, match="not in classify"):
        got = m.predict("A", levels={"x": [100.0]})
    pd.testing.assert_frame_equal(got, m.predict("A"))
