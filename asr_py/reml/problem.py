"""What the REML engine is given: numbers and covariance templates, never formula text.

    y = X β + Σ_j Z_j u_j + e,   u_j ~ N(0, G_j(θ)),   e ~ N(0, R(θ))

Global θ is the concatenation of every random block's template parameters (in order) and
then the residual template's parameters; ``RandomBlock.offset`` / ``MixedProblem.residual_offset``
say where each slice starts. Constraint codes per parameter (ASReml's): 'P' positive (kept
>= 0, flagged at the boundary), 'U' unconstrained, 'F' fixed at its start value, 'B' bounded
(kept within the template's lower/upper).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from asr_py.reml.params import ParamMap
from asr_py.vcov.base import CovTemplate, Matrix


@dataclass
class RandomBlock:
    """One random term: design ``Z`` (n x q, sparse) and covariance template G (q x q)."""

    name: str
    Z: sp.csc_matrix
    template: CovTemplate
    offset: int = 0


@dataclass
class MixedProblem:
    """A linear mixed model ready for REML: all matrices, templates, starting values."""

    y: np.ndarray
    X: Matrix
    random: list[RandomBlock]
    residual: CovTemplate
    theta0: np.ndarray
    constraints: list[str]
    names: list[str]
    residual_offset: int = 0
    x_names: list[str] = field(default_factory=list)
    #: the parameter map (:mod:`asr_py.reml.params`): the model stage's, else built from
    #: the templates (terms: the block names and 'residual')
    param_map: ParamMap | None = None

    def __post_init__(self) -> None:
        off = 0
        for b in self.random:
            b.offset = off
            off += b.template.n_params
        self.residual_offset = off
        n_theta = off + self.residual.n_params
        self.theta0 = np.asarray(self.theta0, dtype=float)
        if self.theta0.shape != (n_theta,):
            raise ValueError(f"theta0 has {self.theta0.size} values, the templates need {n_theta}")
        if len(self.constraints) != n_theta or len(self.names) != n_theta:
            raise ValueError("constraints and names need one entry per parameter")
        if self.param_map is None:
            self.param_map = ParamMap.from_templates(
                [b.name for b in self.random] + ["residual"],
                [b.template for b in self.random] + [self.residual], self.names,
                [str(c) for c in self.constraints], [False] * len(self.random) + [True])
        elif len(self.param_map) != n_theta:
            raise ValueError(f"the parameter map has {len(self.param_map)} rows, the templates "
                             f"need {n_theta}")

    @property
    def n_theta(self) -> int:
        return self.theta0.size

    def describe_invalid(self, theta: np.ndarray) -> str:
        """Which values of θ are outside the parameter space, in words (for error messages):
        a negative variance, a correlation outside (-1, 1), or the term whose covariance
        matrix is not positive definite."""
        theta = np.asarray(theta, dtype=float)
        templates = [b.template for b in self.random] + [self.residual]
        labels = [b.name for b in self.random] + ["the residual"]
        for t, label, sl in zip(templates, labels, self.slices()):
            th = theta[sl]
            if t.is_valid(th):
                continue
            for k, (kind, v) in enumerate(zip(t.param_kinds, th)):
                name = self.names[sl.start + k]
                if not np.isfinite(v):
                    return f"'{name}' is {float(v)}"
                if kind == "variance" and v < 0:
                    return f"the variance '{name}' is {float(v):g} (it must be >= 0)"
                if kind == "correlation" and abs(v) >= 1:
                    return f"the correlation '{name}' is {float(v):g} (it must lie in (-1, 1))"
            shown = ", ".join(f"{self.names[sl.start + k]} = {float(v):g}"
                              for k, v in enumerate(th[:6]))
            return (f"the covariance matrix of {label} is not positive definite ({shown}"
                    f"{' ...' if th.size > 6 else ''})")
        for t, sl in zip(templates, self.slices()):  # estimation limits (ASReml's !ARLIMIT)
            off = sl.start
            for k, (kind, a, b) in enumerate(zip(t.param_kinds, t.lower(), t.upper())):
                v, c = theta[off + k], str(self.constraints[off + k]).upper()
                if c != "F" and kind != "variance" and not a <= v <= b:
                    return (f"'{self.names[off + k]}' is {float(v):g}, outside the range "
                            f"[{float(a):g}, {float(b):g}] it is estimated in (give it "
                            "constraint 'F' to fit the model at that value)")
        bad = [f"'{n}' = {float(v):g}" for n, v, c in zip(self.names, theta, self.constraints)
               if str(c).upper() == "P" and v < 0]
        return ("a value outside its bounds: " + ", ".join(bad[:6])) if bad else \
            "a value outside its bounds"

    def slices(self) -> list[slice]:
        """θ slice of each random block, then of the residual."""
        out = [slice(b.offset, b.offset + b.template.n_params) for b in self.random]
        out.append(slice(self.residual_offset, self.residual_offset + self.residual.n_params))
        return out
