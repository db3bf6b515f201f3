"""MixedProblems built by hand (numpy/scipy + real asr_py.vcov templates) for the REML tests.

Data: tests/data/{Dyestuff,Penicillin,sleepstudy}.csv (lme4 1.1-31 data sets, see
tests/data/README.md).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from asr_py.reml import MixedProblem, RandomBlock
from asr_py.vcov import Identity, IdentityV, Kronecker, Unstructured

DATA = Path(__file__).resolve().parents[1] / "data"


def indicator(f: pd.Series) -> tuple[sp.csc_matrix, list[str]]:
    """n x levels 0/1 design of a factor (levels sorted as R does for character data)."""
    codes, lv = pd.factorize(f.astype(str), sort=True)
    n = len(codes)
    z = sp.csc_matrix((np.ones(n), (np.arange(n), codes)), shape=(n, len(lv)))
    return z, [str(x) for x in lv]


def dyestuff(theta0: list[float] | None = None) -> MixedProblem:
    d = pd.read_csv(DATA / "Dyestuff.csv")
    y = d["Yield"].to_numpy(float)
    n = y.size
    z, lv = indicator(d["Batch"])
    v = float(np.var(y))
    return MixedProblem(
        y=y, X=np.ones((n, 1)),
        random=[RandomBlock("Batch", z, IdentityV(lv, name="Batch"))],
        residual=IdentityV([str(i) for i in range(n)], name="units"),
        theta0=theta0 if theta0 is not None else [v / 2, v / 2],
        constraints=["P", "P"], names=["Batch", "units"], x_names=["(Intercept)"])


def penicillin(theta0: list[float] | None = None) -> MixedProblem:
    d = pd.read_csv(DATA / "Penicillin.csv")
    y = d["diameter"].to_numpy(float)
    n = y.size
    z1, l1 = indicator(d["plate"])
    z2, l2 = indicator(d["sample"])
    v = float(np.var(y))
    return MixedProblem(
        y=y, X=np.ones((n, 1)),
        random=[RandomBlock("plate", z1, IdentityV(l1, name="plate")),
                RandomBlock("sample", z2, IdentityV(l2, name="sample"))],
        residual=IdentityV([str(i) for i in range(n)], name="units"),
        theta0=theta0 if theta0 is not None else [v / 3] * 3,
        constraints=["P"] * 3, names=["plate", "sample", "units"], x_names=["(Intercept)"])


def sleepstudy(theta0: list[float] | None = None) -> MixedProblem:
    """Reaction ~ Days, random str(~Subject + Days:Subject, ~us(2):id(Subject)).

    Z columns: [intercept of every subject, then Days slope of every subject] so that
    G = us(2) ⊗ I_18 (first Kronecker factor outermost).
    """
    d = pd.read_csv(DATA / "sleepstudy.csv")
    y = d["Reaction"].to_numpy(float)
    n = y.size
    days = d["Days"].to_numpy(float)
    zs, subj = indicator(d["Subject"])
    z = sp.hstack([zs, sp.csc_matrix(zs.multiply(days[:, None]))], format="csc")
    g = Kronecker([Unstructured(["(Intercept)", "Days"], name="us"), Identity(subj)])
    v = float(np.var(y))
    return MixedProblem(
        y=y, X=np.column_stack([np.ones(n), days]),
        random=[RandomBlock("str(Subject)", z, g)],
        residual=IdentityV([str(i) for i in range(n)], name="units"),
        theta0=theta0 if theta0 is not None else [v / 2, 0.0, v / 20, v / 2],
        constraints=["P", "U", "P", "P"],
        names=["var(Intercept)", "cov(Intercept,Days)", "var(Days)", "units"],
        x_names=["(Intercept)", "Days"])


def dense_loglik(problem: MixedProblem, theta: np.ndarray) -> float:
    """ℓ = −½[(n−p) log 2π + log|V| + log|X'V⁻¹X| + y'Py] with V formed densely."""
    y = np.asarray(problem.y, float)
    x = problem.X.toarray() if sp.issparse(problem.X) else np.asarray(problem.X, float)
    n, p = x.shape
    v = _dense(problem.residual.matrix(theta[problem.residual_offset:]))
    for b in problem.random:
        z = b.Z.toarray()
        g = _dense(b.template.matrix(theta[b.offset:b.offset + b.template.n_params]))
        v = v + z @ g @ z.T
    vi = np.linalg.inv(v)
    xvx = x.T @ vi @ x
    pm = vi - vi @ x @ np.linalg.solve(xvx, x.T @ vi)
    return -0.5 * ((n - p) * np.log(2 * np.pi) + np.linalg.slogdet(v)[1]
                   + np.linalg.slogdet(xvx)[1] + y @ pm @ y)


def _dense(m) -> np.ndarray:
    return m.toarray() if sp.issparse(m) else np.asarray(m, float)


def bivariate(seed: int = 1, n_fam: int = 40, per_fam: int = 6,
              theta0: list[float] | None = None) -> MixedProblem:
    """Simulated bivariate family model: y = trait means + us(trait) ⊗ id(Family) + e,
    e ~ id(units) ⊗ us(trait). Records are unit-major (unit 1 trait 1, unit 1 trait 2, ...).

    True G0 = [[2, 1], [1, 3]], R0 = [[4, 1.5], [1.5, 5]].
    """
    rng = np.random.default_rng(seed)
    g0 = np.array([[2.0, 1.0], [1.0, 3.0]])
    r0 = np.array([[4.0, 1.5], [1.5, 5.0]])
    fam = np.repeat(np.arange(n_fam), per_fam)
    n_u = fam.size
    a = rng.multivariate_normal([0, 0], g0, size=n_fam)
    e = rng.multivariate_normal([0, 0], r0, size=n_u)
    yy = np.array([10.0, 20.0]) + a[fam] + e
    y = yy.ravel()  # unit-major
    n = y.size
    trait = np.tile([0, 1], n_u)
    famr = np.repeat(fam, 2)
    x = np.zeros((n, 2))
    x[np.arange(n), trait] = 1.0
    z = sp.csc_matrix((np.ones(n), (np.arange(n), trait * n_fam + famr)), shape=(n, 2 * n_fam))
    traits = ["y1", "y2"]
    g = Kronecker([Unstructured(traits, name="trait"), Identity([str(i) for i in range(n_fam)])])
    r = Kronecker([Identity([str(i) for i in range(n_u)]), Unstructured(traits, name="trait")])
    return MixedProblem(
        y=y, X=x, random=[RandomBlock("us(trait):Family", z, g)], residual=r,
        theta0=theta0 if theta0 is not None else [2.5, 0.5, 2.5, 4.5, 0.5, 4.5],
        constraints=["P", "U", "P", "P", "U", "P"],
        names=["G:y1", "G:y2:y1", "G:y2", "R:y1", "R:y2:y1", "R:y2"],
        x_names=["trait_y1", "trait_y2"])


def null_batch(seed: int = 3) -> MixedProblem:
    """One-way layout with no between-group variance in the data generating process and a
    negative sample between-group mean square (so the REML estimate of σ²_g is 0)."""
    rng = np.random.default_rng(seed)
    k, m = 8, 5
    grp = np.repeat(np.arange(k), m)
    # shrink the group means towards the grand mean, so that the between-group mean square
    # is below the within-group one (the REML estimate of σ²_g is then 0)
    e = rng.normal(0, 1, size=(k, m))
    e -= 0.9 * e.mean(axis=1, keepdims=True)
    y = 5.0 + e.ravel()
    n = y.size
    z = sp.csc_matrix((np.ones(n), (np.arange(n), grp)), shape=(n, k))
    return MixedProblem(
        y=y, X=np.ones((n, 1)),
        random=[RandomBlock("grp", z, IdentityV([str(i) for i in range(k)], name="grp"))],
        residual=IdentityV([str(i) for i in range(n)], name="units"),
        theta0=[0.5, 0.5], constraints=["P", "P"], names=["grp", "units"])
