"""asr.translate maps asremlPlus's prediction, alldiffs, estimateV and chooseModel calls (R's
dotted, partial and S3-method names) to asr.plus, and the translated script runs: its
expectations are numbers worked out independently here (the record count, the classify's
level count, a hand-made p-value walk)."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

from asr_py.translate import translate

SCRIPT = """
library(asreml)
library(asremlPlus)
library(testthat)
dat <- read.csv("DT_example.csv")
m <- asreml(Yield ~ Env, random = ~ Name + Env:Name, data = dat)
current.asrt <- as.asrtests(m)
diffs <- predictPlus.asreml(asreml.obj = m, classify = "Env",
                            wald.tab = current.asrt$wald.tab,
                            error.intervals = "Stand", tables = "none")
testthat::expect_true(validAlldiffs(diffs))
testthat::expect_equal(nrow(diffs$predictions), 3)
diffs <- redoErrorIntervals(diffs, error.intervals = "halfLeast", avsed.tol = NA)
diffs.sort <- sort(diffs, decreasing = TRUE)
testthat::expect_equal(attr(diffs.sort, which = "sortOrder")[1], "CA.2011")
V <- estimateV(m, which.matrix = "V")
testthat::expect_equal(nrow(V), 185)
marg <- marginality(pstructure(~ A*B, data = dat))
tab <- data.frame(term = c("A", "B", "A:B"), Pr = c(0.01, 0.5, 0.2))
sig <- chooseModel(tab, terms = "term", terms.marginality = marg, omit.DF = TRUE)
testthat::expect_equal(sig$sig.terms[[1]], "A")
cat("done\\n")
"""


def test_translated_asremlplus_prediction_workflow_runs(tmp_path: Path) -> None:
    py = translate(SCRIPT)
    for call in ("asr.plus.predictPlus(", "asreml_obj=m", "wald_tab=", "error_intervals=",
                 "asr.plus.redoErrorIntervals(", "avsed_tolerance=", "asr.plus.sort(",
                 "asr.plus.attr(", "asr.plus.estimateV(", "which_matrix=",
                 "asr.dae.marginality(asr.dae.pstructure(", "asr.plus.chooseModel(",
                 "terms_marginality=", "omit_DF=", "asr.plus.validAlldiffs("):
        assert call in py, call
    assert "untranslated(" not in py
    with resources.as_file(resources.files("asr_py.data").joinpath("DT_example.csv")) as p:
        (tmp_path / "DT_example.csv").write_bytes(Path(p).read_bytes())
    (tmp_path / "t.py").write_text(py)
    p = subprocess.run([sys.executable, "t.py"], cwd=tmp_path, capture_output=True, text=True,
                       env=dict(os.environ, MPLBACKEND="Agg"), timeout=300)
    assert p.returncode == 0, p.stderr
    assert "done" in p.stdout
    # CA.2011 has the largest mean (16.5 against 10.7 and 10.1); A is significant, A:B and B
    # are not (walked by hand)
    assert "asr_py.translate expectations: 5 agree, 0 differ, 0 unchecked, 0 error" in p.stdout
