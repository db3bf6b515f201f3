"""asreml 3's animal model with ``ginverse = list(id = Ainv, dam = Ainv)``:
``ped(id, var = T, init = 1)`` is vm(id, Ainv) started at 1, ``ide(id, var = T, init = 1)``
the identity over the ginverse's ids (permanent environment) and ``ide(dam, ...)`` the same
over the dam factor's ginverse ids (maternal environment) — asreml-R 3's reference manual
(ped(), ide(), giv(): ``var = T`` estimates a variance, ``init`` is its starting value).
Before, the options stopped the rewrite: ped() was left without its matrix and the ginverse
list dropped with a TODO (IssieWinney/Sparrows-HeritabilityofPersonality, 204 such lines).

Independent check: the REML log-likelihood of V = σ²_a ZAZ' + σ²_pe ZZ' + σ²_m Z_m Z_m' +
σ²_e I built here in numpy (A by the tabular method) at the translated fit's variance
components equals the fit's, and no small move of a component raises it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_reml import indicator, reml_loglik, tabular_a
from _translate_fixtures import run_r

import asr_py as asr

R_CODE = (
    "m <- asreml(fixed = y ~ 1,\n"
    "            random = ~ ide(animal, var = T, init = 1) +\n"
    "              ped(animal, var = T, init = 1) +\n"
    "              ide(dam, var = T, init = 1),\n"
    "            ginverse = list(animal = ainv, dam = ainv),\n"
    "            data = d, na.method.X = 'omit', na.method.Y = 'omit')\n"
    "vc <- summary(m)$varcomp\n")


def _data(seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    base = [f"B{i:02d}" for i in range(24)]
    kids = [f"K{i:03d}" for i in range(90)]
    sire = rng.choice(base[:12], len(kids))
    dam = rng.choice(base[12:], len(kids))
    ped = pd.DataFrame({"animal": base + kids, "sire": ["0"] * 24 + list(sire),
                        "dam": ["0"] * 24 + list(dam)})
    # A by the tabular method (parents before offspring)
    ids = list(ped["animal"])
    pos = {a: i for i, a in enumerate(ids)}
    n = len(ids)
    A = tabular_a([pos.get(s) for s in ped["sire"]], [pos.get(d) for d in ped["dam"]])
    a = rng.multivariate_normal(np.zeros(n), 2.0 * A)
    rec = pd.DataFrame({"animal": np.repeat(kids, 3)})
    rec["dam"] = rec["animal"].map(dict(zip(ped["animal"], ped["dam"])))
    pe = dict(zip(kids, rng.normal(0, 1.0, len(kids))))
    me = dict(zip(base[12:], rng.normal(0, 0.8, 12)))
    rec["y"] = (50 + np.array([a[pos[k]] for k in rec["animal"]])
                + rec["animal"].map(pe) + rec["dam"].map(me) + rng.normal(0, 1.5, len(rec)))
    return ped, rec, A[np.ix_([pos[k] for k in ids], [pos[k] for k in ids])]


def test_ped_and_ide_with_options_fit_the_animal_model() -> None:
    from asr_py import translate

    py = translate(R_CODE)
    assert "# TODO(asr_py):" not in py
    assert "vm(animal, ainv, init = 1)" in py and "ide(dam)" in py
    ped, rec, A = _data()
    ns = run_r(R_CODE, quiet=True, d=rec, ainv=asr.ainverse(ped))
    m = ns["m"]
    ids = list(ped["animal"])
    Z = indicator(rec["animal"], ids)
    Zm = indicator(rec["dam"], ids)
    y = rec["y"].to_numpy(float)
    X = np.ones((len(y), 1))
    vc = m.varcomp["component"]
    names = list(vc.index)
    s_pe = float(vc[[k for k in names if k.startswith("ide(animal")][0]])
    s_a = float(vc[[k for k in names if k.startswith("vm(animal")][0]])
    s_m = float(vc[[k for k in names if k.startswith("ide(dam")][0]])
    s_e = float(vc.iloc[-1])

    def ll(t: np.ndarray) -> float:
        V = t[0] * Z @ A @ Z.T + t[1] * Z @ Z.T + t[2] * Zm @ Zm.T + t[3] * np.eye(len(y))
        return reml_loglik(y, X, V)

    theta = np.array([s_a, s_pe, s_m, s_e])
    assert ll(theta) == pytest.approx(m.loglik, abs=1e-7)
    for j in range(4):
        for h in (0.97, 1.03):
            t = theta.copy()
            t[j] = max(t[j] * h, 1e-8)
            assert ll(t) <= m.loglik + 1e-7
