"""Correlations orphaned by a variance held on its boundary (asr_py/reml/orphan_corr.py).

In corgh, G_jk = r_jk sqrt(v_j v_k): with v_j at zero exactly the correlations r_jk that
pair level j with another level leave G unchanged (closed form); the others do not."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

import asr_py as asr
from asr_py.reml.iter_context import IterContext
from asr_py.reml.orphan_corr import orphaned


def _problem(structure: str) -> object:
    rng = np.random.default_rng(1)
    d = pd.DataFrame({"gen": np.repeat([f"G{i}" for i in range(12)], 8),
                      "env": np.tile(np.repeat(["E0", "E1", "E2", "E3"], 2), 12)})
    d["y"] = rng.normal(size=len(d)) * 3.0 + 10.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # maxit=0: only the problem is wanted
        m = asr.asreml("y ~ env", random=f"~ {structure}(env):gen", data=d, maxit=0)
    return m.model.problem()


def test_correlations_of_the_held_variance_exactly() -> None:
    p = _problem("corgh")
    ctx = IterContext(p)
    names = list(p.names)
    th = np.asarray(p.theta0, dtype=float).copy()
    j = next(k for k, n in enumerate(names) if n.endswith("env_E2"))
    th[j] = 0.0
    fixed = np.zeros(th.size, dtype=bool)
    got = orphaned(ctx, th, np.zeros(th.size), fixed)
    pairs = [n.split("!")[-2].removeprefix("env_").split(":") for n in names]
    want = np.array([n.endswith("!cor") and "E2" in pr for n, pr in zip(names, pairs)])
    assert want.sum() == 3  # E1:E2-type pairs of 4 levels
    assert (got == want).all()
    # a positive score: the variance leaves the bound, its correlations are needed
    s = np.zeros(th.size)
    s[j] = 1.0
    assert not orphaned(ctx, th, s, fixed).any()
    # held by the caller (fixed) with a positive score: orphaned again
    f = fixed.copy()
    f[j] = True
    assert (orphaned(ctx, th, s, f) == want).all()


def test_no_variance_at_its_bound_nothing_orphaned() -> None:
    p = _problem("corgh")
    th = np.asarray(p.theta0, dtype=float)
    assert not orphaned(IterContext(p), th, np.zeros(th.size),
                        np.zeros(th.size, dtype=bool)).any()


def test_covariances_of_us_are_not_correlations() -> None:
    """us(): a covariance has information of its own (it must go to zero with v_j)."""
    p = _problem("us")
    ctx = IterContext(p)
    th = np.asarray(p.theta0, dtype=float).copy()
    j = next(k for k, kd in enumerate(p.param_map.kinds) if kd == "variance")
    th[j] = 0.0
    assert not orphaned(ctx, th, np.zeros(th.size), np.zeros(th.size, dtype=bool)).any()
