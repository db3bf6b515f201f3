"""asreml's V-numbering of variance parameters (``vpredict(m, h2 ~ V1/(V1+V3))``).

asreml 4 lists, for a residual whose structure carries its own variances (``~ id(units):
us(trait)``, ``~ Indiv:ar1h(Time)``, ``~ ar1(col):ar1v(row)``, ``~ idv(units)``), a residual
scale ``<term>!R`` held fixed at 1 (constraint F) among the parameters, and V1, V2, ...
count that row too. Its place, from recorded asreml outputs and the scripts written against
them: before the residual's parameters when the residual is a product of factors - for
``id(units):us(trait)`` (a bivariate animal model's residual covariances are V5-V7 after the
fixed ``units:trait!R`` at V4), ``Indiv:ar1h(Time)``, ``ar1(col):ar1v(row)`` (the row
variance is V6 of two random terms + four rows) and ``idv(Smarthouse):ar1(Lane):ar1(Position)``
(asremlPlus's test41EstimateV.r reads the variance and the two correlations as
``vparameters[4:6]`` after two random terms); after ``units!units`` for a single
``idv(units)``. asr_py's varcomp has no such row (it is not a
parameter); :func:`asreml_order` gives the V-numbering with it, and :func:`asreml_varcomp`
asreml 4's ``summary(fit)$varcomp`` with it (component 1, bound F: asremlPlus's
test*PredictionsPresentation read the first ``idh`` residual variance as
``component[2]`` of a fit with no random term).

The random terms: asreml lists them by their number of effects, smallest first (terms of
equal size in formula order), whatever order the formula gives, then the residual
(:func:`random_term_order`). Recorded asreml 4.1 outputs: the gryphon animal-model tutorial
(``random = ~ vm(ANIMAL, ainv) + BYEAR + MOTHER`` prints BYEAR (34 levels), MOTHER,
vm(ANIMAL, ainv) (1309); ``us(trait):vm(ANIMAL, ainv) + us(trait):BYEAR + us(trait):MOTHER``
the same order; ``vm(ANIMAL, ainv) + ide(ANIMAL)``, equal sizes, in formula order); agridat's
barrero.maize (``gen + rep:loc:yearf + gen:yearf + gen:loc + gen:loc:yearf`` prints
rep:loc:yearf (428 effects) before gen (847)); asremlPlus's test42HEB25estimateV.r (indices
``c(1,2,6)``: Smarthouse:Zones:Mainplots (528) before us(Treatment.1):Genotype.ID (898), even
with ``keep.order = TRUE``) and test41Selection.r (the k = 10 spline terms
``at(Treatments, ...):spl(xDAP, k = 10)`` are ``vparameters[1..8]``, before Block:Cart (32));
a ``str()`` term counts its groups (:func:`_term_size`; test41Orange.r). The rule is inferred
from these printouts; asreml's documentation does not state it.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from asr_py.warning_classes import AsrWarning

#: marks the fixed residual scale in :func:`asreml_order`
SCALE = None


def _unwrap(t: Any) -> Any:
    from asr_py.vcov.wrapper import Wrapper

    while isinstance(t, Wrapper):
        t = t.template
    return t


def _term_size(term: Any) -> int:
    """The number of effects asreml sorts a random term by. A ``str(~ A + A:x, ~ diag(2):
    id(n))`` term (labelled ``A+A:x``) counts its n groups, not its 2n effects: asremlPlus's
    test41Orange.r reads ``vparameters[1:2]`` as the str term's diag(2) variances ahead of
    ``spl(x)`` (5 effects) when the str term has 10 (2 x 5)."""
    Z = getattr(term, "Z", None)
    n = int(Z.shape[1]) if Z is not None else len(getattr(term, "levels", ()))
    parts = getattr(_unwrap(getattr(term, "template", None)), "parts", None)
    if "+" in str(getattr(term, "label", "")) and parts and len(parts) > 1:
        last = int(getattr(parts[-1], "n", 0) or 0)
        if last and n % last == 0:
            return last
    return n


def random_term_order(model: Any, n: int) -> list[int]:
    """Positions into θ (``n`` parameters: the random terms' in formula order, then the
    residual's) with the random terms sorted by their number of effects, smallest first,
    ties in formula order (asreml's listing, module docstring); the identity when the
    model's terms do not account for ``n`` parameters."""
    terms = list(getattr(model, "random", None) or [])
    counts = [len(getattr(t, "param_names", ()) or ()) for t in terms]
    res = getattr(model, "residual", None)
    if not terms or sum(counts) + len(getattr(res, "param_names", ()) or ()) != n:
        return list(range(n))
    starts = np.concatenate([[0], np.cumsum(counts)]).astype(int)
    ranked = sorted(range(len(terms)), key=lambda j: (_term_size(terms[j]), j))
    order = [i for j in ranked for i in range(starts[j], starts[j + 1])]
    return order + list(range(int(starts[-1]), n))


def asreml_order(residual: Any, names: Sequence[str], model: Any = None
                 ) -> list[int | None]:
    """Positions into ``names`` in asreml's V order; ``None`` is the fixed ``!R`` row. With
    ``model``, the random terms in asreml's order too (:func:`random_term_order`)."""
    from asr_py.vcov.kronecker import Kronecker

    order: list[int | None] = list(random_term_order(model, len(names))) \
        if model is not None else list(range(len(names)))
    pnames = list(getattr(residual, "param_names", []) or [])
    if not pnames or pnames[0] not in names or len(getattr(residual, "section_terms",
                                                              []) or []) > 1 or \
            any(n.endswith("!R") for n in pnames):
        return order                        # the default scale, or dsum's own sections
    t = _unwrap(residual.template)
    if not getattr(t, "has_variance", False):
        return order
    if isinstance(t, Kronecker):
        if t.scale:
            return order
        first = 0                           # a product: the scale row comes first
    else:
        first = t.n_params
    at = order.index(list(names).index(pnames[0])) + first
    return order[:at] + [SCALE] + order[at:]


def asreml_names(residual: Any, names: Sequence[str]) -> list[str]:
    """``names`` with asreml's name of an ``idv(f)`` residual's variance: ``f!f`` where
    asr_py says ``f!f!var`` (asreml 4.1 prints ``units!units`` for ``residual = ~
    idv(units)``, then ``units!R``: the gryphon tutorial, JulienGAMartin/wam_tuto)."""
    label = str(getattr(residual, "label", ""))
    pnames = list(getattr(residual, "param_names", []) or [])
    old = f"{label}!{label}!var"
    if len(pnames) != 1 or pnames[0] != old:
        return list(names)
    return [f"{label}!{label}" if n == old else n for n in names]


def asreml_scale_name(residual: Any) -> str:
    return f"{residual.label}!R"


def with_scale_row(order: Sequence[int | None], names: Sequence[str], theta: np.ndarray,
                   vcov: np.ndarray, constraints: Sequence[str] | None,
                   scale_name: str) -> tuple[list[str], np.ndarray, np.ndarray,
                                             list[str] | None]:
    """names, θ, Var(θ̂) and constraints in asreml's V order: the scale row is 1, fixed
    (constraint 'F', no variance)."""
    k = len(order)
    idx = [i for i in order if i is not None]
    pos = [j for j, i in enumerate(order) if i is not None]
    th = np.ones(k)
    th[pos] = np.asarray(theta, dtype=float)[idx]
    V = np.zeros((k, k))
    V[np.ix_(pos, pos)] = np.asarray(vcov, dtype=float)[np.ix_(idx, idx)]
    nm = [scale_name if i is None else names[i] for i in order]
    cons = None if constraints is None else [
        "F" if i is None else constraints[i] for i in order]
    return nm, th, V, cons


def asreml_varcomp(varcomp: pd.DataFrame, residual: Any, model: Any = None) -> pd.DataFrame:
    """asreml 4's ``summary(fit)$varcomp`` from asr_py's ``fit.varcomp``: the same rows, in
    asreml's order, with the fixed residual scale ``<term>!R`` (component 1, no standard
    error, bound F, %ch 0) where :func:`asreml_order` places it; unchanged when asreml
    lists no such row."""
    order = asreml_order(residual, list(varcomp.index), model)
    if None not in order:
        return varcomp if order == list(range(len(varcomp))) else varcomp.iloc[order]
    scale = pd.DataFrame({c: [np.nan] for c in varcomp.columns}, index=[
        asreml_scale_name(residual)]).astype({c: t for c, t in varcomp.dtypes.items()
                                             if c != "bound" and t.kind == "f"})
    scale.loc[:, "component"] = 1.0
    if "bound" in scale.columns:
        scale["bound"] = "F"
    if "%ch" in scale.columns:
        scale.loc[:, "%ch"] = 0.0
    parts = [scale if i is None else varcomp.iloc[[i]] for i in order]
    out = pd.concat(parts)
    return out.set_axis(asreml_names(residual, list(out.index)), axis=0)


_V_REF = re.compile(r"(?<![\w.`])V(\d+)\b")


def warn_scale_reference(formula: str, names: Sequence[str], scale_name: str) -> None:
    """Warn when ``formula`` uses the V-number of asreml's fixed residual scale row
    ``scale_name`` (call it only for a model whose V-numbering has that row).

    That row (``<term>!R``, fixed at 1) is counted by asreml's V1, V2, ... but is not a row
    of asr_py's ``varcomp``, so a user counting varcomp rows reads every residual parameter
    one number too low: ``h2 ~ V1/(V1+V4)`` of a bivariate animal model divides by 1 + V1,
    not by V1 + the residual variance. asreml would compute the same (its varcomp lists the
    row); the warning names the row and the numbers of the residual's parameters."""
    used = {int(k) for k in _V_REF.findall(re.sub(r"`[^`]*`", " ", formula))}
    hit = [k for k in sorted(used) if 1 <= k <= len(names) and names[k - 1] == scale_name]
    if not hit:
        return
    k = hit[0]
    after = [f"V{j + 1} = {names[j]}" for j in range(k, min(k + 3, len(names)))]
    warnings.warn(
        f"vpredict: V{k} is {scale_name}, asreml's residual scale (fixed at 1; not a row of "
        f"varcomp). asreml's V-numbers count it, so the residual parameters follow it: "
        f"{', '.join(after)}{' ...' if k + 3 < len(names) else ''}. Name components in "
        f"backticks to avoid counting, e.g. `{names[k] if k < len(names) else names[0]}`",
        AsrWarning, stacklevel=3)
