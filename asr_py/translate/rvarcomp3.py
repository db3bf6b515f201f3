"""asreml 3's ``summary(fit)$varcomp`` in a script written for asreml-R 3.

asreml-R 3 (``rcov =``, ``na.method.X =``, ``asreml.Ainverse()``, ``$gammas``, ...) lays
the table out as ``gamma  component  std.error  z.ratio  constraint`` (asreml 4: component,
std.error, z.ratio, bound, %ch), and names its rows in its own way. Scripts index it by
those positions and names: ``summary(m)$varcomp[, 2:3]`` is component and std.error there,
``varcomp["plate!plate.var", "component"]``, ``varcomp[, "constraint"]``.

* ``gamma``: the parameter on asreml's scale, a variance as a ratio to the residual
  variance σ² (asreml 4's ``vparameters``), a correlation as it is; σ²'s own row 1;
* ``constraint``: asreml 3's words for asreml 4's bound codes (P Positive, B Boundary,
  F Fixed, U Unconstrained, C Constrained, S Singular);
* row names: a factor or an interaction of factors ``a:b`` is ``a:b!a.var``; a term
  ``f(x)`` is ``f(x)!f``; the residual variance ``units!R`` (one residual section) is
  ``R!variance``, a correlation of it ``R!<factor>.cor``; a section of a ``dsum``/``at``
  residual ``s!R`` is ``s!variance``. Other names (structured terms) stay as asreml 4
  gives them.

The names are those asreml-R 3 printed in public scripts and pages (``R!variance``,
``plate!plate.var``, ``clone:core!clone.var``, ``ped(Treeid)!ped``,
``site_Golden Downs!variance``); a script that mixes asreml 4's syntax in is read as
asreml 4.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

__all__ = ["is_asreml3", "r_varcomp3"]

#: syntax only asreml-R 3 accepts (asreml 4 renamed or removed it)
_V3 = re.compile(r"\brcov\s*=|\bna\.method\.[XY]\s*=|\basreml\.(?:Ainverse|control|gaussian|"
                 r"binomial|poisson|Gamma)\s*\(|\$gammas\b|\bgammas\.table\b|\bR\.param\s*=|"
                 r"\bG\.param\s*=")
#: syntax only asreml-R 4 accepts
_V4 = re.compile(r"\bresidual\s*=|\bvm\s*\(|\bna\.method\s*\(|\basr_(?:gaussian|binomial|"
                 r"poisson|Gamma)\s*\(|\$vparameters\b|\bvparameters\.table\b")
_CONSTRAINT = {"P": "Positive", "B": "Boundary", "F": "Fixed", "U": "Unconstrained",
               "C": "Constrained", "S": "Singular"}
_FACTORS = re.compile(r"^[A-Za-z.][\w.]*(?::[A-Za-z.][\w.]*)*$")
_CALL = re.compile(r"^([A-Za-z.][\w.]*)\([^()]*\)$")


def is_asreml3(code: str) -> bool:
    """Is ``code`` (comments left out) written for asreml-R 3?"""
    return _V3.search(code) is not None and _V4.search(code) is None


def _name3(name: str, sections: int) -> str:
    if name.endswith("!R"):
        return "R!variance" if sections == 1 else name[:-2] + "!variance"
    m = re.fullmatch(r"[^!]+!([^!]+)!cor", name)
    if m and sections == 1:
        return f"R!{m.group(1)}.cor"
    if _FACTORS.match(name):
        return f"{name}!{name.split(':')[0]}.var"
    c = _CALL.match(name)
    if c:
        return f"{name}!{c.group(1)}"
    return name


def r_varcomp3(fit: Any, renamed: dict[str, str] | None = None) -> Any:
    """asreml 3's ``summary(fit)$varcomp`` (module docstring); ``renamed``: the script's own
    terms of rewritten ones (``vm(Treeid, pedinv)`` was ``ped(Treeid)``), as their names."""
    from asr_py.translate.runtime import r_varcomp, r_vparameters

    vc = r_varcomp(fit)
    if not isinstance(vc, pd.DataFrame) or "component" not in vc.columns:
        return vc
    try:
        gamma = r_vparameters(fit).reindex(vc.index)
    except (AttributeError, KeyError, ValueError):   # a fit without asreml's parameters
        gamma = vc["component"]
    sections = sum(1 for n in vc.index if str(n).endswith("!R"))
    out = pd.DataFrame({
        "gamma": gamma.to_numpy(dtype=float),
        "component": vc["component"].to_numpy(dtype=float),
        "std.error": vc["std.error"].to_numpy(dtype=float),
        "z.ratio": vc["z.ratio"].to_numpy(dtype=float),
        "constraint": [_CONSTRAINT.get(str(b), str(b)) for b in vc.get("bound", [""] * len(vc))],
    }, index=[_name3((renamed or {}).get(str(n), str(n)), sections) for n in vc.index])
    return out
