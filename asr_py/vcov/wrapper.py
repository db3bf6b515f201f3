"""The base of templates built from one inner template with the same parameters
(:class:`~asr_py.vcov.composite.Subset`, :class:`~asr_py.vcov.weighted.Weighted`)."""

from __future__ import annotations

import numpy as np

from asr_py.vcov.base import CovTemplate, FoldFace


class Wrapper(CovTemplate):
    """Σ(θ) computed from ``template`` at the same θ: the parameters, their kinds, bounds,
    starting values and validity are the wrapped template's; subclasses give the values."""

    def __init__(self, template: CovTemplate) -> None:
        self.template = template
        self.has_variance = template.has_variance

    def leaves(self, offset: int = 0) -> list[tuple[CovTemplate, int]]:
        """The wrapped template's leaves (a wrapper is PD exactly when its template is)."""
        return self.template.leaves(offset)

    def rewrap(self, template: CovTemplate) -> CovTemplate | None:
        """The same wrapper around another ``template`` of the same size and θ layout (a face
        of the wrapped one); None (the default) when the subclass cannot."""
        return None

    def fold_faces(self) -> list[FoldFace]:
        """The wrapped template's folds, each face wrapped in the same way."""
        out = []
        for f in self.template.fold_faces():
            face = self.rewrap(f.template)
            if face is not None:
                out.append(FoldFace(f.i, f.j, face, f.normal, f.why))
        return out

    @property
    def param_names(self) -> list[str]:
        return self.template.param_names

    @property
    def param_kinds(self) -> list[str]:
        return self.template.param_kinds

    @property
    def n_params(self) -> int:
        return self.template.n_params

    def lower(self) -> np.ndarray:
        return self.template.lower()

    def upper(self) -> np.ndarray:
        return self.template.upper()

    def initial(self, scale: float) -> np.ndarray:
        """The wrapped template's starting values."""
        return self.template.initial(scale)

    def is_valid(self, theta: np.ndarray) -> bool:
        """The wrapped template is valid (the wrapper keeps positive definiteness)."""
        return self.template.is_valid(theta)
