"""Helpers shared by the translate tests: the bundled DT_example read as the translated
scripts read it, and running translated code."""

from __future__ import annotations

import warnings

import pandas as pd

#: DT_example's factor columns (read as text, as R's read.csv + as.factor gives levels)
FACTORS = ("Name", "Env", "Loc", "Year", "Block")


def dt() -> pd.DataFrame:
    """DT.csv of the ``workdir`` fixture (conftest.py) with its factors as text."""
    return pd.read_csv("DT.csv", dtype={c: str for c in FACTORS})


def run_py(code: str, **env) -> dict:
    """Execute translated code in a fresh namespace (seeded with ``env``); return it."""
    ns: dict = dict(env)
    exec(compile(code, "<translated>", "exec"), ns)  # noqa: S102
    return ns


def run_r(r_code: str, *, complete: bool = False, quiet: bool = False, **env) -> dict:
    """Translate R code and run it (:func:`run_py`); ``complete``: the translation must hold
    no placeholder of untranslated code; ``quiet``: the run's warnings are not shown."""
    from asr_py import translate

    py = translate(r_code)
    if complete:
        assert "untranslated(" not in py, py
    with warnings.catch_warnings():
        if quiet:
            warnings.simplefilter("ignore")
        return run_py(py, **{"__name__": "__translated__", **env})
