"""Warnings about the user's input point at the user's line (the ``asr.asreml(...)`` call),
not at a line inside asr_py: the singular-K warning used to show
``asr_py/api.py:333: UserWarning ... return _fit(model, problem, ...)``. It is now an
AsrWarning (still a UserWarning) located by :func:`asr_py.warning_classes.user_stacklevel`."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

import asr_py as asr
from asr_py.warning_classes import user_stacklevel


def _lines() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(5)
    n = 30
    M = rng.binomial(2, 0.5, size=(n, 50)).astype(float)
    W = M - M.mean(axis=0)                     # centred: K singular (rank n - 1)
    ids = [f"L{i}" for i in range(n)]
    K = pd.DataFrame(W @ W.T / 25, index=ids, columns=ids)
    d = pd.DataFrame({"id": ids * 2, "y": rng.normal(size=2 * n),
                      "dam": rng.integers(1, 8, 2 * n)})
    return d, K


def _caught(**kw) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        asr.asreml(**kw)
    return [w for w in rec if issubclass(w.category, asr.AsrWarning)]


def test_singular_k_warning_points_at_the_call() -> None:
    d, K = _lines()
    got = [w for w in _caught(fixed="y ~ 1", random="~ vm(id, K)", data=d, K=K)
           if "K is singular" in str(w.message)]
    assert got and got[0].filename == __file__
    assert issubclass(got[0].category, UserWarning)


def test_numeric_random_term_warning_points_at_the_call() -> None:
    d, _ = _lines()
    got = [w for w in _caught(fixed="y ~ 1", random="~ dam", data=d)
           if "fitted as a covariate" in str(w.message)]
    assert got and got[0].filename == __file__


def test_user_stacklevel_outside_the_package_is_one() -> None:
    assert user_stacklevel() == 1
