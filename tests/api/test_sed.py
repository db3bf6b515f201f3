"""predict(sed=True, vcov=True): V = L C⁻¹ L', SED_ij = sqrt(v_ii + v_jj − 2v_ij), avsed.

References: a dense MME built here in numpy from the data (own design matrices and level
order, hand-written L); emmeans 1.8.4 pairwise SEs of lme4 fits (asymptotic, i.e. the
unadjusted Var(β̂) as asreml's predict uses; tests/data/kr_reference.json, produced by
tests/data/kr_reference.R); closed forms for the balanced split plot (Yates' oats).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import asr_py as asr

DATA = Path(__file__).resolve().parents[1] / "data"
REF = json.loads((DATA / "kr_reference.json").read_text())


@pytest.fixture(scope="module")
def fit(dt_example):
    return asr.asreml("Yield ~ Env", random="~ Name", data=dt_example)


@pytest.fixture(scope="module")
def oats_fit():
    d = pd.read_csv(DATA / "DT_yatesoats.csv", dtype={c: str for c in ("N", "V", "B", "MP")})
    return asr.asreml("Y ~ V*N", random="~ B + B:MP", data=d)


def _dense_cinv(d: pd.DataFrame, s2u: float, s2e: float) -> tuple[np.ndarray, list, list]:
    """C⁻¹ of Yield ~ Env, random Name, built from scratch: (C⁻¹, env levels, name levels)."""
    d = d.dropna(subset=["Yield"])
    envs = sorted(d["Env"].unique())
    names = sorted(d["Name"].unique(), reverse=True)  # a different order than asr_py's
    X = np.column_stack([np.ones(len(d))] + [(d["Env"] == e).to_numpy(float) for e in envs[1:]])
    Z = np.column_stack([(d["Name"] == n).to_numpy(float) for n in names])
    W = np.hstack([X, Z])
    C = W.T @ W / s2e
    C[3:, 3:] += np.eye(len(names)) / s2u
    return np.linalg.inv(C), envs, names


def _sed(V: np.ndarray) -> np.ndarray:
    d = np.diag(V)
    return np.sqrt(d[:, None] + d[None, :] - 2 * V)


def test_default_has_no_attrs(fit):
    # only asreml's printed heading (an R attribute scripts read); no sed/vcov unless asked
    assert set(fit.predict("Env").attrs) == {"heading"}


def test_env_sed_against_dense_mme(fit, dt_example):
    s2u, s2e = fit.result.theta
    ci, envs, _ = _dense_cinv(dt_example, s2u, s2e)
    L = np.zeros((3, ci.shape[0]))
    L[:, 0] = 1
    L[1, 1] = L[2, 2] = 1
    V = L @ ci @ L.T
    p = fit.predict("Env", sed=True, vcov=True)
    assert list(p.attrs["sed"].index) == envs == list(p.attrs["sed"].columns)
    np.testing.assert_allclose(p.attrs["vcov"].to_numpy(), V, rtol=1e-8)
    S = _sed(V)
    np.testing.assert_allclose(p.attrs["sed"].to_numpy(), S, rtol=1e-8, atol=1e-12)
    pairs = S[np.triu_indices(3, 1)]
    av = p.attrs["avsed"]
    assert list(av.index) == ["min", "mean", "max"]
    np.testing.assert_allclose(av.to_numpy(), [pairs.min(), pairs.mean(), pairs.max()],
                               rtol=1e-8)
    np.testing.assert_allclose(p["std.error"], np.sqrt(np.diag(V)), rtol=1e-8)


def test_name_sed_includes_blups(fit, dt_example):
    """Genotype predictions (Env averaged, BLUP added): L has a Z part; checked on a few."""
    s2u, s2e = fit.result.theta
    ci, envs, names = _dense_cinv(dt_example, s2u, s2e)
    pick = names[:4]
    L = np.zeros((len(pick), ci.shape[0]))
    L[:, 0] = 1
    L[:, 1:3] = 1 / 3
    for i, n in enumerate(pick):
        L[i, 3 + names.index(n)] = 1
    S = _sed(L @ ci @ L.T)
    p = fit.predict("Name", sed=True)
    got = p.attrs["sed"].loc[pick, pick].to_numpy()
    np.testing.assert_allclose(got, S, rtol=1e-7, atol=1e-12)
    k = len(p)
    assert p.attrs["sed"].shape == (k, k)
    assert np.allclose(np.diag(p.attrs["sed"]), 0)
    full = p.attrs["sed"].to_numpy()[np.triu_indices(k, 1)]
    assert p.attrs["avsed"]["mean"] == pytest.approx(full.mean(), rel=1e-12)


def test_env_sed_against_emmeans(fit):
    ref = REF["dt_example"]
    p = fit.predict("Env", sed=True, vcov=True)
    np.testing.assert_allclose(p.attrs["vcov"].to_numpy(), ref["asym_emm_vcov"], rtol=1e-6)
    S = p.attrs["sed"].to_numpy()
    # emmeans' pairs: 2011-2012, 2011-2013, 2012-2013
    np.testing.assert_allclose([S[0, 1], S[0, 2], S[1, 2]], ref["asym_pairs_se"], rtol=1e-6)
    assert p.attrs["avsed"]["mean"] == pytest.approx(np.mean(ref["asym_pairs_se"]), rel=1e-6)


def test_split_plot_sed_closed_forms_and_emmeans(oats_fit):
    """Balanced split plot, r = 6 blocks, 4 N levels: SED of variety means
    sqrt(2(σ²_e + 4σ²_MP)/(6·4)); of V:N cells within a variety sqrt(2σ²_e/6), across
    varieties sqrt(2(σ²_e + σ²_MP)/6)."""
    s2b, s2mp, s2e = oats_fit.result.theta
    pv = oats_fit.predict("V", sed=True)
    sv = pv.attrs["sed"].to_numpy()[np.triu_indices(3, 1)]
    np.testing.assert_allclose(sv, np.sqrt(2 * (s2e + 4 * s2mp) / 24), rtol=1e-8)
    np.testing.assert_allclose(sv, REF["oats"]["asym_pairs_V_se"], rtol=1e-5)
    pvn = oats_fit.predict("V:N", sed=True)
    S = pvn.attrs["sed"]
    labels = list(S.index)
    assert labels[0] == "GoldenRain:0" and len(labels) == 12
    same = np.sqrt(2 * s2e / 6)
    cross = np.sqrt(2 * (s2e + s2mp) / 6)
    for a in labels:
        for b in labels:
            if a == b:
                continue
            want = same if a.split(":")[0] == b.split(":")[0] else cross
            assert S.loc[a, b] == pytest.approx(want, rel=1e-8)
    # emmeans orders V:N with V fastest; its pairs run over i < j in that order
    r_lab = [f"{v}:{n}" for n in ("0", "0.2", "0.4", "0.6")
             for v in ("GoldenRain", "Marvellous", "Victory")]
    ref = [S.loc[r_lab[i], r_lab[j]] for i in range(12) for j in range(i + 1, 12)]
    np.testing.assert_allclose(ref, REF["oats"]["asym_pairs_VN_se"], rtol=1e-5)
    n_same, n_cross = 3 * 6, 66 - 18
    av = pvn.attrs["avsed"]
    assert av["mean"] == pytest.approx((n_same * same + n_cross * cross) / 66, rel=1e-8)
    assert av["min"] == pytest.approx(same) and av["max"] == pytest.approx(cross)


def test_aliased_prediction_has_nan_sed():
    rng = np.random.default_rng(3)
    d = pd.DataFrame({"A": list("aabbcc") * 6, "B": list("xyxyxy") * 6,
                      "G": [f"g{i % 9}" for i in range(36)]})
    d = d[~((d.A == "c") & (d.B == "y"))].reset_index(drop=True)  # an empty cell
    d["y"] = rng.normal(size=len(d)) + (d.A == "b") * 2.0
    m = asr.asreml("y ~ A*B", random="~ G", data=d)
    p = m.predict("A:B", sed=True, vcov=True)
    bad = p["status"] == "Aliased"
    assert bad.tolist() == [False, False, False, False, False, True]
    S = p.attrs["sed"].to_numpy()
    assert np.isnan(S[5]).all() and np.isnan(S[:, 5]).all()
    assert np.isnan(p.attrs["vcov"].to_numpy()[5]).all()
    ok = S[:5, :5][np.triu_indices(5, 1)]
    assert np.isfinite(ok).all()
    np.testing.assert_allclose(p.attrs["avsed"].to_numpy(), [ok.min(), ok.mean(), ok.max()])
