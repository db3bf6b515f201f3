"""Shared fixtures of the compat tests."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
from _plus_data import OATS_SPLIT_PLOT, WHEAT_MAXIMAL, oats_data, wheat_data

import asr_py as asr

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="session")
def oats_fit() -> asr.AsremlFit:
    """Yates' oats split plot (DT_yatesoats.csv): Y ~ N*V, random B + B:WP."""
    d = pd.read_csv(DATA / "DT_yatesoats.csv", dtype=str).astype({"Y": float})
    d["WP"] = d["B"] + "_" + d["V"]
    return asr.asreml("Y ~ N*V", random="~ B + B:WP", data=d)


@pytest.fixture(scope="module")
def wheat_fit() -> asr.AsremlFit:
    """asremlPlus's maximal Wheat model (``_plus_data.WHEAT_MAXIMAL``), fitted once for each
    test module that asks for it (its warnings about bound terms silenced)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asr.asreml(**WHEAT_MAXIMAL, data=wheat_data())


@pytest.fixture(scope="module")
def plus_oats_fit() -> asr.AsremlFit:
    """asremlPlus's Oats split plot (``_plus_data.OATS_SPLIT_PLOT``), fitted once for each
    test module that asks for it."""
    return asr.asreml(**OATS_SPLIT_PLOT, data=oats_data())
