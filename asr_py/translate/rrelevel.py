"""R's ``relevel(x, ref)``: the factor ``x`` with the level ``ref`` moved first, the other
levels in their order (stats ``?relevel``); ``ref`` may be a level's name or its number. A
level that is not there is R's error ("'ref' must be an existing level")."""

from __future__ import annotations

from typing import Any

import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated


def r_relevel(x: Any, ref: Any) -> pd.Series:
    """``relevel(x, ref)``: a Categorical with ``ref`` as its first level."""
    from asr_py.translate.rfactorlevels import r_factor
    from asr_py.translate.runtime import r_levels

    if isinstance(x, Untranslated):
        return x._use()  # type: ignore[no-any-return]
    levels = [str(v) for v in r_levels(x)]
    if isinstance(ref, int | float) and not isinstance(ref, bool):
        if not 1 <= int(ref) <= len(levels):
            raise AsrError(f"relevel(): ref = {ref} is not a level number (1..{len(levels)})",
                           hint="R stops here too: 'ref' must be an existing level")
        ref = levels[int(ref) - 1]
    if str(ref) not in levels:
        raise AsrError(f"relevel(): ref = {ref!r} is not a level of the factor "
                       f"(levels {levels[:10]})",
                       hint="R stops here too: 'ref' must be an existing level")
    s = x if isinstance(x, pd.Series) else pd.Series(list(x))
    ordered = isinstance(s.dtype, pd.CategoricalDtype) and bool(s.cat.ordered)
    if ordered:
        raise AsrError("relevel(): an ordered factor", hint="R stops here too: 'relevel' "
                       "only for (unordered) factors")
    return r_factor(s, levels=[str(ref)] + [v for v in levels if v != str(ref)])
