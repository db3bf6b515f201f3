"""openxlsx's ``read.xlsx`` (session 28, s28fa; GIS-FA_Mallawi reads its environmental
covariates with ``read.xlsx("featuresexperiments1.xlsx", rowNames = TRUE)`` and selects
rows by environment name). openxlsx's documentation: ``read.xlsx(xlsxFile, sheet,
startRow = 1, colNames = TRUE, rowNames = FALSE, detectDates = FALSE, skipEmptyRows = TRUE,
skipEmptyCols = TRUE, rows = NULL, cols = NULL, check.names = FALSE, sep.names = ".",
namedRegion = NULL, na.strings = "NA", fillMergedCells = FALSE)``; "rowNames: If TRUE, first
column of data will be used as row names". Before, every argument but the file and sheet
was dropped silently (the row names became a data column). Expected values are the
workbook's own cells, written here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_r

from asr_py.translate import translate


@pytest.fixture()
def book(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    d = pd.DataFrame({"env": ["E1", "E2", "E3"], "rain": [510.0, 620.5, 480.0],
                      "temp": [21.0, 23.5, 19.0]})
    with pd.ExcelWriter(tmp_path / "cov.xlsx") as w:
        d.to_excel(w, sheet_name="one", index=False)
        pd.DataFrame([["junk", None], ["a", "b"], [1, 2]]).to_excel(
            w, sheet_name="two", index=False, header=False)
    return tmp_path


def test_row_names_from_the_first_column(book) -> None:
    ns = run_r('m <- read.xlsx("cov.xlsx", rowNames = TRUE)\n'
               'r <- m[c("E3", "E1"), "rain"]\n'
               'n <- nrow(m)\n', complete=True)
    assert list(ns["m"].index) == ["E1", "E2", "E3"]
    assert list(ns["m"].columns) == ["rain", "temp"]
    np.testing.assert_allclose(np.asarray(ns["r"], dtype=float), [480.0, 510.0])
    assert ns["n"] == 3


def test_defaults_sheet_and_start_row(book) -> None:
    ns = run_r('a <- read.xlsx("cov.xlsx", rowNames = FALSE)\n'
               'b <- read.xlsx(xlsxFile = "cov.xlsx", sheet = 2, startRow = 2)\n',
               complete=True)
    assert list(ns["a"].columns) == ["env", "rain", "temp"]
    assert list(ns["b"].columns) == ["a", "b"]
    assert list(ns["b"].iloc[0]) == [1, 2]


def test_an_argument_away_from_its_default_is_refused() -> None:
    py = translate('x <- read.xlsx("cov.xlsx", cols = 1:2)\n')
    assert "TODO(asr_py)" in py and "cols" in py
