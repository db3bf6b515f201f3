"""R's ``terms()`` attributes of a model formula given as text (``attr(f, "factors")``).

R's ``terms.formula`` expands the right-hand side into its terms (main effects first, by
order) and describes them by ``factors``: a matrix with one row per variable (the response
first, then each variable in the order it first appears; a call such as
``spl(xDAP, k = 10)`` is one variable) and one column per term, nonzero where the variable
is in the term (2 where the term without it is not in the model: R's coding by all
levels, else 1, by contrasts); ``term.labels``, ``order`` (the number of variables in each
term), ``intercept`` and ``response`` (1 when the formula has a left-hand side).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["formula_terms"]


def _squash(s: str) -> str:
    return "".join(s.split())


def formula_terms(text: str, kind: str = "random") -> dict[str, Any]:
    """The attributes of R's ``terms(formula)`` for the formula ``text`` (``kind``: how
    asr_py's expansion reads it, "fixed" or "random"); {} when it cannot be read (an
    ``update()`` template with ``.``)."""
    from asr_py.errors import AsrError
    from asr_py.formula import expand, parse_formula

    try:
        tl = expand(parse_formula(text), "fixed" if kind == "fixed" else "random")
    except (AsrError, ValueError):
        return {}
    lhs = text.split("~", 1)[0].strip() if "~" in text else ""
    flat = _squash(text)
    labels, parts = [], []
    for t in tl.terms:
        ps = [str(p) for p in t.parts]
        labels.append(":".join(ps))
        parts.append(ps)
    seen: dict[str, int] = {}
    for ps in parts:
        for p in ps:
            if p not in seen:
                at = flat.find(_squash(p))
                seen[p] = at if at >= 0 else len(flat)
    variables = ([lhs] if lhs else []) + sorted(seen, key=lambda v: seen[v])
    factors = pd.DataFrame(0, index=variables, columns=labels, dtype=int)
    present = {frozenset(ps) for ps in parts}
    for lab, ps in zip(labels, parts):
        for p in ps:      # 2: the term's margin without p is not in the model (R's coding)
            margin = frozenset(ps) - {p}
            factors.loc[p, lab] = 1 if not margin or margin in present else 2
    return {"variables": variables, "factors": factors, "term.labels": labels,
            "order": [len(ps) for ps in parts], "intercept": int(bool(tl.intercept)),
            "response": int(bool(lhs))}
