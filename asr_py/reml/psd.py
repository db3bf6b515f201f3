"""Singular (positive semi-definite) known matrices in the mixed model equations.

A relationship matrix K of rank r < n (a centred genomic G has rank n − 1 at most) has no
inverse, so Henderson's C with G⁻¹ does not exist. With K = L L', L = U_r D_r^½ (n x r, from
the r eigenvalues above the tolerance of :meth:`KnownMatrix.rank`), write the random effect
of a term G = [σ²] Σ_1 ⊗ ... ⊗ K ⊗ ... ⊗ Σ_p as u = M v with

    M = I ⊗ ... ⊗ L ⊗ ... ⊗ I,   v ~ N(0, [σ²] Σ_1 ⊗ ... ⊗ I_r ⊗ ... ⊗ Σ_p),

so Z u = (Z M) v and Var(Z u) = Z M G_v M' Z' = Z G Z': V = Σ Z_j G_j Z_j' + R is unchanged,
and so is the REML log-likelihood −½[(n − p) log 2π + log|V| + log|X'V⁻¹X| + y'Py]; the
mixed model equations of (y, X, Z M, G_v, R) have a positive definite G_v and give it as
−½[(n − p) log 2π + log|R| + log|G_v| + log|C_v| + y'Py]. θ keeps its layout (the identity
has no parameters). Back in the original coordinates, with T = blockdiag(I_p, M_1, ...):

    û = M v̂,   PEV(u) = diag(M C_v⁻¹[v, v] M'),   Var([β̂; û] − [β; u]) = T C_v⁻¹ T'

(:class:`MappedFactor` answers ``solve`` with T C_v⁻¹ T', what ``predict`` needs). û has no
component along K's null space, as u itself has none. No ridge is added.
"""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from asr_py.reml.problem import MixedProblem, RandomBlock
from asr_py.reml.result import RemlResult
from asr_py.reml.solver import Factor
from asr_py.vcov.base import CovTemplate, Matrix


def _parts(template: CovTemplate) -> list[CovTemplate]:
    factors = template.kronecker_factors()
    return list(factors[1]) if factors is not None else [template]


def singular_known(template: CovTemplate) -> list[CovTemplate]:
    """The known matrices K of a (Kronecker) template that are singular (rank r < n): the
    parts with a :meth:`~asr_py.vcov.base.CovTemplate.rank_reduction`."""
    return [p for p in _parts(template) if p.is_known and p.rank_reduction() is not None]


def psd_note(km: CovTemplate, how: str) -> str:
    """The diagnostic line for a singular K fitted as PSD."""
    rk = km.rank()
    return (f"{km.name or 'known matrix'}: {rk.describe('K')}; positive semi-definite, "
            f"handled {how} (no ridge; û has no component along K's null space of "
            f"dimension {rk.n - rk.rank})")


def warn_undeclared(km: CovTemplate) -> None:
    """An AsrWarning (a UserWarning) for a singular K whose vm() did not declare
    singG = 'PSD', pointing at the user's line."""
    from asr_py.warning_classes import AsrWarning, user_stacklevel

    if km.sing_g == "PSD":
        return
    rk = km.rank()
    warnings.warn(f"{km.name or 'known matrix'}: K is singular (rank {rk.rank} of {rk.n}); it "
                  "is fitted as positive semi-definite (write vm(..., singG = 'PSD') to "
                  "declare it and silence this warning)", AsrWarning, stacklevel=user_stacklevel())


@dataclass
class _BlockMap:
    """u_j = M v_j for random block j (M: q_j x q_v, sparse)."""

    j: int
    M: sp.csr_matrix


