"""Session 31 (s31lang): R constructs translate used to leave as TODO or got wrong.

R's own values (magrittr's dot, ``l$a[i] <- v`` on a list, data.frame() row names) are
checked against R 4.2.2 in the R oracle (roracle/snippets.R). Here: asreml's ``coef(fit)``
and ``coef(fit, list = TRUE)``, and a prediction's table taken as ``p$pvals``, against closed
forms of a balanced randomised complete block design (random blocks), whose BLUEs are the
treatment means and whose block BLUPs shrink the block means by t σ²_b / (t σ²_b + σ²_e)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_py

from asr_py.translate import translate

T, B = 4, 5


def _rcbd() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    d = pd.DataFrame({"trt": np.repeat([f"T{i + 1}" for i in range(T)], B),
                      "blk": np.tile([f"B{j + 1}" for j in range(B)], T)})
    d["y"] = (10 + np.repeat([0, 1.5, -0.7, 2.2], B) + np.tile(rng.normal(0, 1.2, B), T)
              + rng.normal(0, 0.8, T * B))
    return d


def _todos(py: str) -> list[str]:
    return [ln for ln in py.splitlines() if "# TODO(asr_py):" in ln]


def _closed_forms(d: pd.DataFrame, fit) -> tuple[pd.Series, pd.Series]:
    """Balanced RCBD: treatment means (BLUEs) and block BLUPs at the fit's σ²_b, σ²_e."""
    vc = fit.varcomp["component"]
    sb, se = float(vc.loc["blk"]), float(vc.iloc[-1])
    means = d.groupby("trt")["y"].mean()
    shrink = T * sb / (T * sb + se)
    blups = shrink * (d.groupby("blk")["y"].mean() - d["y"].mean())
    return means, blups


CODE = """library(asreml)
m <- asreml(y ~ trt, random = ~ blk, data = d)
cf <- coef(m)
cl <- coef(m, list = TRUE)
b <- coef(m, list = TRUE)$trt[, 1]
p <- predict(m, classify = "trt")
pv <- p$pvals
pv$w <- 1 / pv$std.error^2
blues <- function(x) coef(x)$fixed
blups <- function(x) coef(x)$random %>% data.frame(gen = rownames(.), BLUP = .)
g <- blups(m)
"""


@pytest.fixture(scope="module")
def ran() -> dict:
    py = translate(CODE)
    assert not _todos(py), py
    return run_py(py, d=_rcbd())


def test_coef_list_false_holds_fixed_and_random_under_asreml_names(ran: dict) -> None:
    means, blups = _closed_forms(ran["d"], ran["m"])
    cf = ran["cf"]
    assert set(cf) == {"fixed", "random"}
    fixed = cf["fixed"]
    # asreml 4.2's layout: (Intercept) first, every level (the reference's effect 0)
    assert list(fixed.index) == ["(Intercept)", "trt_T1", "trt_T2", "trt_T3", "trt_T4"]
    assert fixed["(Intercept)"] == pytest.approx(means["T1"], abs=1e-8)
    eff = (means - means["T1"]).to_numpy()
    assert np.allclose(fixed.iloc[1:].to_numpy(), eff, atol=1e-8)
    assert list(cf["random"].index) == [f"blk_B{j + 1}" for j in range(B)]
    assert np.allclose(cf["random"].to_numpy(), blups.to_numpy(), atol=1e-6)


def test_coef_list_true_has_one_component_per_term(ran: dict) -> None:
    means, blups = _closed_forms(ran["d"], ran["m"])
    cl = ran["cl"]
    assert list(cl) == ["(Intercept)", "trt", "blk"]
    assert list(cl["trt"].index) == ["trt_T1", "trt_T2", "trt_T3", "trt_T4"]
    assert np.allclose(cl["trt"].to_numpy(), (means - means["T1"]).to_numpy(), atol=1e-8)
    assert np.allclose(cl["blk"].to_numpy(), blups.to_numpy(), atol=1e-6)
    # coef(m, list = TRUE)$trt[, 1]: the one-column matrix's values with their names
    assert list(ran["b"].index) == list(cl["trt"].index)
    assert np.allclose(ran["b"].to_numpy(), cl["trt"].to_numpy())


def test_coef_of_a_function_parameter_is_decided_when_run(ran: dict) -> None:
    """MullerLi/Asremlr_Shiny's ``coef(x)$random %>% data.frame(gen = rownames(.), BLUP = .)``
    with x a function's parameter (was a TODO; the pipe's nested dot was an undefined name)."""
    _, blups = _closed_forms(ran["d"], ran["m"])
    g = ran["g"]
    assert list(g["gen"]) == [f"blk_B{j + 1}" for j in range(B)]
    assert np.allclose(g.iloc[:, 1].to_numpy(), blups.to_numpy(), atol=1e-6)
    assert list(g.index) == list(g["gen"])            # R: row names from the named column
    assert ran["blues"](ran["m"]).equals(ran["cf"]["fixed"])


