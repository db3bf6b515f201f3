"""Scattered-point spatial fields for the metric-structure tests (numpy/pandas only).

A field is n points uniform on [0, side]², a latent process u ~ N(0, K(d²)) at the points
(K a covariance of the squared distances), one or two records per point (one at every
``single_every``-th point), two treatments alternating, and z = 5 + [second record] + u + e,
e ~ N(0, noise²). :func:`point_design` gives y, X = [1, trt B], Z (records → distinct points)
and the points, for a dense-V REML built by the caller.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd


def scattered_field(seed: int, n: int, side: float, kernel: Callable[[np.ndarray], np.ndarray],
                    single_every: int, noise: float) -> pd.DataFrame:
    """Records (x, y, trt, z) of a simulated field; ``kernel`` maps squared distances to K."""
    rng = np.random.default_rng(seed)
    pts = rng.uniform(0, side, size=(n, 2)).round(2)
    d2 = ((pts[:, None, :] - pts[None, :, :]) ** 2).sum(-1)
    u = rng.multivariate_normal(np.zeros(n), kernel(d2))
    rows = []
    for i, (x, y) in enumerate(pts):
        for r in range(1 if i % single_every == 0 else 2):
            rows.append(dict(x=x, y=y, trt="AB"[(i + r) % 2],
                             z=5 + (r == 1) + u[i] + rng.normal(0, noise)))
    return pd.DataFrame(rows)


def point_design(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """y, X = [1, trt == B], Z (record → its distinct point) and the distinct points."""
    X = np.column_stack([np.ones(len(df)), (df.trt == "B").to_numpy(float)])
    pts, inv = np.unique(df[["x", "y"]].to_numpy(), axis=0, return_inverse=True)
    Z = np.zeros((len(df), len(pts)))
    Z[np.arange(len(df)), np.asarray(inv).ravel()] = 1.0
    return df.z.to_numpy(), X, Z, pts
