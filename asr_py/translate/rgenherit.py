"""lmmtools' ``genherit1(asr, id = "Genotype", only = NULL, Gmat = NULL)``: generalised
heritability of the genotype effects (Cullis et al. 2006; Oakey et al. 2006).

The genotype predictions ``predict(asr, classify = id, only = only, vcov = TRUE)`` (``only``
defaults to ``id``) give the prediction error variance matrix P (n x n);
h² = 1 - tr(P) / (n σ²_g), σ²_g the first variance component whose name contains ``id``;
with a relationship matrix ``Gmat`` (an ``INVERSE`` attribute saying whether it is already
inverted) h² = 1 - tr(G⁻¹ P) / n.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import bind_formals

__all__ = ["FUNCTIONS", "r_genherit1", "translate"]

FUNCTIONS = frozenset({"genherit1", "lmmtools::genherit1"})
_FORMALS = ("asr", "id", "only", "Gmat")


def translate(tr: Any, e: Any) -> str | None:
    """``genherit1(m, id = "Variety")`` -> ``r_genherit1(m, id='Variety')``; None for other
    arguments (predict()'s ``...``)."""
    got = bind_formals(_FORMALS, e.args)
    if got is None or "asr" not in got:
        return None
    kw = "".join(f", {k}={tr.py(got[k])}" for k in _FORMALS[1:] if k in got)
    return f"{tr.runtime('r_genherit1')}({tr.py(got['asr'])}{kw})"


def r_genherit1(asr: Any, id: str = "Genotype", only: Any = None,  # noqa: A002 - R's name
                Gmat: Any = None) -> float:  # noqa: N803 - R's name
    """lmmtools' ``genherit1``: see the module docstring."""
    if isinstance(asr, Untranslated):
        return asr._use()  # type: ignore[no-any-return]
    if not hasattr(asr, "predict") or not hasattr(asr, "varcomp"):
        raise AsrError("genherit1(): the first argument is not an asreml fit",
                       hint="genherit1(m, id = 'Genotype') with m <- asreml(...)")
    if only is None:
        if Gmat is not None:
            raise AsrError("genherit1(): argument only is NULL, but Gmat is not NULL")
        only = id
    pred = asr.predict(classify=id, only=only, vcov=True)
    p = np.asarray(pred.attrs["vcov"], dtype=float)
    n = p.shape[0]
    if Gmat is None:
        vc = asr.varcomp
        rows = [k for k in vc.index if id in str(k)]
        if not rows:
            raise AsrError(f"genherit1(): no variance component named like {id!r}",
                           hint="components: " + ", ".join(map(str, vc.index)))
        return float(1 - np.trace(p) / (float(vc.loc[rows[0], "component"]) * n))
    attrs = getattr(Gmat, "attrs", None) or {}
    inverse = attrs.get("inverse", attrs.get("INVERSE"))    # r_set_attr's key, or R's
    if inverse is None:
        raise AsrError('genherit1(): Gmat must have an "INVERSE" attribute',
                       hint='attr(G, "INVERSE") <- FALSE for a relationship matrix')
    g = np.asarray(Gmat, dtype=float)
    if not inverse:
        g = np.linalg.pinv(g)
    return float(1 - np.trace(g @ p) / n)
