"""Factor-analytic and reduced-rank structures (option ``order`` = k, default 1).

``fa(site, k)`` / ``facv`` / ``xfa`` / ``sfa``:  Σ = Λ Λ' + Ψ, Λ the n x k loadings,
    Ψ = diag(ψ_i). ASReml's FA parametrisations are one covariance model ("FAk, FACVk and
    XFAk are different parameterizations of the factor analytic model in which S = GG' + P",
    ASReml 3 User Guide, Factor Analysis models); asreml-R's fa() is already the XFA form
    (parameters c(diag(Ψ), vec(Γ)), ψ = 0 allowed: Thompson et al. 2003), so ``xfa`` and
    ``sfa`` (the sparse form of the same ΛΛ' + Ψ) are fitted as fa: same Σ, θ and names.
    θ = ψ_1..ψ_n (names ``{name}_{level}!var``) then all n·k loadings column by column
    (``{name}_{level}!fa1`` for every level, ..., ``!fa{k}`` for every level): asreml-R's
    layout of ``vparameters``/``varcomp``/``init``, so n + n·k parameters. For
    identifiability λ_ij = 0 for i < j: the upper triangle of the first k rows are
    structural zeros, listed in θ (asreml shows them with constraint 'F') and held there
    (:meth:`CovTemplate.fixed_mask`); column j has n - j + 1 estimated loadings.
    ∂Σ/∂ψ_i = e_i e_i',   ∂Σ/∂λ_ij = e_i λ_j' + λ_j e_i'  (λ_j the j-th column).
    Valid: ψ_i > 0 ... Σ positive definite.
    Start: ψ_i = scale / 2 and every free loading sqrt(scale / (2k)), so diag(Σ) <= scale
    (the structural zeros start, and stay, at 0).

``rr(site, k)``: Σ = Λ Λ' (reduced rank, positive semi-definite and singular when k < n).
    asreml-R lists it as fa with Ψ = 0: n '!var' held at 0 ('F'), then the same loadings,
    names and structural zeros: n(k + 1) parameters (asremlPlus's G.rr checks that count).
    It has no inverse, so Henderson's equations cannot be formed with it: on its own it is
    fitted through its latent factors u = (Λ ⊗ I) f (ASReml's extended form,
    :mod:`asr_py.reml.rr_latent`); beside ``diag(site):id(variety)`` the pair is fitted as
    ``fa(site, 2):id(variety)``, its model (:mod:`asr_py.model.rr_pair`). ``is_valid``
    asks for ψ_i >= 0 and finite loadings. Start: ψ_i = 0, free loadings sqrt(scale / k).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from asr_py.errors import ModelError
from asr_py.vcov.base import Matrix, Structure, StructureSyntax, is_pd, label, register

#: an exchange start (:meth:`FactorAnalytic.exchange_start`) gives the raised ψ this share
#: of its level's variance and the lowered one EXCHANGE_LOW of its own
EXCHANGE_SHARE = 0.5
EXCHANGE_LOW = 1e-3


class _Loadings(Structure):
    """Shared loading bookkeeping for fa and rr."""

    family = "fa"
    dense_inverse = True

    def __init__(self, levels: Sequence[str], *, name: str = "", **options: object) -> None:
        super().__init__(levels, name=name, **options)
        k = self.options.get("order", 1)
        what = f"{self.family}({name or 'f'}, {k})"
        if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
            raise ModelError(f"{what}: the number of factors must be a positive integer")
        if k > self.n:
            raise ModelError(f"{what}: {k} factors for a factor with only {self.n} levels",
                             hint=f"use at most {self.n} factors")
        self.order = int(k)
        # every loading position (i, j), column by column (asreml's order); those with
        # i < j are the structural zeros
        self._pos = [(i, j) for j in range(self.order) for i in range(self.n)]
        self._zero = np.array([i < j for i, j in self._pos], dtype=bool)

    @property
    def n_params(self) -> int:
        """n specific variances (rr: held at 0) and n·k loadings, counted without forming
        their names (the engine asks for the count per parameter per iteration)."""
        return self.n + len(self._pos)

    def _loading_names(self) -> list[str]:
        return [label(self.name, f"{self.levels[i]}!fa{j + 1}") for i, j in self._pos]

    def loadings(self, lam: np.ndarray) -> np.ndarray:
        """Λ (n x k) from the n·k loadings listed column by column."""
        lam = np.asarray(lam, dtype=float)
        if lam.shape != (len(self._pos),):
            raise ModelError(f"{self.family}({self.name or 'f'}, {self.order}): "
                             f"{lam.size} loadings given, {len(self._pos)} expected",
                             hint=f"list the {self.order} columns of loadings of all "
                                  f"{self.n} levels, structural zeros included (asreml's "
                                  "layout)")
        return lam.reshape(self.order, self.n).T.copy()

    def _loading_fixed(self) -> np.ndarray:
        return self._zero.copy()

    def _initial_loadings(self, value: float) -> np.ndarray:
        return np.where(self._zero, 0.0, value)

    def _loading_derivatives(self, big: np.ndarray) -> list[np.ndarray]:
        out = []
        for i, j in self._pos:
            d = np.zeros((self.n, self.n))
            d[i, :] += big[:, j]
            d[:, i] += big[:, j]
            out.append(d)
        return out


@register("fa", "facv", "xfa", "sfa", syntax=StructureSyntax(
    "factor analytic with k factors", max_args=2, named=("k", "init"), order=True,
    words="factor analytic: loadings plus specific variances", math="ΛΛ' + Ψ ({n}×{n})",
    definition="Λ: {n}×k loadings, Ψ diagonal"))
class FactorAnalytic(_Loadings):
    """``fa(f, k)``: Σ = Λ Λ' + Ψ (see the module docstring)."""

    family = "fa"

    @property
    def param_names(self) -> list[str]:
        return [label(self.name, f"{lv}!var") for lv in self.levels] + self._loading_names()

    @property
    def param_kinds(self) -> list[str]:
        return ["variance"] * self.n + ["loading"] * len(self._pos)

    def fixed_mask(self) -> np.ndarray:
        """The structural zero loadings (i < j)."""
        return np.concatenate([np.zeros(self.n, dtype=bool), self._loading_fixed()])

    def matrix(self, theta: np.ndarray) -> Matrix:
        theta = np.asarray(theta, dtype=float)
        big = self.loadings(theta[self.n:])
        return big @ big.T + np.diag(theta[:self.n])

    def derivatives(self, theta: np.ndarray) -> list[Matrix]:
        theta = np.asarray(theta, dtype=float)
        out = []
        for i in range(self.n):
            d = np.zeros((self.n, self.n))
            d[i, i] = 1.0
            out.append(d)
        return out + self._loading_derivatives(self.loadings(theta[self.n:]))

    def is_valid(self, theta: np.ndarray) -> bool:
        """ψ_i >= 0, finite loadings and Σ positive definite."""
        theta = np.asarray(theta, dtype=float)
        if theta.shape != (self.n_params,) or not np.all(np.isfinite(theta)):
            return False
        if np.any(theta[:self.n] < 0):
            return False
        return is_pd(self.matrix(theta))

    def exchange_start(self, theta: np.ndarray, free: int, zero: int) -> np.ndarray | None:
        """ψ_free = EXCHANGE_SHARE·Σ_ff with λ_f scaled by sqrt(1 − EXCHANGE_SHARE), and
        ψ_zero = EXCHANGE_LOW·Σ_zz with λ_z scaled so Σ_zz is kept: diag(Σ) unchanged, the
        structural zeros kept (a row is scaled as a whole)."""
        th = np.asarray(theta, dtype=float).copy()
        n = self.n
        if free == zero or not (0 <= free < n and 0 <= zero < n) or th.size != self.n_params:
            return None
        lam = self.loadings(th[n:])
        sii = np.sum(lam ** 2, axis=1) + th[:n]
        cz = float(np.sum(lam[zero] ** 2))
        if not (sii[free] > 0 and sii[zero] > 0 and cz > 0):
            return None
        th[free] = EXCHANGE_SHARE * sii[free]
        lam[free] *= np.sqrt(1.0 - EXCHANGE_SHARE)
        th[zero] = EXCHANGE_LOW * sii[zero]
        lam[zero] *= np.sqrt((sii[zero] - th[zero]) / cz)
        th[n:] = lam.T.ravel()
        return th if self.is_valid(th) else None

    def initial(self, scale: float) -> np.ndarray:
        """ψ_i = scale/2, loadings sqrt(scale/(2k))."""
        return np.concatenate([np.full(self.n, scale / 2.0),
                               self._initial_loadings(np.sqrt(scale / (2.0 * self.order)))])


