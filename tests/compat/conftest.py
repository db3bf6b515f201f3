"""Shared fixtures of the compat tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import asr_py as asr

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="session")
def oats_fit() -> asr.AsremlFit:
    """Yates' oats split plot (DT_yatesoats.csv): Y ~ N*V, random B + B:WP."""
    d = pd.read_csv(DATA / "DT_yatesoats.csv", dtype=str).astype({"Y": float})
    d["WP"] = d["B"] + "_" + d["V"]
    return asr.asreml("Y ~ N*V", random="~ B + B:WP", data=d)
