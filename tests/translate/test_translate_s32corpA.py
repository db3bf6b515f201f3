"""Session 32, corpus scripts (owners A-L) that failed when run as translated: one test per
cause, each on a snippet written here, the expected values by closed form.

- ``?formula``: "variables in the formula may be any syntactic name", and a call such as
  ``log(Petal.Width)`` is evaluated with the data's columns in scope; a dotted column name
  inside a call is the column, not Python's attribute access (lm/aov/model.matrix).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_r


def test_lm_log_of_a_dotted_column_is_that_column() -> None:
    # lm(log(y) ~ group): coefficients are the group means of log(y) (treatment contrasts)
    r = ('d <- data.frame(Petal.Width = c(0.2, 0.4, 1.3, 1.5, 2.1, 2.3),\n'
         '                Sp.grp = factor(rep(c("a", "b", "c"), each = 2)),\n'
         '                x.cov = c(1, 2, 3, 4, 5, 7))\n'
         'm <- aov(log(Petal.Width) ~ Sp.grp, data = d)\n'
         'b <- coef(m)\n'
         'X <- model.matrix(~ factor(Sp.grp):I(x.cov^2), data = d)\n')
    ns = run_r(r, complete=True)
    ly = np.log([0.2, 0.4, 1.3, 1.5, 2.1, 2.3]).reshape(3, 2).mean(axis=1)
    b = pd.Series(ns["b"])
    assert b["(Intercept)"] == pytest.approx(ly[0])
    assert b["Sp.grpb"] == pytest.approx(ly[1] - ly[0])
    assert b["Sp.grpc"] == pytest.approx(ly[2] - ly[0])
    x = ns["X"]                                       # R's names, no backticks
    assert list(x.columns) == ["(Intercept)", "factor(Sp.grp)a:I(x.cov^2)",
                               "factor(Sp.grp)b:I(x.cov^2)", "factor(Sp.grp)c:I(x.cov^2)"]
    assert x["factor(Sp.grp)c:I(x.cov^2)"].tolist() == [0, 0, 0, 0, 25, 49]   # power, not xor


def test_lm_power_inside_a_call_is_the_power_and_crossing_outside() -> None:
    # anova of lm(y ~ x + I(x^2)): sequential SS; closed form by projections
    r = ('d <- data.frame(y = c(0.2, 0.4, 1.3, 1.5, 2.1, 2.3), x = c(1, 2, 3, 4, 5, 7),\n'
         '                a = factor(c(1, 1, 2, 2, 1, 2)), b = factor(c(1, 2, 1, 2, 1, 2)))\n'
         'm <- lm(y ~ x + I(x^2), data = d)\n'
         'tab <- anova(m)\n'
         'X2 <- model.matrix(~ (a + b)^2, data = d)\n')
    ns = run_r(r, complete=True)
    y = np.array([0.2, 0.4, 1.3, 1.5, 2.1, 2.3])
    x = np.array([1.0, 2, 3, 4, 5, 7])

    def rss(*cols: np.ndarray) -> float:
        a = np.column_stack([np.ones(6), *cols])
        return float(np.sum((y - a @ np.linalg.lstsq(a, y, rcond=None)[0]) ** 2))
    ss = ns["tab"]["Sum Sq"].to_numpy()
    assert ss[0] == pytest.approx(rss() - rss(x))
    assert ss[1] == pytest.approx(rss(x) - rss(x, x ** 2))
    assert list(ns["tab"].index)[:2] == ["x", "I(x^2)"]
    assert list(ns["X2"].columns) == ["(Intercept)", "a2", "b2", "a2:b2"]