@register("rr", syntax=StructureSyntax(
    "reduced rank (fa without specific variances)", max_args=2, named=("k", "init"),
    order=True, words="reduced rank: loadings only", math="ΛΛ' ({n}×{n}, rank k)",
    definition="Λ: {n}×k loadings"))
class ReducedRank(FactorAnalytic):
    """``rr(f, k)``: Σ = Λ Λ', fa with Ψ held at 0 (positive semi-definite; see the module
    docstring)."""

    family = "rr"

    def fixed_mask(self) -> np.ndarray:
        """The n specific variances (held at 0) and the structural zero loadings."""
        return np.concatenate([np.ones(self.n, dtype=bool), self._loading_fixed()])

    def is_valid(self, theta: np.ndarray) -> bool:
        """ψ_i >= 0 and finite loadings (Λ Λ' + Ψ is positive semi-definite)."""
        theta = np.asarray(theta, dtype=float)
        return (theta.shape == (self.n_params,) and bool(np.all(np.isfinite(theta)))
                and bool(np.all(theta[:self.n] >= 0)))

    def exchange_start(self, theta: np.ndarray, free: int, zero: int) -> np.ndarray | None:
        """None: rr's ψ are held at 0 (no Heywood sets to exchange)."""
        return None

    def latent_identity(self) -> Structure:
        """I_k, the covariance of the k latent factors (u = (Λ ⊗ I) f)."""
        from asr_py.vcov.identity import Identity

        return Identity([f"fa{i + 1}" for i in range(self.order)],
                        name=f"{self.name or 'rr'}_latent")

    def initial(self, scale: float) -> np.ndarray:
        """ψ_i = 0, loadings sqrt(scale/k)."""
        return np.concatenate([np.zeros(self.n),
                               self._initial_loadings(np.sqrt(scale / self.order))])
