"""A user-defined variance structure (ASReml's ``own``).

Written ``own(f, "fun", init, type)`` (asreml-R 4: ``own(obj, fun, init, type)``): ``fun``
names a function of the user's, passed to ``asreml(..., fun=callable)``, that takes the
order n of the matrix and the parameter vector κ and returns ``[Σ(κ), ∂Σ/∂κ_1, ...,
∂Σ/∂κ_k]`` (n x n arrays or DataFrames), as ASReml-R's own function returns
``list(V, dV1, ..., dVk)``. ``init`` gives κ's start (one value per parameter: the number of
parameters) and ``type`` each parameter's kind, ASReml's codes:

* ``"V"`` (or ``"G"``) a variance: lower bound 0, the structure carries its own scale;
* ``"R"`` a correlation, in (−1, 1); ``"P"`` a correlation in (0, 1);
* ``"C"`` a covariance, ``"L"`` a loading, ``"U"`` unbounded.

Without a variance among them Σ is a correlation-like matrix and the term gets one scale
σ² (ASReml's rule), as for ``ar1``. Parameters are named ``{f}!{fun}{j}`` (j = 1..k).

The structure checks what the function returns on every call (k + 1 matrices, each n x n,
finite, Σ symmetric) and says which function broke which rule; the derivatives are the
user's: tests/vcov checks a correct one against finite differences, and
:func:`check_own_derivatives` lets a user do the same.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from asr_py.errors import ModelError
from asr_py.vcov.base import Structure, StructureSyntax, label, register

#: ASReml's type code -> (kind, lower, upper)
TYPES: dict[str, tuple[str, float, float]] = {
    "V": ("variance", 0.0, np.inf), "G": ("variance", 0.0, np.inf),
    "R": ("correlation", -1.0, 1.0), "P": ("correlation", 0.0, 1.0),
    "C": ("covariance", -np.inf, np.inf), "L": ("loading", -np.inf, np.inf),
    "U": ("other", -np.inf, np.inf),
}


class OwnStructure(Structure):
    """``own``: Σ(κ) and its derivatives from the user's function (module docstring)."""

    linear = False

    def __init__(self, levels: Sequence[str], *, name: str = "", **options: object) -> None:
        super().__init__(levels, name=name, **options)
        fun = self.options.get("fun")
        self.fun_name = str(self.options.get("fun_name") or getattr(fun, "__name__", "own"))
        what = f"own({name or 'f'}, '{self.fun_name}')"
        if not callable(fun):
            raise ModelError(f"{what}: the function is not given (got {type(fun).__name__})",
                             hint=f"pass asreml(..., {self.fun_name}=f) with f(order, kappa) "
                             "returning [V, dV/dkappa_1, ...]")
        self.fun: Callable[..., Any] = fun
        init = np.atleast_1d(np.asarray(self.options.get("init", []), dtype=float)).ravel()
        if init.size == 0:
            raise ModelError(f"{what}: needs init, one start value per parameter",
                             hint=f"own({name or 'f'}, '{self.fun_name}', init = 0.1, "
                             "type = 'R')")
        types = self.options.get("types", None)
        codes = [str(t).upper() for t in (np.atleast_1d(types) if types is not None else [])]
        if len(codes) == 1 and init.size > 1:
            codes = codes * init.size
        if len(codes) != init.size:
            raise ModelError(f"{what}: {len(codes)} type codes for {init.size} parameters",
                             hint="one code per parameter: 'V' variance, 'R' correlation, "
                             "'P' positive correlation, 'C' covariance, 'L' loading, "
                             "'U' unbounded")
        bad = [c for c in codes if c not in TYPES]
        if bad:
            raise ModelError(f"{what}: unknown type code '{bad[0]}'",
                             hint="the codes are " + ", ".join(TYPES))
        self._init, self._codes = init, codes
        self.has_variance = any(TYPES[c][0] == "variance" for c in codes)
        self._call(init)  # what the function returns is checked once before any fit

    # ----- description --------------------------------------------------------------------
    @property
    def param_names(self) -> list[str]:
        return [label(self.name, f"{self.fun_name}{j + 1}", "!") for j in range(self._init.size)]

    @property
    def param_kinds(self) -> list[str]:
        return [TYPES[c][0] for c in self._codes]

    def lower(self) -> np.ndarray:
        return np.array([TYPES[c][1] for c in self._codes])

    def upper(self) -> np.ndarray:
        return np.array([TYPES[c][2] for c in self._codes])

    def initial(self, scale: float) -> np.ndarray:
        """The ``init`` values as given."""
        return self._init.copy()

    # ----- values ---------------------------------------------------------------------------
    def _call(self, theta: np.ndarray) -> list[np.ndarray]:
        what = f"own({self.name or 'f'}, '{self.fun_name}')"
        kappa = np.asarray(theta, dtype=float).copy()
        try:
            out = self.fun(self.n, kappa)
        except Exception as exc:  # noqa: BLE001 - the user's code: say where it failed
            raise ModelError(f"{what}: the function failed at kappa = {kappa.tolist()}: "
                             f"{type(exc).__name__}: {exc}") from exc
        if not isinstance(out, (list, tuple)):
            out = [out]
        k = self._init.size
        if len(out) != k + 1:
            raise ModelError(f"{what}: the function returned {len(out)} matrices, expected "
                             f"{k + 1} (the matrix and one derivative per parameter)",
                             hint="return [V, dV/dkappa_1, ..., dV/dkappa_k]")
        mats = []
        for j, m in enumerate(out):
            a = np.asarray(getattr(m, "values", m), dtype=float)
            if a.shape != (self.n, self.n):
                raise ModelError(f"{what}: element {j + 1} is {a.shape}, expected "
                                 f"{self.n} x {self.n} (the levels of '{self.name}')")
            if not np.all(np.isfinite(a)):
                raise ModelError(f"{what}: element {j + 1} has non-finite values at kappa = "
                                 f"{kappa.tolist()}")
            mats.append(a)
        if not np.allclose(mats[0], mats[0].T, rtol=1e-10, atol=1e-12):
            raise ModelError(f"{what}: the matrix is not symmetric at kappa = {kappa.tolist()}")
        return mats

    def matrix(self, theta: np.ndarray) -> np.ndarray:
        return self._call(theta)[0]

    def derivatives(self, theta: np.ndarray) -> list[np.ndarray]:
        return self._call(theta)[1:]


def check_own_derivatives(t: OwnStructure, theta: Sequence[float], h: float = 1e-6
                          ) -> float:
    """The largest difference between the user's derivatives and central finite differences
    of Σ at θ (relative to max |Σ|): a check of an own function before fitting."""
    th = np.asarray(theta, dtype=float)
    ders = t.derivatives(th)
    scale = max(1.0, float(np.abs(t.matrix(th)).max()))
    worst = 0.0
    for k in range(th.size):
        step = h * max(1.0, abs(th[k]))
        tp, tm = th.copy(), th.copy()
        tp[k] += step
        tm[k] -= step
        fd = (t.matrix(tp) - t.matrix(tm)) / (2 * step)
        worst = max(worst, float(np.abs(fd - ders[k]).max()) / scale)
    return worst


register("own", syntax=StructureSyntax(
    "user-defined structure", max_args=4, named=("fun", "init", "type"),
    words="a user-defined matrix Σ(κ) from the function named in the call",
    math="OWN(κ)", definition="[Σ, ∂Σ/∂κ_1, ...] = fun(n, κ)"))(OwnStructure)
