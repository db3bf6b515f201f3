"""lucid's ``vc()`` of an asreml fit in translated scripts: its translation rule and runtime.

lucid 1.8 ``vc.asreml(object, gamma = FALSE)``: ``summary(object)$varcomp`` with its row
names moved into a first column ``effect`` (a factor in the table's order) and the row
names dropped; the columns component, std.error, z.ratio, bound, %ch as asreml gives them.
lucid's ``vc.lme``: nlme's ``VarCorr()`` table as numbers, its row names (made unique,
as R's make.unique) in a first column ``effect``, the columns lower-cased (variance, stddev,
corr); header rows ``g =`` of several levels are NA. ``vc()`` of anything else (an lmer or
mmer fit) is left as a TODO.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["FUNCTIONS", "r_vc", "translate"]

FUNCTIONS = frozenset({"vc", "lucid::vc"})


def translate(tr: Any, e: Any) -> str | None:
    """``vc(m)`` of a name bound to an asreml fit -> ``r_vc(m)``; None otherwise."""
    args = e.args
    if len(args) != 1 or args[0][0] not in (None, "object"):
        return None
    obj = args[0][1]
    if not tr.is_fit(obj) and not (obj.kind == "name" and obj.value in getattr(
            tr, "lm_fits", ())):
        return None
    return f"{tr.runtime('r_vc')}({tr.py(args[0][1])})"


def r_vc(fit: Any) -> Any:
    """lucid's ``vc()`` of an asreml fit: see the module docstring."""
    if isinstance(fit, Untranslated):
        return fit._use()
    from asr_py.translate.rnlmefit import LmeFit
    from asr_py.translate.runtime import r_varcomp

    if isinstance(fit, LmeFit):
        vv = fit.VarCorr()
        names: list[str] = []
        for nm in vv.index:     # R's make.unique: the second "(Intercept)" is "(Intercept).1"
            k, new = 0, str(nm)
            while new in names:
                k += 1
                new = f"{nm}.{k}"
            names.append(new)
        out = vv.reset_index(drop=True)
        out.columns = [str(c).lower() for c in out.columns]
        out.insert(0, "effect", pd.Categorical(names, categories=names))
        return out
    vc = r_varcomp(fit)
    if not isinstance(vc, pd.DataFrame):
        raise AsrError("vc(): the argument is not an asreml fit",
                       hint="vc(m) with m <- asreml(...)")
    out = vc.reset_index(drop=True)
    out.insert(0, "effect", pd.Categorical(list(vc.index), categories=list(vc.index)))
    return out
