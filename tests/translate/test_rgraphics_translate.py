"""Translation of real corpus lines of R's base graphics (each line is quoted from the
script named beside it) to the rgraphics runtime: no TODO, the call and its arguments as
R matches them, unknown arguments dropped with a NOTE; and the translated code run on
data, drawing through the same runtime and giving R's values."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from asr_py.translate import rgraphdevice as dv
from asr_py.translate import translate

FIT = "m <- asreml(y ~ 1, data = d)\n"
#: (corpus script, R line, a fragment the Python must hold)
LINES = [
    ("IssieWinney/Sparrows-HeritabilityofPersonality/scripts/Originals/activity-August2015.R",
     'plot(factor(ar$end), ar$total, log="y")', "r_plot(x=r_as_factor(ar['end']), "
     "y=ar['total'], log='y'"),
    ("lisamarieharrison/R-mixed-models/mixed model by depth.R",
     "text(stn.long[stn.long < 85], stn.lat[stn.long < 85], labels = c(1:118))",
     "labels=[*range(1, 118 + 1)]"),
    ("arthurkorte/MTMM/scripts/mtmm_function_2.r",
     "plot(output_ok$xpos,-log10(output_ok$Pval),col=output_ok$col,pch=16,"
     "ylab='-log10(pval)',xaxt='n',xlab='chromosome',axes=F,cex=1.2)",
     "xaxt='n', xlab='chromosome', axes=False, cex=1.2"),
    ("zaja10/UtilityFunctions/incoming_code.R",
     "pdf(file = plot_file_path, width = 8, height = 6)",
     "r_dev_open('pdf', file=plot_file_path, width=8, height=6)"),
    ("cculma/Norberg_2020/R_scripts/stagewise1_Norberg.R", "boxplot(Yield_BLUE4$BLUE)",
     "r_boxplot(Yield_BLUE4['BLUE'], r_src=['Yield_BLUE4$BLUE'])"),
    ("RaissaKrupek/Mixed_Models/Introduction Course VSNi/Session_06_Correlated_Observations.R",
     "boxplot(RESP~TIME,LUNG)", "r_boxplot(formula='RESP~TIME', data=LUNG"),
    ("susjoh/Deer_Recombination_GWAS/4.1_Heritability_GWAS_Reviewer_Update.R",
     'png(paste0("figs/4_GWAS_Manhattan_Plot_", AnalysisSuffix, ".png"), width = 12, '
     'height = 12, units = "in", res = 300)', "units='in', res=300"),
    ("cculma/Dreger_2022/R_scripts/9_stage_two.R", "hist(data1$predicted.value)",
     "r_hist(x=data1['predicted.value'], r_src=['data1$predicted.value'])"),
    ("mauricioaraujj/Pan_African_Trials_Network/scripts/Residual.R",
     'qqnorm(resid, main = paste("Q-Q Plot -", e))', "r_qqnorm(y=resid, main=r_paste("),
    ("jbmcauley/PhD_Repo/Scripts/Lepmap_crossover_count_part2.R",
     "hist(maternal$sum, breaks = 50)", "r_hist(x=maternal['sum'], breaks=50"),
    ("lisamarieharrison/R-broke-west/R-ctd-krill-compare.R",
     "par(mfrow = c(1, 1), mar = c(5, 5, 1, 1))", "r_par(mfrow=[1, 1], mar=[5, 5, 1, 1])"),
    ("igorkf/Maize_GxE_Prediction/src/blues.R",
     "plot(cvs_h2s$cv, cvs_h2s$h2, xlab = 'CV', ylab = 'h2')",
     "r_plot(x=cvs_h2s['cv'], y=cvs_h2s['h2'], xlab='CV', ylab='h2'"),
    ("ConradStack/ASReml-R-Short-Course/Day2/VarStruct/Leafarea.R", FIT + "plot(m)",
     "r_plot_fit(m)"),
    ("jrutUIUC/Wheat-Selection-Decisions-2021/single trial analysis 2021.R",
     FIT + 'plot(resid(m, type="stdCond"), main=stdnms[i])',
     "r_plot(x=r_resid_asreml(m, type='stdCond'), main=r_sub(stdnms, i)"),
    ("michaelhm-daf/ModellingGxExMwithECs/MumfordM2023_EcAnalysis_R-Script.R",
     FIT + "plot(m, facet=F)", "# NOTE(asr_py): plot(facet = F) of an asreml fit"),
    ("smallgrains-uiuc/Wheat-Selection-Decisions-2022/Adv and Pr 2021 YT UV blues.R",
     "m <- asreml(y ~ 1, residual = ~ar1(Row):ar1(Col), data = d)\nplot(varioGram(m))",
     "r_plot(m.variogram('Row', 'Col'))"),
]


@pytest.mark.parametrize("script,line,want", LINES, ids=[f"{s}:{i}" for i, (s, _, _) in
                                                         enumerate(LINES)])
def test_corpus_line(script: str, line: str, want: str) -> None:
    py = translate(line)
    assert "# TODO(asr_py): " not in py, py
    assert "".join(want.split()) in "".join(py.split()), py
    compile(py, script, "exec")


def test_unknown_argument_is_a_note() -> None:
    py = translate('hist(d$y, breaks = 20, main = "", xaxs = "i", density = 10, '
                   'angle = 30, warn.unused = FALSE)')
    assert "# TODO(asr_py): " not in py
    assert "# NOTE(asr_py): hist(density = 10) is not drawn" in py
    assert "density=" not in py.split("NOTE")[-1].split("\n", 1)[1]
    assert "xaxs='i'" in py and "breaks=20" in py


def test_script_own_plot_function_kept() -> None:
    py = translate("plot <- function(a) a + 1\nplot(3)")
    assert "r_plot" not in py


def test_run_values_as_r(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A translated script: hist()/boxplot() values read later are R's (R 4.2.2 printed
    counts 1 2 2 1 1 and the stats below for these data), figures in the pdf."""
    monkeypatch.chdir(tmp_path)
    dv.graphics_off()
    code = """
x <- c(1.2, 3.4, 2.2, 5.1, 4.4, 3.3, 2.9)
d <- data.frame(y = x * 2 + 1, g = c("a", "b", "a", "b", "a", "b", "a"))
pdf("f.pdf")
h <- hist(x, breaks = 3, col = "grey80")
s <- boxplot(y ~ g, data = d)$stats
dev.off()
"""
    py = translate(code)
    ns: dict = {}
    exec(compile(py, "t.py", "exec"), ns)
    dv.graphics_off()
    assert list(ns["h"]["counts"]) == [1, 2, 2, 1, 1]
    np.testing.assert_allclose(np.asarray(ns["s"]), [[3.4, 7.6], [4.4, 7.7], [6.1, 7.8],
                                                     [8.3, 9.5], [9.8, 11.2]])
    assert (tmp_path / "f.pdf").read_bytes().count(b"/Type /Page\n") + \
        (tmp_path / "f.pdf").read_bytes().count(b"/Type /Page ") >= 1
    assert isinstance(ns["d"], pd.DataFrame)


