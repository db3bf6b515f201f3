"""One family per trait of a multivariate GLMM (``family=[asr_gaussian(), asr_binomial()]``).

:class:`TraitFamilies` answers what the working-variate iteration (:mod:`asr_py.glmm.pql`)
asks of a family — g, g⁻¹, dμ/dη, V(μ), d(y, μ), a start μ, the support — record by record,
each record by its trait's family. The PQL working model is then the multivariate linear
mixed model of the working variates (y itself for identity-link Gaussian traits), with the
model's own random and residual structures (e.g. ``us(trait):vm(id, Ainv)`` and
``units:us(trait)``): the residual rows are weighted by W^{-1/2} R W^{-1/2}, and the residual
variance of each trait whose family has a fixed dispersion (binomial, Poisson: 1) is held
there while the residual covariances are estimated (a threshold model for a binary trait).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from asr_py.errors import AsrError, DataError
from asr_py.glmm.family import Family, as_family


@dataclass(frozen=True)
class _TraitLink:
    """The links of the traits, applied record by record."""

    families: tuple[Family, ...]
    trait: np.ndarray

    @property
    def name(self) -> str:
        return "/".join(f.link.name for f in self.families)

    def _apply(self, what: str, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        if x.shape[0] != self.trait.size:
            raise AsrError("a multi-trait GLMM applies each trait's link to that trait's "
                           "records only", hint="transform predictions by their 'trait' column")
        out = np.empty_like(x)
        for t, f in enumerate(self.families):
            m = self.trait == t
            out[m] = getattr(f.link, what)(x[m])
        return out

    def link(self, mu: np.ndarray) -> np.ndarray:
        return self._apply("link", mu)

    def inverse(self, eta: np.ndarray) -> np.ndarray:
        return self._apply("inverse", eta)

    def mu_eta(self, eta: np.ndarray) -> np.ndarray:
        return self._apply("mu_eta", eta)


@dataclass(frozen=True)
class TraitFamilies:
    """The family of each trait (in ``cbind`` order) and the trait of each record."""

    families: tuple[Family, ...]
    traits: tuple[str, ...]
    trait: np.ndarray

    name = "multi-trait"
    dispersion = None  # per trait: see :meth:`held_dispersions`
    total = None
    latent_residual_variance = None

    @property
    def link(self) -> _TraitLink:
        return _TraitLink(self.families, self.trait)

    def _by_trait(self, what: str, *arrays: np.ndarray) -> np.ndarray:
        out = np.empty(self.trait.size)
        for t, f in enumerate(self.families):
            m = self.trait == t
            out[m] = getattr(f, what)(*(np.asarray(a, dtype=float)[m] for a in arrays))
        return out

    def variance(self, mu: np.ndarray) -> np.ndarray:
        return self._by_trait("variance", mu)

    def start_mu(self, y: np.ndarray, w: np.ndarray) -> np.ndarray:
        return self._by_trait("start_mu", y, w)

    def unit_deviance(self, y: np.ndarray, mu: np.ndarray) -> np.ndarray:
        return self._by_trait("unit_deviance", y, mu)

    def valid_mu(self, mu: np.ndarray) -> bool:
        return all(f.valid_mu(np.asarray(mu)[self.trait == t])
                   for t, f in enumerate(self.families))

    def check_response(self, y: np.ndarray, w: np.ndarray) -> str | None:
        for t, f in enumerate(self.families):
            m = self.trait == t
            msg = f.check_response(np.asarray(y)[m], np.asarray(w)[m])
            if msg is not None:
                return f"trait '{self.traits[t]}': {msg}"
        return None

    def held_dispersions(self) -> list[tuple[str, float]]:
        """(trait, dispersion) of the traits whose residual variance is held."""
        return [(tr, float(f.dispersion)) for tr, f in zip(self.traits, self.families)
                if f.dispersion is not None]

    def family_of(self, trait: str) -> Family:
        return self.families[self.traits.index(trait)]

    def __str__(self) -> str:
        return ", ".join(f"{tr}: {f}" for tr, f in zip(self.traits, self.families))


def as_families(family: object, traits: Sequence[str], trait: np.ndarray
                ) -> Family | TraitFamilies:
    """A single family (univariate), or a :class:`TraitFamilies` from a list/tuple (one per
    trait, ``cbind`` order) or a dict {trait: family}."""
    if not isinstance(family, (list, tuple, dict)):
        return as_family(family)
    traits = tuple(traits)
    if isinstance(family, dict):
        unknown = [k for k in family if k not in traits]
        if unknown or len(family) != len(traits):
            raise DataError(f"family=: give one family per trait {list(traits)}"
                            + (f" (unknown: {unknown})" if unknown else ""),
                            hint="family={'y1': asr.asr_gaussian(), 'y2': asr.asr_binomial()}")
        fams = tuple(as_family(family[t]) for t in traits)
    else:
        if len(family) != len(traits):
            raise DataError(f"family= has {len(family)} families for {len(traits)} traits "
                            f"{list(traits)}",
                            hint="one family per trait of cbind(), in order")
        fams = tuple(as_family(f) for f in family)
    if len(traits) == 1:
        return fams[0]
    if any(f.total is not None for f in fams):
        raise DataError("binomial totals (total=) are not available in a multi-trait GLMM",
                        hint="give 0/1 records, or fit the binomial trait on its own")
    return TraitFamilies(fams, traits, np.asarray(trait, dtype=int))


__all__ = ["TraitFamilies", "as_families"]
