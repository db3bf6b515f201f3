"""asremlPlus's ``asrtests`` object for translated scripts: ``as.asrtests(fit, wald.tab,
test.summary)`` -> :func:`as_asrtests`.

An ``asrtests`` object is a list with ``$asreml.obj`` (the fit), ``$wald.tab`` (its Wald
table) and ``$test.summary`` (the tests and changes made so far: terms, DF, denDF, p,
action). Here it is a dict with those keys, so ``x$asreml.obj`` (``x['asreml.obj']``) is the
asr_py fit. Differences from asremlPlus: ``wald.tab`` is asr_py's Wald table with
``denDF = "numeric"`` (Kenward-Roger denominator df, F.adj and Pr(F), and the chi-square
columns; asreml's numeric denDF may differ slightly); the functions that change an asrtests object
(``changeTerms``, ``testranfix``, ``chooseModel``, ...) are not emulated and stay TODOs.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from asr_py.errors import AsrError

__all__ = ["AsrTests", "as_asrtests"]

_SUMMARY_COLUMNS = ("terms", "DF", "denDF", "p", "action")


class AsrTests(dict):  # type: ignore[type-arg]
    """asremlPlus's asrtests list: keys ``asreml.obj``, ``wald.tab``, ``test.summary``."""

    def __repr__(self) -> str:
        return (f"asrtests object\n{self['asreml.obj']!r}\n\nWald tests:\n{self['wald.tab']}"
                f"\n\nTest summary:\n{self['test.summary']}")


def as_asrtests(asreml_obj: Any, wald_tab: pd.DataFrame | None = None,
                test_summary: pd.DataFrame | None = None, **_: Any) -> AsrTests:
    """asremlPlus's ``as.asrtests(asreml.obj, wald.tab = NULL, test.summary = NULL, ...)``:
    the Wald table is computed when not given, the test summary starts empty."""
    if not hasattr(asreml_obj, "wald") or not hasattr(asreml_obj, "varcomp"):
        raise AsrError(f"as.asrtests() needs an asr.asreml() fit, not "
                       f"{type(asreml_obj).__name__}",
                       hint="the first argument must be the fit of an asreml() call")
    if wald_tab is None:    # asremlPlus: denDF = "numeric" (asr_py: Kenward-Roger)
        wald_tab = asreml_obj.wald(denDF="numeric")
    if test_summary is None:
        test_summary = pd.DataFrame({c: pd.Series(dtype=object if c in ("terms", "action")
                                                  else float) for c in _SUMMARY_COLUMNS})
    return AsrTests({"asreml.obj": asreml_obj, "wald.tab": wald_tab,
                     "test.summary": test_summary})
