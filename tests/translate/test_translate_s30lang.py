"""Session 30 (s30lang): R language constructs translate used to leave as TODO.

The values of the R constructs themselves are checked against R 4.2.2 in the R oracle
(roracle/snippets.R: complex assignment, class<-, attributes<-, storage.mode<-, dim<-,
arrays, which(arr.ind), merge(sort = FALSE), table(useNA), mean(trim), max of text). Here:
the translation of real corpus lines (no TODO left, the script runs), and the corpus's
asreml(na.omit.Y = ...) against the fit with the rows of missing response left out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_py, run_r

import asr_py as asr
from asr_py.translate import translate


def _todos(py: str) -> list[str]:
    return [ln for ln in py.splitlines() if "# TODO(asr_py):" in ln]


def test_assignment_to_part_inside_cat_runs_in_order() -> None:
    """fieldsimr's S3_ModelComparison.R: ``cat(.., output[rows, ]$r <- v, ..)``: R assigns
    and prints v (the value of an assignment is its value, not the target)."""
    code = ('output <- data.frame(Model = c("Main", "FA1"), r_m = NA)\n'
            'g1 <- c(1, 2, 3, 4); g2 <- c(2, 1, 4, 3)\n'
            'cat("r_m: ", output[output$Model == "FA1",]$r_m <- cor(g1, g2), "\\n")\n')
    assert not _todos(translate(code))
    ns = run_r(code, complete=True, quiet=True)
    r = np.corrcoef([1, 2, 3, 4], [2, 1, 4, 3])[0, 1]
    assert np.isnan(ns["output"]["r_m"].iloc[0])
    assert ns["output"]["r_m"].iloc[1] == pytest.approx(r, abs=1e-15)


def test_part_of_rows_assignment_is_not_lost_in_a_copy() -> None:
    """``d[rows, ]$a <- v`` was written into a copy of the rows (silently nothing)."""
    ns = run_r('d <- data.frame(g = c("a", "b", "a"), v = c(1, 2, 3))\n'
               'd[d$g == "a", ]$v <- c(10, 30)\n', complete=True)
    assert list(ns["d"]["v"]) == [10, 2, 30]


def test_array_simulation_loop_as_in_the_sparrow_power_scripts() -> None:
    """IssieWinney's power scripts: ``h2 <- array(dim = c(n, a, b))`` filled cell by cell,
    then ``power[j, k] <- table(p[, j, k] < 0.05)["TRUE"] / n``."""
    code = ("n <- 4\n"
            "p <- array(dim = c(n, 2, 3))\n"
            "for (i in 1:n) for (j in 1:2) for (k in 1:3) p[i, j, k] <- (i * j * k) %% 7 / 100\n"
            "power <- array(dim = c(2, 3))\n"
            "for (j in 1:2) for (k in 1:3) power[j, k] <- sum(p[, j, k] < 0.05) / n\n")
    assert not _todos(translate(code))
    ns = run_r(code, complete=True)
    p = np.array([[[(i * j * k) % 7 / 100 for k in range(1, 4)] for j in range(1, 3)]
                  for i in range(1, 5)])
    assert np.allclose(ns["power"], (p < 0.05).mean(axis=0))


def test_system_is_a_note_not_a_run() -> None:
    py = translate('for (h in 1:2) system(paste0("rm chr_", h, ".grm.gz"))\n')
    assert not _todos(py)
    assert "NOTE(asr_py): system(): a shell command, not run" in py
    run_py(py)                                  # nothing is run, nothing fails


@pytest.mark.parametrize("r, ok", [('testthat::expect_is(x, "data.frame")', True),
                                   ('expect_s3_class(x, "lm")', False),
                                   ('expect_s3_class(x, "data.frame", exact = TRUE)', True),
                                   ('class(x) <- c("tab", "data.frame")\n'
                                    'expect_s3_class(x, "data.frame", exact = TRUE)', False),
                                   ('class(x) <- c("tab", "data.frame")\n'
                                    'expect_is(x, "tab")', True)])
def test_expect_is_and_s3_class_check_inherits(r: str, ok: bool) -> None:
    """testthat: expect_is/expect_s3_class pass when inherits(object, class) (exact = TRUE:
    the class vector is exactly ``class``); recorded, as the other expectations."""
    py = translate("x <- data.frame(a = 1)\n" + r + "\n")
    assert not _todos(py)
    *body, last = py.rstrip().splitlines()
    assert last.startswith("expect_true(lambda: r_")
    ns = run_py("\n".join(body), __name__="__translated__")
    assert eval(last, ns) is ok                     # noqa: S307 - the translated expectation


def _plots(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = np.repeat([f"g{i}" for i in range(8)], 4)
    y = 10 + np.repeat(rng.normal(0, 2, 8), 4) + rng.normal(0, 1, 32)
    d = pd.DataFrame({"g": pd.Categorical(g), "x": rng.normal(size=32), "y": y})
    d.loc[[3, 9, 10, 25], "y"] = np.nan
    return d


def test_na_omit_y_is_dropped_with_one_response_and_fits_as_without_those_rows() -> None:
    """susjoh's asreml(..., na.omit.Y = "na.omit"): no asreml argument; one response, so the
    fit equals the fit of the rows with a response (an independent fit of fewer rows)."""
    code = 'm <- asreml(fixed = y ~ x, random = ~ g, data = d, na.omit.Y = "na.omit")\n'
    py = translate(code)
    assert not _todos(py)
    assert "NOTE(asr_py): asreml(na.omit.Y" in py
    d = _plots()
    ns = run_py(py, d=d.copy(), __name__="__translated__")
    kept = d.dropna(subset=["y"]).reset_index(drop=True)
    ref = asr.asreml(fixed="y ~ x", random="~ g", data=kept)
    assert ns["m"].loglik == pytest.approx(ref.loglik, abs=1e-8)
    got, want = ns["m"].varcomp, ref.varcomp
    assert list(got.index) == list(want.index)
    assert np.allclose(got["component"].to_numpy(float), want["component"].to_numpy(float),
                       rtol=1e-6)


def test_na_omit_y_of_two_responses_stays_a_todo() -> None:
    py = translate('m <- asreml(fixed = cbind(y1, y2) ~ trait, random = ~ g, data = d, '
                   'na.omit.Y = "na.omit")\n')
    assert any("na.omit.Y" in t for t in _todos(py))


def test_max_of_an_unordered_factor_stops_as_in_r() -> None:
    """R 4.2.2: ``max(factor(c("a", "b")))`` is the error "'max' not meaningful for
    factors" (an ordered factor's max is in the R oracle: max_ordered_factor)."""
    from asr_py.errors import AsrError

    with pytest.raises(AsrError, match="not meaningful for factors"):
        run_r('out <- max(factor(c("a", "b")))\n')
