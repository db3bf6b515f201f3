"""Every registered structure, and composites of them, against finite differences and dense
linear algebra (numpy inv / slogdet), at random valid parameters from several seeds."""

from __future__ import annotations

import numpy as np
import pytest
from vcov_helpers import check_template, fd_derivatives

from asr_py.vcov import (
    CovTemplate,
    DirectSum,
    Kronecker,
    Subset,
    get_structure,
    registered_names,
    to_dense,
)

SEEDS = [0, 1, 2]
SIZES = [3, 4, 5]


def build(name: str, n: int, rng: np.random.Generator, label: str = "f") -> CovTemplate:
    """A registered structure on n levels, with the options it needs."""
    levels = [str(v) for v in np.sort(rng.choice(np.arange(1, 20), n, replace=False))]
    opts: dict = {}
    if name in ("vm", "giv"):
        a = rng.normal(size=(n, n))
        opts["matrix"] = a @ a.T + n * np.eye(n)
    if name in ("fa", "facv"):
        opts["order"] = 2
    if name == "rr":
        opts["order"] = n  # full rank, so that inverse and logdet exist for the checks
    if name.startswith("corb"):
        opts["order"] = 2
    if name == "own":  # σ² ρ^|i−j| from a user's function, κ = (σ², ρ)
        def fun(order: int, kappa: np.ndarray) -> list[np.ndarray]:
            h = np.abs(np.subtract.outer(np.arange(order), np.arange(order))).astype(float)
            s2, r = kappa
            return [s2 * r**h, r**h, s2 * h * np.where(h > 0, r ** np.maximum(h - 1, 0), 0)]
        opts.update(fun=fun, init=[1.0, 0.1], types=["V", "R"])
    if name[:4] in ("aexp", "agau"):  # points in a plane
        opts["coords"] = np.column_stack([np.asarray(levels, float),
                                          rng.uniform(0, 3, n).round(1)])
    return get_structure(name)(levels, name=label, **opts)


def random_theta(t: CovTemplate, rng: np.random.Generator) -> np.ndarray:
    """Random θ with t.is_valid(θ), drawn kind by kind within the bounds."""
    lo, hi = t.lower(), t.upper()
    for _ in range(500):
        th = []
        for k, a, b in zip(t.param_kinds, lo, hi):
            if k == "variance":
                th.append(rng.uniform(0.5, 2.0))
            elif k == "covariance":
                th.append(rng.uniform(-0.3, 0.3))
            elif k == "loading":
                th.append(rng.uniform(0.3, 1.2) * rng.choice([-1, 1]))
            else:  # correlation / other: inside (a, b), away from the edges
                a2, b2 = max(a, -0.6), min(b, 0.6)
                if a2 >= 0:
                    a2 = max(a2, 0.15)
                th.append(rng.uniform(a2, b2))
        th = np.array(th)
        if t.is_valid(th):
            return th
    raise AssertionError(f"no valid θ found for {t!r}")


ALL = registered_names()


def test_registry_has_the_issue_families() -> None:
    for nm in ["id", "idv", "idh", "diag", "us", "cor", "corv", "corh", "corg", "corgv",
               "corgh", "ar1", "ar1v", "ar1h", "ar2", "ar3", "ma1", "exp", "gau", "fa", "facv",
               "rr", "vm", "giv"]:
        assert nm in ALL, nm


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("seed", SEEDS)
def test_structure(name: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = SIZES[seed % len(SIZES)]
    t = build(name, n, rng)
    th = random_theta(t, rng)
    check_template(t, th)
    # naming: unique names, one per parameter; initial values valid and of the right length
    assert len(set(t.param_names)) == t.n_params
    init = t.initial(2.0)
    assert init.shape == (t.n_params,)
    assert t.is_valid(init), (name, init)
    assert len(t.lower()) == len(t.upper()) == t.n_params


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("combo", [("us", "ar1"), ("corgh", "vm"), ("ar1", "ar1"),
                                   ("diag", "fa", "exp"), ("id", "us", "ar2v")])
@pytest.mark.parametrize("scale", [False, True])
def test_kronecker_of_registered(combo: tuple[str, ...], seed: int, scale: bool) -> None:
    rng = np.random.default_rng(seed)
    parts = [build(nm, 3 if i else 2, rng, label=f"p{i}") for i, nm in enumerate(combo)]
    k = Kronecker(parts, scale=scale)
    th = np.concatenate(([np.array([rng.uniform(0.5, 2.0)])] if scale else [])
                        + [random_theta(p, rng) for p in parts])
    assert k.is_valid(th)
    # matrix against numpy's kron of the parts
    s = th[0] if scale else 1.0
    off = 1 if scale else 0
    ref = np.ones((1, 1))
    for p in parts:
        ref = np.kron(ref, to_dense(p.matrix(th[off:off + p.n_params])))
        off += p.n_params
    np.testing.assert_allclose(to_dense(k.matrix(th)), s * ref, rtol=1e-12, atol=1e-12)
    check_template(k, th)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("inner", ["us", "corgh", "diag", "fa"])
def test_subset_missing_patterns(inner: str, seed: int) -> None:
    """Residual id(units) ⊗ Σ_trait with records dropped at random (several patterns)."""
    rng = np.random.default_rng(seed)
    m, t = 7, 3
    tr = build(inner, t, rng, label="trait")
    full = Kronecker([get_structure("id")([str(i) for i in range(m)]), tr])
    th = random_theta(full, rng)
    keep = np.flatnonzero(rng.random(m * t) > 0.3)
    sub = Subset(full, keep)
    assert sub.mode == "block"
    np.testing.assert_allclose(to_dense(sub.matrix(th)),
                               to_dense(full.matrix(th))[np.ix_(keep, keep)])
    check_template(sub, th)
    # the inverse is of the SUBSET matrix, not a subset of the full inverse
    full_inv = to_dense(full.inverse(th))[np.ix_(keep, keep)]
    if inner != "diag":
        assert not np.allclose(to_dense(sub.inverse(th)), full_inv)


@pytest.mark.parametrize("seed", SEEDS)
def test_direct_sum_of_registered(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 9
    order = rng.permutation(n)
    idx = [order[:4], order[4:7], order[7:]]
    parts = [build("ar1v", 4, rng, "s1"), build("idv", 3, rng, "s2"), build("us", 2, rng, "s3")]
    ds = DirectSum(parts, idx, n)
    th = np.concatenate([random_theta(p, rng) for p in parts])
    check_template(ds, th)
    fd = fd_derivatives(ds, th)
    assert len(fd) == ds.n_params == 2 + 1 + 3