def test_lattice_xyplot_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """IssieWinney/Sparrows-HeritabilityofPersonality's ``xyplot(total~end, groups=asrid,
    data=ar, type="b")`` and exploration-july2015.R's ``xyplot((flights+x2r)~befaft, ...)``:
    a top-level lattice call is drawn (R prints it), an assigned one when printed; a page
    each, as R 4.2.2 writes them (two pages in Rplots.pdf for this script)."""
    monkeypatch.chdir(tmp_path)
    dv.graphics_off()
    code = """library(lattice)
ar <- data.frame(total = c(3, 5, 2, 6), end = c(1, 2, 1, 2), asrid = c("a", "a", "b", "b"),
                 flights = c(1, 2, 3, 4), x2r = c(0, 1, 0, 1), befaft = c(1, 2, 1, 2))
xyplot(total~end, groups=asrid, data=ar, type="b")
p <- xyplot((flights+x2r)~befaft, groups=asrid, data=ar, type="b", scales = list(cex = 2))
print(p)
"""
    py = translate(code)
    assert "# TODO(asr_py): " not in py
    assert "groups='asrid'" in py and "draw=True" in py
    assert "# NOTE(asr_py): xyplot(scales = list(cex = 2)) is not drawn" in py
    exec(compile(py, "t.py", "exec"), {})
    dv.graphics_off()
    pdf = (tmp_path / "Rplots.pdf").read_bytes()
    assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") == 2


def test_cor_use_partial_match() -> None:
    """kwstat/covardat's ``image(cor(datw, use="pair"))``: R pmatch()es ``use``; R 4.2.2
    printed 0.92155064056542813 for these vectors (``cor(x, y, use = "pair")``)."""
    from asr_py.translate.rvector import r_cor

    x = pd.Series([1, 2, None, 4, 5], dtype=float)
    y = pd.Series([2, 1, 4, None, 7], dtype=float)
    assert r_cor(x, y, use="pair") == pytest.approx(0.92155064056542813, rel=1e-15)
    with pytest.raises(Exception, match="not a choice"):
        r_cor(x, y, use="x")                         # R: invalid 'use' argument
