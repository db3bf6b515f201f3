"""A simulated stage-2 MET (eBLUEs with known weights), the shape of genomic-FA-METs'
predFA.R: one environment with almost no genetic variance, environments strongly correlated,

    u = chol(K) Z chol(Σ)',  Σ = (0.85 J + 0.15 I) ∘ s s',  y_ge = 10 + e + u_ge + se_ge ε,

weights w = 1/se² with se ~ U(0.5, 1). Used by tests/reml/test_escape_fd.py and
benchmarks/bench_escape_info.py."""

from __future__ import annotations

import numpy as np
import pandas as pd


def stage2_met(envs: int, gens: int, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    """eBLUEs of every genotype in every environment with their weights; one environment
    with almost no genetic variance, environments strongly correlated."""
    rng = np.random.default_rng(seed)
    ids = [f"G{i:03d}" for i in range(gens)]
    m = rng.standard_normal((gens, 3 * gens))
    K = m @ m.T / (3 * gens) + 0.05 * np.eye(gens)
    sd = np.exp(rng.uniform(-1.5, 0.5, envs))
    sd[envs // 2] = 1e-3
    sig = (0.85 * np.ones((envs, envs)) + 0.15 * np.eye(envs)) * np.outer(sd, sd)
    u = np.linalg.cholesky(K) @ rng.standard_normal((gens, envs)) @ np.linalg.cholesky(
        sig + 1e-9 * np.eye(envs)).T
    rows = []
    for e in range(envs):
        se = rng.uniform(0.5, 1.0, gens)
        rows.append(pd.DataFrame({"env": f"E{e:02d}", "geno": ids,
                                  "y": 10 + e + u[:, e] + se * rng.standard_normal(gens),
                                  "w": 1 / se**2}))
    return pd.concat(rows, ignore_index=True), pd.DataFrame(K, index=ids, columns=ids)
