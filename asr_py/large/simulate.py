"""Breeding values u ~ N(0, A) simulated by the pedigree recursion (for Monte Carlo REML).

With parents before offspring, A = L D L' (module docstring of
:mod:`asr_py.genetics.pedigree`), so u = L D^{1/2} z, z ~ N(0, I), is computed as

    u_i = (u_s + u_d)/2 + sqrt(D_ii) z_i     (an unknown parent contributes 0),

with the Mendelian-sampling variances D_ii = 1/2 - (F_s + F_d)/4, 3/4 - F_p/4 or 1 from the
inbreeding coefficients F that ``asr.ainverse`` reports. One generation at a time (every
parent is in an earlier generation), for a block of columns at once: O(n K) work, no matrix.
For a T-trait G0 = L_G L_G', u_i (T-vector) is the same recursion on z_i L_G'.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from asr_py.errors import MatrixError, PedigreeError
from asr_py.genetics.pedigree import prepare_pedigree
from asr_py.genetics.relmatrix import RelMatrix

__all__ = ["PedigreeSampler"]


@dataclass
class PedigreeSampler:
    """Draws of u ~ N(0, A) for the animals of ``ainv`` (rows in ``ainv.ids`` order)."""

    sire: np.ndarray       # index of the sire in ids, -1 unknown
    dam: np.ndarray
    sd: np.ndarray         # sqrt(D_ii)
    layers: list[np.ndarray]  # animals of generation 0, 1, ...

    @classmethod
    def build(cls, pedigree: pd.DataFrame, ainv: RelMatrix) -> PedigreeSampler:
        """From the pedigree ``ainv`` was built from (columns id, sire, dam: the first three)
        and ``ainv`` itself (its ids and inbreeding coefficients)."""
        if not isinstance(pedigree, pd.DataFrame):
            raise PedigreeError(
                f"pedigree must be a DataFrame (id, sire, dam), got {type(pedigree).__name__}",
                hint="pass the pedigree frame given to asr.ainverse")
        if ainv.inbreeding is None:
            raise MatrixError(
                f"ainv ('{ainv.kind}') carries no inbreeding coefficients: Monte Carlo REML "
                "needs a pedigree A-inverse", hint="pass asr.ainverse(pedigree)")
        ped = prepare_pedigree(pedigree)
        ids = pd.Index(ainv.ids)
        pids = pd.Index(ped["id"].astype(str))
        if len(pids) != len(ids) or not (pids == ids).all():
            extra = list(pids.difference(ids)[:5]) or list(ids.difference(pids)[:5])
            raise PedigreeError(
                f"the pedigree ({len(pids)} animals after adding unlisted parents) is not the "
                f"one A-inverse was built from ({len(ids)} animals); e.g. {extra}",
                hint="pass the same pedigree frame to asr.ainverse and here")
        known_s, known_d = ped["sire"].notna().to_numpy(), ped["dam"].notna().to_numpy()
        sire = np.where(known_s, ids.get_indexer(ped["sire"].where(known_s, "").astype(str)), -1)
        dam = np.where(known_d, ids.get_indexer(ped["dam"].where(known_d, "").astype(str)), -1)
        f = ainv.inbreeding.reindex(ids).to_numpy(dtype=float)
        fs = np.where(sire >= 0, f[np.maximum(sire, 0)], 0.0)
        fd = np.where(dam >= 0, f[np.maximum(dam, 0)], 0.0)
        ks, kd = sire >= 0, dam >= 0
        d = np.where(ks & kd, 0.5 - 0.25 * (fs + fd),
                     np.where(ks, 0.75 - 0.25 * fs, np.where(kd, 0.75 - 0.25 * fd, 1.0)))
        gen = ped["generation"].to_numpy()
        order = np.argsort(gen, kind="stable")
        cut = np.flatnonzero(np.diff(gen[order])) + 1
        return cls(sire, dam, np.sqrt(d), np.split(order, cut))

    @property
    def n(self) -> int:
        return int(self.sd.size)

    def sample(self, z: np.ndarray) -> np.ndarray:
        """u = L D^{1/2} z for z (n, ...) standard normal: u ~ N(0, A) column by column."""
        u = self.sd.reshape(-1, *([1] * (z.ndim - 1))) * z
        for rows in self.layers[1:]:
            s, d = self.sire[rows], self.dam[rows]
            add = np.zeros((rows.size, *z.shape[1:]))
            ks, kd = s >= 0, d >= 0
            add[ks] += 0.5 * u[s[ks]]
            add[kd] += 0.5 * u[d[kd]]
            u[rows] += add
        return u
