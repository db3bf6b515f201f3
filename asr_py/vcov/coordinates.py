"""The coordinates of a metric structure's levels and the distances between them.

A metric structure (``exp``, ``iexp``, ``ieuc``, ``sph``, ``aexp``, ...) reads the
position of each level from the option ``coords``: one number per level (a transect, 1-d)
or one row (x, y) per level (a field, 2-d). Without ``coords`` the level labels are read as
numbers: ``"1.5"`` (1-d) or ``"1.5:3"`` (2-d, the labels the compiler gives the distinct
(x, y) pairs of ``iexp(x, y)``).

Distances between levels i and j, with Δ_a = x_ia − x_ja over the axes a:

* city block   d¹_ij = Σ_a |Δ_a|
* euclidean    d_ij = (Σ_a Δ_a²)^½
* squared      d²_ij = Σ_a Δ_a²
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from asr_py.errors import ModelError

__all__ = ["level_coordinates", "axis_distances", "city_block", "euclidean", "squared"]


def level_coordinates(levels: Sequence[str], coords: object, what: str,
                      dims: tuple[int, ...] = (1, 2)) -> np.ndarray:
    """(n, d) coordinates of the ``levels`` (d one of ``dims``) from ``coords`` or the
    labels; a ModelError naming ``what`` when they are not finite numbers or the count or
    the dimension is wrong."""
    n = len(levels)
    if coords is None:
        try:
            rows = [[float(v) for v in str(lab).split(":")] for lab in levels]
        except ValueError:
            shown = ", ".join(str(v) for v in list(levels)[:3])
            raise ModelError(
                f"{what}: the levels are not numbers ({shown}...)",
                hint="a distance-based structure needs numeric coordinates: use numeric "
                "columns, or pass coords=[...]") from None
        if len({len(r) for r in rows}) > 1:
            raise ModelError(f"{what}: the levels mix 1-d and 2-d coordinates")
        x = np.array(rows, dtype=float).reshape(n, -1)
    else:
        x = np.asarray(coords, dtype=float)
        if x.ndim == 1:
            x = x.reshape(-1, 1)
        if x.ndim != 2 or x.shape[0] != n:
            raise ModelError(f"{what}: {x.shape[0] if x.ndim else x.size} coordinates for {n} "
                             "levels", hint="one coordinate (or one (x, y) row) per level")
    if x.shape[1] not in dims:
        want = " or ".join(f"{d}-d" for d in dims)
        raise ModelError(f"{what}: {x.shape[1]}-d coordinates, the structure takes {want}",
                         hint="write the coordinate columns as its arguments, e.g. "
                         "iexp(x, y) for a field")
    if not np.all(np.isfinite(x)):
        raise ModelError(f"{what}: the coordinates must be finite numbers")
    return x


def axis_distances(x: np.ndarray) -> np.ndarray:
    """(d, n, n): |x_ia − x_ja| for each axis a."""
    return np.abs(x.T[:, :, None] - x.T[:, None, :])


def city_block(x: np.ndarray) -> np.ndarray:
    """n x n city-block distances Σ_a |Δ_a|."""
    return axis_distances(x).sum(axis=0)


def squared(x: np.ndarray) -> np.ndarray:
    """n x n squared euclidean distances Σ_a Δ_a²."""
    return (axis_distances(x) ** 2).sum(axis=0)


def euclidean(x: np.ndarray) -> np.ndarray:
    """n x n euclidean distances (Σ_a Δ_a²)^½."""
    return np.sqrt(squared(x))
