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
