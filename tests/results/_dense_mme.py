"""An independent dense mixed-model computation for the predict()/wald() sweeps.

Nothing here uses asr_py: design matrices are built from the data frame with pandas and
numpy, over-parameterised (an intercept and one column per level of every factor and of
every interaction, no constraints), so C is singular along the fixed null space and a
generalised inverse (the Moore-Penrose pinv) is taken. Estimable functions L·[β; u] and
their variances L C⁻ L' do not depend on the g-inverse (Searle 1971, ch. 5), which makes the
comparison with asr_py's own parameterisation (R contrasts, aliased columns dropped) a real
check. Predictions follow Welham et al. (2004): a prediction is a weighted average of cell
rows x'β + z'u, the weights set by the classify/average/present rules (built by each test).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass
class Design:
    """Columns of an over-parameterised design: one block per term (a tuple of variable
    names; () is the intercept). A name in ``levels`` is a factor (one column per level,
    interactions: one per combination, first factor slowest); any other is a covariate
    (its value multiplies the block)."""

    terms: list[tuple[str, ...]]
    levels: dict[str, list[str]]

    def blocks(self) -> list[tuple[int, int]]:
        out, off = [], 0
        for t in self.terms:
            k = int(np.prod([len(self.levels[f]) for f in t if f in self.levels]))
            out.append((off, off + k))
            off += k
        return out

    @property
    def ncol(self) -> int:
        return self.blocks()[-1][1] if self.terms else 0

    def rows(self, cells: pd.DataFrame) -> np.ndarray:
        """The design rows of ``cells`` (a column per variable the terms use)."""
        n = len(cells)
        M = np.zeros((n, self.ncol))
        for t, (a, _) in zip(self.terms, self.blocks()):
            facs = [f for f in t if f in self.levels]
            covs = [f for f in t if f not in self.levels]
            idx = np.zeros(n, dtype=int)
            ok = np.ones(n, dtype=bool)
            for f in facs:
                labs = self.levels[f]
                code = np.array([labs.index(str(v)) if str(v) in labs else -1
                                 for v in cells[f]])
                ok &= code >= 0
                idx = idx * len(labs) + np.maximum(code, 0)
            val = np.ones(n)
            for c in covs:
                val = val * cells[c].to_numpy(dtype=float)
            r = np.nonzero(ok)[0]
            M[r, a + idx[r]] = val[r]
        return M


@dataclass
class DenseMME:
    """The solution [β̂; û] and the generalised inverse C⁻ of Henderson's mixed model
    equations, dense, from V = ZGZ' + R."""

    X: np.ndarray
    Z: np.ndarray
    G: np.ndarray
    R: np.ndarray
    y: np.ndarray

    def __post_init__(self) -> None:
        # the V form (Henderson 1975): no G⁻¹, so variances at a boundary (G ~ 0) and
        # singular G (a PSD relationship matrix) are fine
        X, Z, G = self.X, self.Z, self.G
        V = Z @ G @ Z.T + self.R
        Vi = np.linalg.inv(V)
        # columns scaled to unit length first: covariates at user scales (x ~ 100, x² ~ 10⁴)
        # would otherwise make the relative cut-off of pinv drop real directions
        nrm = np.linalg.norm(X, axis=0)
        D = np.diag(1.0 / np.where(nrm > 0, nrm, 1.0))
        Q = D @ np.linalg.pinv(D @ X.T @ Vi @ X @ D, rcond=1e-10, hermitian=True) @ D
        P = Vi - Vi @ X @ Q @ X.T @ Vi
        GZ = G @ Z.T
        cxz = -Q @ X.T @ Vi @ Z @ G
        self.Cinv = np.block([[Q, cxz], [cxz.T, G - GZ @ P @ GZ.T]])
        self.sol = np.concatenate([Q @ X.T @ Vi @ self.y, GZ @ P @ self.y])
        self.V = V
        self.p = p = X.shape[1]
        # l is estimable when l·n = 0 for every null vector n of X; n = D·n_s, n_s a null
        # vector of the scaled X·D (right singular vectors with a zero singular value)
        _, sv, vt = np.linalg.svd(X @ D)
        sv = np.concatenate([sv, np.zeros(p - sv.size)])
        Ns = vt[sv <= 1e-10 * sv[0]].T
        N = np.linalg.qr(D @ Ns)[0] if Ns.size else np.zeros((p, 0))
        self.null_proj = N @ N.T                  # projector on the null space of X

    def estimable(self, L: np.ndarray, tol: float = 1e-7) -> np.ndarray:
        """Per row of L: is its fixed part in the row space of X?"""
        Lf = np.atleast_2d(L)[:, : self.p]
        scale = np.abs(Lf).sum(axis=1) + 1.0
        return np.abs(Lf @ self.null_proj).max(axis=1) < tol * scale

    def predict(self, L: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(L·ŝ, L C⁻ L')."""
        L = np.atleast_2d(L)
        return L @ self.sol, L @ self.Cinv @ L.T


def one_hot_rows(design: Design, cells: Sequence[dict]) -> np.ndarray:
    """Design rows of a list of cells given as {variable: value} dicts."""
    return design.rows(pd.DataFrame(list(cells)))


def average_rows(design: Design, classify: dict[str, str], avg: dict[str, dict[str, float]],
                 fixed_values: dict[str, float] | None = None,
                 keep: callable | None = None) -> np.ndarray:
    """The average of the design rows of the cells (classify levels fixed, every
    combination of the ``avg`` factors' levels, weights the product of their weights;
    ``keep(cell)`` False drops a cell before the weights are renormalised)."""
    names = list(avg)
    cells, w = [], []
    for combo in itertools.product(*[list(avg[f].items()) for f in names]):
        cell = dict(classify)
        cell.update({f: lv for f, (lv, _) in zip(names, combo)})
        cell.update(fixed_values or {})
        if keep is not None and not keep(cell):
            continue
        cells.append(cell)
        w.append(float(np.prod([wt for _, wt in combo])))
    if not cells:
        return np.full(design.ncol, np.nan)
    w = np.asarray(w) / np.sum(w)
    return w @ one_hot_rows(design, cells)


def equal(levels: Sequence[str]) -> dict[str, float]:
    """Equal weights over ``levels``."""
    return {str(v): 1.0 for v in levels}


def sed_of(V: np.ndarray) -> np.ndarray:
    d = np.diag(V)
    return np.sqrt(np.clip(d[:, None] + d[None, :] - 2 * V, 0, None))
