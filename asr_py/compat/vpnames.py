"""asreml-R's names of correlation parameters, where asr_py names them by their role.

asr_py names an AR(p)'s coefficients ``f!phi1``.., an MA's ``f!theta1``.. and the
distance structures' base ``f!cor`` (docs/vcov.md); asreml 4 lists them in
``fit$vparameters`` as (asremlPlus's estimateV reads these names, R/estimateV.v3.R):

* ``ar2``, ``ar3``: ``f!cor1``, ``f!cor2`` (, ``f!cor3``) — still the coefficients φ;
* ``ma1``: ``f!cor`` (θ); ``ma2``: ``f!cor1``, ``f!cor2`` (θ₁, θ₂);
* ``exp``, ``gau``: ``f!pow`` (the base ρ of ρ^d).

``fa(f, k):g`` and ``rr(f, k):g`` terms are labelled by asreml 4 with the structure call and
their rows by the bare level: ``fa(site, 2):female!101!var``, ``...!101!fa1``, ``!101!fa2``
(asreml-R 4 output printed in lfelipe-ferrao.github.io class/quantGenetic/week11_2022b.html;
scripts grep ``"^rr\\(TraitEnv, 2\\)"``); asr_py says ``site:female!site_101!var``.

A ``dsum(~ T | Site)`` residual's section parameters are named by the section alone:
``Site_S1!R`` (``dsum(~ units | site)``: agridat's damesa.maize.Rd printout ``site_S1!R``;
``dsum(~ id(units) | year)``: lfelipe-ferrao.github.io class/quantGenetic/week10_2022.html
``year_2008!R``, asreml 4.1) and ``Site_S1!Row!cor`` (``dsum(~ id(Range):ar1(Row) |
Experiment)``: a recorded ``summary(fit)$varcomp`` row ``Experiment_WMaA13BILO4!Row!cor`` in a
public NVT analysis script found by the code search); asr_py says ``Site_S1!units!R``,
``Site_S1!Range:Row!Row!cor``.

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


def _fa_renames(term: Any, part: Any, family: str | None = None) -> dict[str, str]:
    """asr_py's names of an fa/rr factor's parameters in ``term`` -> asreml 4's
    (``fa(f, k):g!lev!var``, ``fa(f, k):g!lev!fa1``; module docstring). ``family``: the
    written structure when it differs from the fitted one (``rr`` for the fa term fitted
    for ``rr(f, k):g + diag(f):g``, :mod:`asr_py.model.rr_pair`)."""
    from asr_py.vcov.factor_analytic import FactorAnalytic

    if not isinstance(part, FactorAnalytic) or not part.name:
        return {}
    label = str(term.label)
    call = f"{family or part.family}({part.name}, {part.order})"
    factors = label.split(":")
    if part.name not in factors:
        return {}
    new_label = ":".join(call if f == part.name else f for f in factors)
    out: dict[str, str] = {}
    prefix = f"{part.name}_"
    for pn in part.param_names:
        bare = pn[len(prefix):] if pn.startswith(prefix) else pn
        out[f"{label}!{pn}"] = f"{new_label}!{bare}"
    return out


def asreml_term_label(model: Any, term: Any) -> str:
    """``term``'s label as asreml names the term: an fa/rr factor written as its call,
    ``fa(site, 2):gen`` (asr_py's label is ``site:gen``); other terms as they are. The names
    of ``fit$G.param``, the design columns and the vparameters then share one prefix, as
    scripts that ``grep(term, ...)`` over them need (asremlPlus's test41MET.r)."""
    from asr_py.model.rr_pair import _is_fa_of

    label = str(term.label)
    pairs = list(getattr(model, "rr_pairs", []) or [])
    family = "rr" if any(_is_fa_of(term, p) for p in pairs) else None
    for part in _parts(getattr(term, "template", None)):
        renames = _fa_renames(term, part, family)
        if renames:
            return next(iter(renames.values())).split("!", 1)[0]   # fa(f, k):g!lev!fa1
    return label


def asreml_param_names(model: Any, names: Sequence[str]) -> list[str]:
    """``names`` (a fit's parameter names) with asreml's labels for the parameters of
    ar2/ar3/ma1/ma2/exp/gau and fa/rr factors (see the module); other names as they are."""
    rename: dict[str, str] = {}
    terms = list(getattr(model, "random", []) or [])
    if getattr(model, "residual", None) is not None:
        terms.append(model.residual)
    from asr_py.model.rr_pair import _is_fa_of

    pairs = list(getattr(model, "rr_pairs", []) or [])
    for term in terms:
        family = "rr" if any(_is_fa_of(term, p) for p in pairs) else None
        for part in _parts(getattr(term, "template", None)):
            for old_name, new_name in _fa_renames(term, part, family).items():
                rename.setdefault(old_name, new_name)
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
    rename.update(_dsum_renames(getattr(model, "residual", None), names))
    return [rename.get(n, n) for n in names]


def _dsum_renames(residual: Any, names: Sequence[str]) -> dict[str, str]:
    """A dsum section's parameters named as asreml names them: without the section's term
    (``Site_S1!R``, ``Site_S1!Row!cor`` where asr_py says ``Site_S1!units!R``,
    ``Site_S1!Col:Row!Row!cor``; see the module docstring)."""
    out: dict[str, str] = {}
    for st in list(getattr(residual, "section_terms", []) or []):
        head, _, inner = str(st).partition("!")
        if not inner or "_" not in head:
            continue
        prefix = f"{st}!"
        for n in names:
            if n.startswith(prefix) and n not in out:
                out[n] = f"{head}!{n[len(prefix):]}"
    return out
