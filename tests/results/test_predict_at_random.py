"""predict() includes a random ``at(f, l):g`` term in the cells of level l when f and g are
both in classify (ASReml's rule: a random term enters when all its factors are classified).

Before, such a term was left out: every family of the level got the same prediction.
Checked against a dense Henderson MME built here in numpy at the fitted variances:
prediction x'β̂ + z'û and its SE² = [x' z'] C⁻¹ [x' z']' (σ²-scaled C⁻¹).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr


def _data(seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    typ = np.repeat(["Check", "Test"], 60)
    fam = np.array([f"f{i % 6}" for i in range(60)] + [f"g{i % 10}" for i in range(60)])
    u = {f"g{i}": rng.normal(0, 2) for i in range(10)}
    y = 10 + (typ == "Test") * 2 + np.array([u.get(f, 0.0) for f in fam]) + rng.normal(0, 1, 120)
    return pd.DataFrame({"Type": typ, "Fam": fam, "y": y})


def _dense(d: pd.DataFrame, s2g: float, s2: float, level: str
           ) -> tuple[np.ndarray, np.ndarray, list[str]]:
    X = np.column_stack([np.ones(len(d)), (d["Type"] == "Test").to_numpy(float)])
    fams = sorted(d["Fam"].unique())
    Z = (d["Fam"].to_numpy()[:, None] == np.array(fams)[None, :]).astype(float)
    Z *= (d["Type"] == level).to_numpy(float)[:, None]
    W = np.hstack([X, Z])
    C = W.T @ W / s2
    C[2:, 2:] += np.eye(len(fams)) / s2g
    Cinv = np.linalg.inv(C)
    sol = Cinv @ W.T @ d["y"].to_numpy() / s2
    return sol, Cinv, fams


@pytest.mark.parametrize("shuffle", [False, True])
def test_at_term_enters_its_level_cells(shuffle: bool) -> None:
    d = _data()
    if shuffle:
        d = d.sample(frac=1.0, random_state=3).reset_index(drop=True)
    m = asr.asreml("y ~ Type", random="~ at(Type, 'Test'):Fam", data=d)
    vc = m.varcomp["component"]
    sol, Cinv, fams = _dense(d, float(vc.iloc[0]), float(vc.iloc[-1]), "Test")
    p = m.predict(classify="Type:Fam")
    for _, row in p.iterrows():
        L = np.zeros(len(sol))
        L[0] = 1.0
        if row["Type"] == "Test":
            L[1] = 1.0
            L[2 + fams.index(row["Fam"])] = 1.0       # the at() term: Test cells only
        assert row["predicted.value"] == pytest.approx(L @ sol, abs=1e-6)
        assert row["std.error"] == pytest.approx(np.sqrt(L @ Cinv @ L), rel=1e-5)
    test = p[p["Type"] == "Test"]["predicted.value"]
    assert test.nunique() > 5                        # families differ (they did not before)


def test_at_term_left_out_when_its_factor_is_not_classified() -> None:
    d = _data()
    m = asr.asreml("y ~ Type", random="~ at(Type, 'Test'):Fam", data=d)
    p = m.predict(classify="Type")
    sol, Cinv, _ = _dense(d, float(m.varcomp["component"].iloc[0]),
                          float(m.varcomp["component"].iloc[-1]), "Test")
    test = p.set_index("Type").loc["Test", "predicted.value"]
    assert test == pytest.approx(sol[0] + sol[1], abs=1e-6)
