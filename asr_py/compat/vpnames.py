"""asreml-R's names of correlation parameters, where asr_py names them by their role.

asr_py names an AR(p)'s coefficients ``f!phi1``.., an MA's ``f!theta1``.. and the
distance structures' base ``f!cor`` (docs/vcov.md); asreml 4 lists them in
``fit$vparameters`` as (asremlPlus's estimateV reads these names, R/estimateV.v3.R):

* ``ar2``, ``ar3``: ``f!cor1``, ``f!cor2`` (, ``f!cor3``) — still the coefficients φ;
* ``ma1``: ``f!cor`` (θ); ``ma2``: ``f!cor1``, ``f!cor2`` (θ₁, θ₂);
* ``exp``, ``gau``: ``f!pow`` (the base ρ of ρ^d).

The values are unchanged: only the labels of the asreml-R view differ.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

__all__ = ["asreml_param_names"]


def _parts(template: Any) -> Iterator[Any]:
    """The correlation/variance factors of a term's template (wrappers and Kronecker
    products opened)."""
    from asr_py.vcov.kronecker import Kronecker
    from asr_py.vcov.wrapper import Wrapper

    while isinstance(template, Wrapper):
        template = template.template
    if isinstance(template, Kronecker):
        for p in template.parts:
            yield from _parts(p)
    else:
        yield template


def _asreml_suffixes(part: Any) -> list[str] | None:
    """asreml's trailing names of ``part``'s correlation parameters, or None (same)."""
    from asr_py.vcov.autoregressive import AR2, AR3, MA1, MA2
    from asr_py.vcov.distance import _Distance

    if type(part) in (AR2, AR3):
        return [f"cor{j}" for j in range(1, part.p + 1)]
    if type(part) is MA1:
        return ["cor"]
    if type(part) is MA2:
        return ["cor1", "cor2"]
    if isinstance(part, _Distance):
        return ["pow"]
    return None


def asreml_param_names(model: Any, names: Sequence[str]) -> list[str]:
    """``names`` (a fit's parameter names) with asreml's labels for the parameters of
    ar2/ar3/ma1/ma2/exp/gau factors (see the module); other names as they are."""
    rename: dict[str, str] = {}
    terms = list(getattr(model, "random", []) or [])
    if getattr(model, "residual", None) is not None:
        terms.append(model.residual)
    for term in terms:
        for part in _parts(getattr(term, "template", None)):
            new = _asreml_suffixes(part)
            if new is None:
                continue
            try:
                old = part.corr_names()
            except (AttributeError, NotImplementedError):
                continue
            if len(old) != len(new):
                continue
            for o, n in zip(old, new):
                head = o.rsplit("!", 1)[0] + "!" if "!" in o else ""
                for full in (f"{term.label}!{o}", o):
                    rename.setdefault(full, full[:len(full) - len(o)] + head + n)
    return [rename.get(n, n) for n in names]