def test_pvals_taken_from_a_prediction_is_its_table(ran: dict) -> None:
    """``pv <- p$pvals; pv$predicted.value`` (cculma's stage-wise scripts, 22 TODO lines):
    the table's column; changing pv leaves p alone (R copies)."""
    means, _ = _closed_forms(ran["d"], ran["m"])
    pv, p = ran["pv"], ran["p"]
    assert np.allclose(pv["predicted.value"].to_numpy(), means.to_numpy(), atol=1e-8)
    assert np.allclose(pv["w"].to_numpy(), 1 / pv["std.error"].to_numpy() ** 2)
    assert "w" not in p.columns


def test_coef_list_of_other_objects_is_their_own_coef() -> None:
    """coef(x, list = TRUE) of a parameter bound to an lm fit: lm's coefficients."""
    d = _rcbd()
    py = translate("f <- function(x) coef(x, list = TRUE)\nfit <- lm(y ~ trt, data = d)\n"
                   "out <- f(fit)\n")
    ns = run_py(py, d=d)
    means = d.groupby("trt")["y"].mean()
    assert ns["out"]["(Intercept)"] == pytest.approx(means["T1"], abs=1e-10)
    assert ns["out"]["trtT4"] == pytest.approx(means["T4"] - means["T1"], abs=1e-10)


def test_list_element_assignment_by_position_runs_on_a_list() -> None:
    """``res$h2[k] <- v`` on a list built by list() was ``res.loc[...]`` (AttributeError)."""
    py = translate("res <- list(h2 = numeric(0), name = 'a')\n"
                   "for (k in 1:3) res$h2[k] <- k / 10\n")
    assert ".loc" not in py
    ns = run_py(py)
    assert list(ns["res"]["h2"]) == pytest.approx([0.1, 0.2, 0.3])
    assert ns["res"]["name"] == "a"


# ----- graphics: plotmath labels and symbols() (corpus lines) -----------------------------

#: (corpus script, R line, the label text ?plotmath says R draws)
PLOTMATH = [
    ("arthurkorte/MTMM/scripts/mtmm_function_2.r",
     "plot(e, o, type = 'l', xlab = expression(Expected~~-log[10](italic(p))))",
     "xlab='Expected  −log₁₀(p)'"),
    ("lisamarieharrison/R-mixed-models/Broke_2006_mixed_model.R",
     'title(bquote("Correlogram at " ~ .(d)~"m depth"))',
     "main=r_paste('Correlogram at  ', d, ' m depth', sep='')"),
    ("Lucy-Peters/Red_deer_antler_genetic_architecture",
     'mtext(expression(paste(italic(r)[A], " = 0.7353065 ±  0.1094838")), side = 1)',
     "text='r_A = 0.7353065 ±  0.1094838'"),
    ("qgevoeco/Caldwell_turtle_nest-choice-predation",
     "mtext(text = expression((bold(A))), side = 3, line = -0.4)", "text='(A)'"),
    ("lisamarieharrison/R-broke-west/R-ctd-krill-compare.R",
     'plot(e, o, xlab = expression(Temperature~(degree*C)), ylab = expression(mu*g ~ L^{-1}))',
     "xlab='Temperature (°C)', ylab='μg L⁻¹'"),
]


@pytest.mark.parametrize("script,line,want", PLOTMATH, ids=[p[0] for p in PLOTMATH])
def test_plotmath_labels_are_the_text_r_draws(script: str, line: str, want: str,
                                              workdir) -> None:
    py = translate("d <- 25\ne <- c(1, 2, 3)\no <- c(1.5, 2.5, 2.9)\nplot(e, o)\n" + line)
    assert not _todos(py), py
    assert want in py, py
    run_py(py)                                            # draws (Rplots.pdf in workdir)


def test_expression_outside_graphics_stays_a_todo() -> None:
    """Elsewhere an expression is a language object (D(), eval()): not a text."""
    assert _todos(translate("z <- expression(x^2)\n"))


def test_symbols_circles_scaled_to_inches(workdir) -> None:
    """lisamarieharrison's ``symbols(x = long, y = lat, circles = rad, inches = 0.3)``:
    R scales the radii so the largest is ``inches`` (?symbols); one circle per point."""
    from asr_py.translate import rgraphdevice as dv

    py = translate("long <- c(1, 2, 3, 4); lat <- c(-60, -61, -62, -60.5)\n"
                   "rad <- c(1, 2, 0.5, 4)\n"
                   "symbols(x = long, y = lat, circles = rad, inches = 0.3, "
                   "xlab = 'longitude', ylab = 'latitude')\n")
    assert not _todos(py), py
    run_py(py)
    ax = dv.current_axes("test")
    (pts,) = [c for c in ax.collections if len(c.get_offsets()) == 4]
    diam = np.sqrt(pts.get_sizes())                          # points
    assert diam.max() == pytest.approx(2 * 0.3 * 72)        # radius 0.3 in = 21.6 pt
    assert np.allclose(diam / diam.max(), np.array([1, 2, 0.5, 4]) / 4)
    assert ax.get_xlabel() == "longitude"
    assert _todos(translate("symbols(x, y, stars = m)\n"))   # other symbols: a TODO


