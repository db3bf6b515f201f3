"""pascal's ``asreml.nvc(...)``: asreml "allowing for negative variance components".

The R package pascal (B. Schmid's group) wraps asreml: its help says it passes every
argument to ``asreml`` and fits with the random terms' variance components unbounded; an
optional ``ginits`` gives their start values as gammas (ratios to the residual variance,
in the order asreml lists them) and ``gconstraints`` their constraint codes when only some
are to be unbound. asreml's way to do this is to edit the G.param table (constraint 'U');
asr_py's is the same on its parameter table: :func:`r_asreml_nvc` takes the fit asreml()
makes with the call's arguments and refits from its estimates with every variance of a
random term unconstrained ('U'; correlations and covariances are so already), the
residual's parameters as they were. A variance that REML puts below zero is then reported
there, as asreml does, instead of held at its boundary.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from asr_py.errors import AsrError

__all__ = ["r_asreml_nvc"]


def r_asreml_nvc(fit: Any, ginits: Any = None, gconstraints: Any = None) -> Any:
    """``asreml.nvc(...)`` given the fit of ``asreml(...)`` (module docstring)."""
    tab = fit.params
    n_res = int(fit.model.residual.template.n_params)
    g = np.arange(len(tab) - n_res)
    var = g[(tab["Kind"].to_numpy()[g] == "variance")]
    if gconstraints is not None:
        codes = [str(c).upper() for c in np.atleast_1d(gconstraints)]
        if len(codes) != len(var):
            raise AsrError(f"asreml.nvc(gconstraints = ): {len(codes)} codes for {len(var)} "
                           "variance components of the random terms",
                           hint="one code ('P', 'U', 'F') per random-term variance, in the "
                           "order of summary(fit)$varcomp")
        tab.loc[var, "Constraint"] = codes
    else:
        tab.loc[var, "Constraint"] = "U"
    if ginits is not None:
        gam = np.atleast_1d(np.asarray(ginits, dtype=float))
        s2 = float(fit.sigma2)
        if gam.size != len(var):
            raise AsrError(f"asreml.nvc(ginits = ): {gam.size} values for {len(var)} "
                           "variance components of the random terms",
                           hint="one gamma per random-term variance, in the order of "
                           "summary(fit)$varcomp")
        tab.loc[var, "Value"] = gam * s2
    return fit.update(params=tab[["Component", "Value", "Constraint"]])


def translate_nvc(tr: Any, e: Any) -> str:
    """The Python of ``asreml.nvc(...)``: the asreml() call of its other arguments, given to
    :func:`r_asreml_nvc` with ``ginits`` / ``gconstraints``."""
    from dataclasses import replace

    own = [(n, a) for n, a in e.args if n in ("ginits", "gconstraints")]
    rest = [(n, a) for n, a in e.args if n not in ("ginits", "gconstraints")]
    fit = tr.asreml(replace(e, value="asreml", args=rest))
    extra = "".join(f", {n}={tr.py(a)}" for n, a in own)
    return f"{tr.runtime('r_asreml_nvc')}({fit}{extra})"
