"""A small simulated animal model for the stochastic-trace tests (numpy simulation; the
pedigree and data are built here, the A-inverse by asr.ainverse, the MixedProblem by
asr.compile_model): y = μ + sex + a + e, a ~ N(0, σ²_a A)."""

from __future__ import annotations

import numpy as np
import pandas as pd

import asr_py as asr


def pedigree(n: int, gens: int, seed: int) -> pd.DataFrame:
    """``n`` animals in ``gens`` discrete generations, random sires (a few) and dams."""
    rng = np.random.default_rng(seed)
    per = n // gens
    ids = np.arange(1, per * gens + 1)
    gen = np.repeat(np.arange(gens), per)
    male = rng.random(ids.size) < 0.5
    sire = np.zeros(ids.size, dtype=np.int64)
    dam = np.zeros(ids.size, dtype=np.int64)
    for g in range(1, gens):
        prev, kids = gen == g - 1, gen == g
        males = rng.choice(ids[prev & male], size=max(2, per // 20), replace=False)
        sire[kids] = rng.choice(males, size=int(kids.sum()))
        dam[kids] = rng.choice(ids[prev & ~male], size=int(kids.sum()))
    return pd.DataFrame({"id": ids.astype(str), "sire": sire.astype(str),
                         "dam": dam.astype(str), "sex": np.where(male, "M", "F"),
                         "gen": gen})


def data(ped: pd.DataFrame, s2a: float, s2e: float, seed: int) -> pd.DataFrame:
    """One record per animal: breeding values by the pedigree recursion."""
    rng = np.random.default_rng(seed)
    index = {k: i for i, k in enumerate(ped["id"])}
    s = np.array([index.get(x, -1) for x in ped["sire"]])
    d = np.array([index.get(x, -1) for x in ped["dam"]])
    a = np.zeros(len(ped))
    for i in range(len(ped)):  # birth order
        ks, kd = s[i] >= 0, d[i] >= 0
        w = 1.0 - 0.25 * ks - 0.25 * kd
        a[i] = 0.5 * ((a[s[i]] if ks else 0.0) + (a[d[i]] if kd else 0.0)) \
            + np.sqrt(w * s2a) * rng.standard_normal()
    male = (ped["sex"] == "M").to_numpy()
    y = 10.0 + 0.8 * male + a + np.sqrt(s2e) * rng.standard_normal(len(ped))
    return pd.DataFrame({"id": ped["id"].to_numpy(), "sex": ped["sex"].to_numpy(), "y": y})


def animal_problem(n: int = 1200, gens: int = 6, s2a: float = 1.0, s2e: float = 2.0,
                   seed: int = 5):
    """(MixedProblem, pedigree, data) of ``y ~ sex``, random ``vm(id, Ainv)``."""
    ped = pedigree(n, gens, seed)
    df = data(ped, s2a, s2e, seed + 1)
    ainv = asr.ainverse(ped[["id", "sire", "dam"]])
    model = asr.compile_model(fixed="y ~ sex", random="~ vm(id, Ainv)", data=df, Ainv=ainv)
    return model.problem(), ped, df


def bivariate_animal_problem(n: int = 300, gens: int = 5, missing: float = 0.2,
                             seed: int = 11):
    """(MixedProblem, data) of ``cbind(y1, y2) ~ trait + trait:sex``, random
    ``us(trait):vm(id, Ainv)``, residual ``units:us(trait)`` (as the goal problems of
    benchmarks/problems.py), a fraction ``missing`` of y2 missing: two correlated traits
    from two independent breeding values (G0 = [[1, .5], [.5, 1.25]])."""
    ped = pedigree(n, gens, seed)
    d1 = data(ped, 1.0, 2.0, seed + 1)
    d2 = data(ped, 1.0, 1.5, seed + 2)
    df = d1.rename(columns={"y": "y1"})
    df["y2"] = 0.5 * d1["y"].to_numpy() + d2["y"].to_numpy()
    rng = np.random.default_rng(seed + 3)
    df.loc[rng.random(len(df)) < missing, "y2"] = np.nan
    ainv = asr.ainverse(ped[["id", "sire", "dam"]])
    model = asr.compile_model(fixed="cbind(y1, y2) ~ trait + trait:sex",
                              random="~ us(trait):vm(id, Ainv)",
                              residual="~ units:us(trait)", data=df, Ainv=ainv)
    return model.problem(), df
