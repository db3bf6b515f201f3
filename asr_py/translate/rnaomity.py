"""``asreml(..., na.omit.Y = "na.omit")``: no asreml argument. asreml 3's are
``na.method.Y``/``na.method.X`` (asreml 4's ``na.action = na.method(y, x)``), and R's
argument matching does not take ``na.omit.Y`` for any of them (exact, then unique prefix:
it is no prefix of a formal), so it goes to asreml's ``...`` and changes nothing: the
missing responses are handled by asreml's default, ``y = "include"``. For one response
(a univariate fit) that is the same fit as leaving those rows out: a missing y contributes
nothing to the REML likelihood, and asr_py handles a missing response the same way. Of a
multivariate response (``cbind(...)``, a trait model) the argument stays a TODO: whether a
partly missing record is kept then changes the fit.
"""
from __future__ import annotations

from asr_py.translate.parser import R

__all__ = ["NAMES", "neutral"]

#: the misspelt argument seen in the corpus (susjoh's scripts)
NAMES = frozenset({"na.omit.Y"})


def neutral(named: list[tuple[str, R]]) -> bool:
    """Whether the call's fixed formula has one response column (a plain name)."""
    fixed = [a for n, a in named if n == "fixed"]
    if len(fixed) != 1:
        return False
    f = fixed[0]
    lhs = f.left if f.kind == "formula" else None
    return lhs is not None and lhs.kind in ("name", "str")