class MappedFactor(Factor):
    """C⁻¹ "of the original coordinates" as T C_v⁻¹ T' (T: N x N_v, sparse) through the
    factor of the reduced system C_v; ``logdet`` is log|C_v| (C itself does not exist)."""

    name = "psd"

    def __init__(self, inner: Factor, T: sp.csr_matrix) -> None:
        if T.shape[1] != inner.n:
            raise ValueError("the map and the factor do not match")
        self.inner, self.T = inner, sp.csr_matrix(T)
        self.n = T.shape[0]
        self.name = f"{getattr(inner, 'name', '')}+psd"

    def solve(self, b: np.ndarray) -> np.ndarray:
        b = np.asarray(b, dtype=float)
        b2 = b.reshape(self.n, -1)
        x = self.T @ self.inner.solve(np.asarray(self.T.T @ b2))
        return np.asarray(x).reshape(b.shape)

    def logdet(self) -> float:
        return self.inner.logdet()

    def _columns(self, cols: np.ndarray) -> np.ndarray:
        e = sp.csr_matrix((np.ones(cols.size), (cols, np.arange(cols.size))),
                          shape=(self.n, cols.size))
        return np.asarray(self.T @ self.inner.solve(np.asarray((self.T.T @ e).todense())))

    def inverse_on(self, pattern: Matrix) -> sp.csc_matrix:
        pat = sp.csc_matrix(pattern)
        pat.sum_duplicates()
        cols = np.flatnonzero(np.diff(pat.indptr))
        full = self._columns(cols)  # N x len(cols)
        out = sp.lil_matrix(pat.shape)
        for k, c in enumerate(cols):
            rows = pat.indices[pat.indptr[c]:pat.indptr[c + 1]]
            out[rows, c] = full[rows, k][:, None]
        return sp.csc_matrix(out)

    def inverse_block(self, rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows, dtype=np.int64)
        out = self._columns(rows)[rows]
        return 0.5 * (out + out.T)

    def refactor(self, c_new: Matrix) -> Factor:
        raise NotImplementedError("a singular K has no coefficient matrix with K⁻¹ to refactor")


@dataclass
class RankReduction:
    """How a reduced problem maps back to the original one (see the module docstring)."""

    original: MixedProblem
    maps: list[_BlockMap]
    notes: list[str]

    def result(self, r: RemlResult) -> RemlResult:
        """The reduced fit in the original coordinates: û = M v̂, PEV = diag(M C_v⁻¹ M'),
        factor T C_v⁻¹ T'; θ, ℓ, score, AI, β̂, fitted values are unchanged."""
        prob = self.original
        by_j = {m.j: m for m in self.maps}
        p = r.beta.size
        u, pev, offs, tblocks = [], [], [], [sp.identity(p, format="csr")]
        off = p
        for j, (blk, uj, pj) in enumerate(zip(prob.random, r.u, r.pev)):
            offs.append(off)
            off += blk.template.n
            m = by_j.get(j)
            if m is None:
                u.append(uj)
                pev.append(pj)
                tblocks.append(sp.identity(uj.size, format="csr"))
                continue
            u.append(np.asarray(m.M @ uj).ravel())
            if r.factor is not None:
                rows = np.arange(r.u_offsets[j], r.u_offsets[j] + uj.size)
                cvv = r.factor.inverse_block(rows)
                mc = np.asarray(m.M @ cvv)
                pev.append(np.asarray(m.M.multiply(mc).sum(axis=1)).ravel())
            else:
                pev.append(np.full(blk.template.n, np.nan))
            tblocks.append(m.M)
        factor = None
        if r.factor is not None:
            factor = MappedFactor(r.factor, sp.block_diag(tblocks, format="csr"))
        return dataclasses.replace(
            r, u=u, pev=pev, u_offsets=offs, factor=factor,
            diagnostics=[*self.notes, *r.diagnostics])


def reduce_rank(problem: MixedProblem, how: str = "in the mixed model equations as u = L v, "
                "K = L L'") -> tuple[MixedProblem, RankReduction] | None:
    """The problem with every singular K replaced by I_r and Z_j by Z_j M_j (see the module
    docstring), and the map back; None when no random term has a singular K. Warns (once per
    K) when K was not declared with singG = 'PSD'."""
    random: list[RandomBlock] = []
    maps: list[_BlockMap] = []
    notes: list[str] = []
    seen: set[int] = set()
    for j, blk in enumerate(problem.random):
        sing = singular_known(blk.template)
        if not sing:
            random.append(blk)
            continue
        factors: list[sp.csr_matrix] = []
        parts: list[CovTemplate] = []
        for part in _parts(blk.template):
            red = part.rank_reduction() if any(part is k for k in sing) else None
            if red is not None:
                lr, eye = red
                factors.append(sp.csr_matrix(lr))
                parts.append(eye)
                if id(part) not in seen:
                    seen.add(id(part))
                    notes.append(psd_note(part, how))
                    warn_undeclared(part)
            else:
                factors.append(sp.identity(part.n, format="csr"))
                parts.append(part)
        M = factors[0]
        for f in factors[1:]:
            M = sp.kron(M, f, format="csr")
        tmpl = blk.template.with_factors(parts)
        z = sp.csc_matrix(sp.csr_matrix(blk.Z) @ M)
        z.eliminate_zeros()
        random.append(RandomBlock(blk.name, z, tmpl))
        maps.append(_BlockMap(j, M))
    if not maps:
        return None
    reduced = dataclasses.replace(problem, random=random)
    return reduced, RankReduction(problem, maps, notes)


__all__ = ["MappedFactor", "RankReduction", "psd_note", "reduce_rank", "singular_known",
           "warn_undeclared"]