# ----- structure(), match.arg(): corpus lines ---------------------------------------------

def test_dput_data_frame_of_the_corpus_reads_as_r_does() -> None:
    """Rpubs' nitrate data (dput output): ``structure(list(ENV = structure(1:18, levels =
    c("1", ...), class = "factor"), Pa = c(...)), class = "data.frame", row.names = c(NA,
    -18L))`` (shortened here): a data frame with a factor column."""
    py = translate('nitrate <- structure(list(ENV = structure(c(3L, 1L, 2L), levels = '
                   'c("1", "2", "3"), class = "factor"), Pa = c(3.113, 3.379, 3.067)), '
                   'class = "data.frame", row.names = c(NA, -3L))\n'
                   'm <- tapply(nitrate$Pa, nitrate$ENV, mean)\n')
    assert not _todos(py), py
    ns = run_py(py)
    d = ns["nitrate"]
    assert list(d.columns) == ["ENV", "Pa"] and len(d) == 3
    assert list(d["ENV"].astype(str)) == ["3", "1", "2"]
    assert list(d["ENV"].cat.categories) == ["1", "2", "3"]


def test_match_arg_of_statgen_engine_argument() -> None:
    """statgenGxE's ``engine <- match.arg(engine)`` with ``engine = c("lme4", "asreml")``."""
    py = translate('f <- function(TD, engine = c("lme4", "asreml")) {\n'
                   '  engine <- match.arg(engine)\n  engine\n}\n'
                   'a <- f(1)\nb <- f(1, engine = "as")\n')
    assert not _todos(py), py
    ns = run_py(py)
    assert (ns["a"], ns["b"]) == ("lme4", "asreml")


def test_capture_output_lines_file_and_silenced_statements(workdir) -> None:
    """utils::capture.output: one element per printed line (a visible value printed, an
    assignment or print() not twice); with file = the lines go there; StageWise's and
    statgenHTP's ``capture.output(fit <- f(...), file = tempfile())`` only silences."""
    py = translate("x <- c(1.5, 2.5)\nn <- length(capture.output(x, x))\n"
                   "one <- length(capture.output(print(x)))\n"
                   "capture.output(fit <- sum(x), file = tempfile())\n"
                   "capture.output({\n  p <- mean(x)\n  print(p)\n}, file = 'cap.txt')\n"
                   "y <- fit + p\n")
    assert not _todos(py), py
    assert "NOTE(asr_py): capture.output()" in py
    ns = run_py(py)
    assert (ns["n"], ns["one"], ns["y"]) == (2, 1, 6.0)
    assert (workdir / "cap.txt").read_text().strip() == "2.0"


def test_heatmap_of_site_correlations_draws(workdir) -> None:
    """smallgrains-uiuc's ``heatmap(df)`` of site correlations: drawn (no TODO), R's row and
    column order (the R oracle's heatmap snippets check the order against R 4.2.2)."""
    from asr_py.translate import rgraphdevice as dv

    py = translate("x <- matrix(c(1, 5, 3, 8, 2, 2, 9, 1, 7, 3, 4, 4, 0, 6, 5, 2, 3, 3, 8, 9),"
                   " 4)\ndf <- cor(x)\nh <- heatmap(df)\nh2 <- heatmap(x)\n")
    assert not _todos(py), py
    ns = run_py(py)
    assert (ns["h2"]["rowInd"], ns["h2"]["colInd"]) == ([3, 1, 2, 4], [4, 2, 3, 1, 5])  # R
    ax = dv.current_axes("test")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["3", "1", "2", "4"]


def test_rug_and_matlines_add_to_the_plot(workdir) -> None:
    """rug(x) draws a tick per value on the current plot; matlines(x, m) a line per column
    (matplot(x, m, type = "l", add = TRUE))."""
    from asr_py.translate import rgraphdevice as dv

    py = translate("x <- c(1, 2, 2.5, 4)\nm <- cbind(x, 5 - x)\nplot(x, x)\nrug(x)\n"
                   "matlines(x, m)\n")
    assert not _todos(py), py
    run_py(py)
    ax = dv.current_axes("test")
    (ticks,) = [c for c in ax.collections if hasattr(c, "get_segments") and
                len(c.get_segments()) == 4]
    assert sorted(s[0][0] for s in ticks.get_segments()) == [1, 2, 2.5, 4]
    ys = sorted(tuple(ln.get_ydata()) for ln in ax.get_lines()[-2:])
    assert ys == [(1, 2, 2.5, 4), (4, 3, 2.5, 1)]
