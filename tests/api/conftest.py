"""Shared data for the end-to-end tests (copies in tests/data, sources in its README)."""

from pathlib import Path

import pandas as pd
import pytest

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="session")
def dt_example() -> pd.DataFrame:
    return pd.read_csv(DATA / "DT_example.csv",
                       dtype={c: str for c in ("Name", "Env", "Loc", "Year", "Block")})


@pytest.fixture(scope="session")
def sleepstudy() -> pd.DataFrame:
    return pd.read_csv(DATA / "sleepstudy.csv", dtype={"Subject": str})


@pytest.fixture(scope="session")
def gryphon() -> pd.DataFrame:
    return pd.read_csv(DATA / "DT_gryphon.csv", dtype=str).astype(
        {"BWT": float, "TARSUS": float})


@pytest.fixture(scope="session")
def gryphon_ped() -> pd.DataFrame:
    return pd.read_csv(DATA / "P_gryphon.csv", dtype=str, keep_default_na=False)
