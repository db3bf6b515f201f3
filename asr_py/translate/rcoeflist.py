"""asreml's ``coef(fit)`` as a whole and ``coef(fit, list = TRUE)``.

asreml-R's ``coef.asreml(object, list = FALSE, pattern = NULL)``:

* ``list = FALSE``: a list of the fixed and the random coefficients, ``$fixed`` and
  ``$random``, each every effect under asreml's names (``(Intercept)``, ``gen_G1``,
  ``rep_R1:block_B2``; the fixed ones in asreml's layout, :mod:`asr_py.results.coef_layout`;
  the random ones :mod:`asr_py.translate.rcoefrandom`). Here each is the labelled column
  ``coef(fit)$fixed`` is translated to (a Series indexed by the names), so ``cf <- coef(m);
  cf$fixed`` is ``coef(m)$fixed``.
* ``list = TRUE``: one component per model term, named by the term (``(Intercept)``,
  ``rep``, ``rep:block``, ``vm(gid, Ginv)``), holding that term's effects: the fixed terms in
  the layout's order, then the random terms in model order.

Of an object that is not an asreml fit (a function's parameter bound when the script runs
to an lm, lmer, gls or LMMsolve fit) the value is that object's own ``coef()``
(:func:`asr_py.translate.rlm.r_coef`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from asr_py.translate.parser import R
from asr_py.translate.rmatchargs import ArgMatchError, match_args

__all__ = ["r_coef_asreml", "translate"]

_FALSE = ("FALSE", "F")


def translate(tr: Any, e: R, unknown: bool = False) -> str | None:
    """``coef(fit)`` / ``coef(fit, list = )`` of an asreml fit (of any object when
    ``unknown``: it is decided when run) -> ``r_coef_asreml(...)``; None for other calls."""
    args = [(n, a) for n, a in e.args if a.kind != "empty"]
    try:
        got = match_args(("object", "list", "pattern"), args, "coef")
    except ArgMatchError:
        return None
    if "object" not in got or "pattern" in got or set(got) - {"object", "list"}:
        return None
    if not (unknown or tr.is_fit(got["object"])):
        return None
    extra = ""
    lst = got.get("list")
    if lst is not None and not (lst.kind == "name" and lst.value in _FALSE):
        extra = f", list={tr.py(lst)}"
    if tr.term_renamed:
        extra += f", renamed={tr.term_renamed!r}"
    order = "'reverse'" if "reverse" in tr.coef_fixed else "'model'"
    return f"{tr.runtime('r_coef_asreml')}({tr.py(got['object'])}{extra}, order={order})"


def r_coef_asreml(fit: Any, list: Any = False, order: str = "model",   # noqa: A002 - R's
                  renamed: dict[str, str] | None = None) -> Any:
    """``coef(fit, list = list)``: see the module docstring."""
    from asr_py.results.fit import AsremlFit
    from asr_py.translate.checks import Untranslated
    from asr_py.translate.rlm import r_coef

    if isinstance(fit, Untranslated):
        return fit._use()
    if not isinstance(fit, AsremlFit):
        return r_coef(fit)
    flag = list[0] if isinstance(list, (tuple, type([]))) and len(list) == 1 else list
    if not isinstance(flag, bool):
        from asr_py.errors import AsrError

        raise AsrError(f"coef(fit, list = {flag!r}): list must be TRUE or FALSE",
                       hint="coef(fit, list = TRUE) gives one component per term")
    from asr_py.translate.rcoefrandom import r_coef_random, random_terms

    if not flag:
        return {"fixed": fit.coef_fixed_all(order)["solution"],
                "random": r_coef_random(fit, renamed)["solution"]}
    return {**_fixed_terms(fit, order),
            **{label: tab["solution"] for label, tab in random_terms(fit, renamed)}}


def _fixed_terms(fit: Any, order: str) -> dict[str, pd.Series]:
    """The fixed effects in asreml's layout, one Series per term (its label)."""
    from asr_py.results.coef_layout import _term_labels

    sol = fit.coef_fixed_all(order)["solution"]
    groups = _term_labels(fit.model)
    if order == "reverse":
        groups = groups[::-1]
    out: dict[str, pd.Series] = {}
    seen: set[str] = set()
    for label, names in groups:
        own = [n for n in names if n in sol.index and n not in seen]
        seen.update(own)
        out[label] = sol.loc[own]
    rest = [n for n in sol.index if n not in seen]      # an estimate under no term's names
    if rest:
        out.setdefault("(other)", sol.loc[rest])
    return out
