"""translate(): a path under the script's ``setwd()`` folder is the working folder's file
(rsetwd.py). On the author's machine ``setwd("~/G/W-2022")`` then
``write.csv(x, "~/G/W-2022/out.csv")`` writes ``out.csv`` in the working folder; R's
``file.path`` semantics make the two spellings one file. Other absolute paths stay."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from _translate_fixtures import run_py

from asr_py.translate import translate


def test_paths_under_the_setwd_folder_are_relative(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    py = translate('setwd("~/Documents/GitHub/W-2022/")\nd <- data.frame(a = c(1, 2))\n'
                   'write.csv(d, file = "~/Documents/GitHub/W-2022/sub/out.csv")\n'
                   'e <- read.csv("~/Documents/GitHub/W-2022/sub/out.csv")\n')
    assert "~/Documents" not in py.split("setwd", 1)[1].split("\n", 1)[1]
    (tmp_path / "sub").mkdir()
    ns = run_py(py)
    assert (tmp_path / "sub" / "out.csv").exists()
    assert ns["e"]["a"].tolist() == [1, 2]
    # another folder (or no setwd at all) is left as written
    other = translate('setwd("~/A")\nx <- read.csv("~/B/x.csv")\ny <- read.csv("~/A2/y.csv")\n')
    assert "'~/B/x.csv'" in other and "'~/A2/y.csv'" in other
    assert "'/root/x.csv'" in translate('x <- read.csv("/root/x.csv")\n')
    assert isinstance(ns["d"], pd.DataFrame)


def test_paths_under_an_earlier_setwd_folder(tmp_path: Path, monkeypatch) -> None:
    """smallgrains-uiuc/Wheat-Selection-Decisions-2023 "single trial analysis 2023.R": it
    reads its data after ``setwd(".../W-2023")``, moves to ``.../W-2023/Residuals`` and writes
    ``".../W-2023/YT blues 2023.csv"`` in full: on the author's machine the project folder's
    file, beside the data (not under the last setwd() folder)."""
    monkeypatch.chdir(tmp_path)
    pd.DataFrame({"a": [3, 4]}).to_csv(tmp_path / "in.csv", index=False)
    py = translate('setwd("~/G/W-2023")\nd <- read.csv("in.csv")\n'
                   'setwd("~/G/W-2023/Residuals")\n'
                   'write.csv(d, file = "~/G/W-2023/YT blues.csv", row.names = FALSE)\n'
                   'setwd(somewhere)\n'
                   'e <- read.csv("~/G/W-2023/YT blues.csv")\n')
    ns = run_py(py)
    assert (tmp_path / "YT blues.csv").exists()
    assert ns["e"]["a"].tolist() == [3, 4]
    # a path under neither folder stays as written
    assert "'~/G/W-2024/x.csv'" in translate('setwd("~/G/W-2023")\nsetwd("~/G/W-2023/R")\n'
                                             'x <- read.csv("~/G/W-2024/x.csv")\n')
