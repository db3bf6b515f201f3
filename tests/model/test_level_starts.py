"""Start values of structures over a factor whose levels have different response scales
(s18inv, asr_py/model/level_scales.py): each level starts from its own within-level
variance, so a site's units move its start values and nothing else.

Checked against the closed form computed here with numpy: with one random term the random
structure and the residual each start at half the variance, per level l at
½ · Σ_{i∈l}(y_i − ȳ_l)² / (n_l − 1) (the within-level variance of y).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import asr_py as asr


def _met(n_gen: int = 12, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for e, (mu, sd) in enumerate([(5.0, 0.6), (5000.0, 700.0), (3.0, 0.3), (8.0, 1.1)]):
        for g in range(n_gen):
            for r in range(2):
                rows.append((f"E{e}", f"G{g:02d}", f"R{r}", mu + rng.normal(0, sd)))
    return pd.DataFrame(rows, columns=["env", "gen", "rep", "y"])


def _starts(d: pd.DataFrame, random: str) -> pd.Series:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = asr.asreml("y ~ env", random=random, residual="~ dsum(~ units | env)", data=d,
                       maxit=0)
    return pd.Series(m.model.theta0, index=m.model.param_names)


def _within(d: pd.DataFrame) -> pd.Series:
    return d.groupby("env")["y"].var(ddof=1)


def test_diag_and_dsum_start_at_half_the_within_level_variance() -> None:
    d = _met()
    st = _starts(d, "~ diag(env):gen")
    half = 0.5 * _within(d)
    for e in half.index:
        assert st[f"env:gen!env_{e}"] == pytest.approx(half[e], rel=1e-10)
        assert st[f"env_{e}!units!R"] == pytest.approx(half[e], rel=1e-10)


def _power(name: str, level: str) -> int:
    """How often ``level``'s scale c enters a parameter: Σ_ij scales by c_i c_j, so a
    variance (or ψ) of the level by c², a loading by c, a covariance with another level by c."""
    if name.endswith("!fa1"):
        return int(level in name)
    cell = name.rsplit("!", 1)[-1] if not name.endswith("!R") else name.split("!")[0]
    if ":" in cell:  # us: 'env_E2:E0'
        return cell.split("_", 1)[-1].split(":").count(level)
    return 2 * int(level in name)


@pytest.mark.parametrize("random", ["~ diag(env):gen", "~ fa(env, 1):gen", "~ us(env):gen"])
@pytest.mark.parametrize("level, c", [("E2", 1000.0), ("E0", 1e-3)])
def test_one_sites_units_move_its_start_values_only(random: str, level: str, c: float) -> None:
    d = _met()
    d2 = d.copy()
    d2.loc[d2["env"] == level, "y"] *= c
    a, b = _starts(d, random), _starts(d2, random)
    for name in a.index:
        assert b[name] == pytest.approx(a[name] * c ** _power(name, level), rel=1e-9), name


def test_levels_with_few_records_start_pooled() -> None:
    """3 genotypes x 2 reps = 6 records per site (< 8): the per-level variance would be
    noise; every site starts at half the pooled var(y), as before."""
    d = _met(n_gen=3)
    st = _starts(d, "~ diag(env):gen")
    half = 0.5 * float(d["y"].var(ddof=1))
    for e in sorted(d["env"].unique()):
        assert st[f"env:gen!env_{e}"] == pytest.approx(half, rel=1e-10)
