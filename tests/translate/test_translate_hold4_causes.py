"""General causes found on the session-32 hold-out (tests/translate/holdout/fourth/), each
on code and data written here:

* Markdown notes whose R code sits in fenced blocks with no language (```` ``` ```` alone):
  the document was read as having no R code, so its asreml() calls were never translated
  (an MET write-up of the hold-out; a corpus repository's analysis notes have the same
  form). Checked: the translation of the notes is the translation of their R blocks as a
  script; shell blocks and documents without R's ``<-`` stay prose.
* ``asreml(equate.levels = c('sire', 'dam'))`` beside ``corgh(trait):sire +
  and(corgh(trait):dam)`` (a multi-trait half-diallel): the and() over an interaction was an
  error in the model and the argument a TODO. Checked: the translated script fits the
  model whose log-likelihood a dense-V REML written here gives (tests/model/
  test_and_interaction.py).
* pascal's ``asreml.nvc(...)`` (asreml "allowing for negative variance components"; 9
  scripts of one hold-out repository): a TODO. Checked: on a balanced one-way layout the
  fit equals the closed-form unbounded REML (ANOVA) estimates, a negative group variance.
* ``lm(terms(f, keep.order = TRUE), data)`` (the same scripts: a sequential ANOVA in the
  order the terms are written): a TODO. Checked against R 4.2's anova()
  (tests/translate/rscripts/lm_keep_order.R).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from asr_py import translate
from asr_py.translate import rknitted
from tests.model.test_and_interaction import _dense_loglik, _diallel
from tests.translate._translate_fixtures import run_py

# ----- Markdown notes with untagged R blocks --------------------------------------------------

R_BLOCKS = [
    "d <- read.csv('trial.csv')\nd$gen <- as.factor(d$gen)",
    "m <- asreml(fixed = y ~ rep, random = ~ gen,\n            data = d)",
    "summary(m)$varcomp",
    "wald(m)\n#or\nwald.asreml(m)",
]

NOTES = f"""## Analysing a trial in ASReml-R

Install first:

```
pip install something
```

Input data

```
{R_BLOCKS[0]}
```

Run model

```
{R_BLOCKS[1]}
```

### Variance components

```
{R_BLOCKS[2]}
```

### Wald tests

```
{R_BLOCKS[3]}
```
"""


def _code(py: str) -> list[str]:
    return [ln for ln in py.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


def test_untagged_blocks_of_r_notes_are_the_program() -> None:
    assert rknitted.is_knitted(NOTES)
    py = translate(NOTES)
    assert _code(py) == _code(translate("\n\n".join(R_BLOCKS)))
    assert "asr.asreml(" in py and "pip" not in "\n".join(_code(py))
    compile(py, "<notes>", "exec")


def test_notes_without_an_r_assignment_stay_prose() -> None:
    shell = "# Setup\n\n```\npip install x\ncd project\n```\n\n```\nmake test\n```\n"
    assert not rknitted.is_knitted(shell)
    python = "# Use\n\n```\nimport numpy as np\nx = np.zeros(3)\nprint(x)\n```\n"
    assert not rknitted.is_knitted(python)
    console = "# Session\n\n```\n> x <- c(1, 2)\n> mean(x)\n[1] 1.5\n```\n"
    assert not rknitted.is_knitted(console)       # a transcript, not a program


def test_an_r_block_wins_over_untagged_ones() -> None:
    doc = "```r\nx <- 1\n```\n\n```\ny <- 2\n```\n"
    r = rknitted.to_r(doc)
    assert "x <- 1" in r.splitlines() and "y <- 2" not in r.splitlines()


# ----- equate.levels beside and() over an interaction -----------------------------------------

DIALLEL_R = """
m <- asreml(fixed = cbind(y1, y2) ~ trait,
            random = ~ corgh(trait):sire + and(corgh(trait):dam),
            residual = ~ id(units):corgh(trait),
            equate.levels = c('sire', 'dam'),
            data = d)
vc <- summary(m)$varcomp
"""


def test_equate_levels_with_and_over_an_interaction() -> None:
    py = translate(DIALLEL_R)
    assert "# TODO(asr_py):" not in py
    assert "NOTE(asr_py): asreml(equate.levels" in py
    d = _diallel()
    ns = run_py(py, d=d.assign(sire=d.sire.astype("category"), dam=d.dam.astype("category")))
    m = ns["m"]
    vc = m.varcomp
    # corgh(trait) = correlation + two variances (asreml's order: cor, var1, var2)
    g = vc[vc.index.str.startswith("trait:sire")]["component"].to_numpy()
    r = vc[vc.index.str.startswith("units:trait") & ~vc.index.str.endswith("!R")]
    r = r["component"].to_numpy()

    def cov(c: np.ndarray) -> np.ndarray:
        off = c[0] * np.sqrt(c[1] * c[2])
        return np.array([[c[1], off], [off, c[2]]])

    assert m.loglik == pytest.approx(_dense_loglik(d, cov(g), cov(r)), abs=1e-6)
    assert isinstance(ns["vc"], pd.DataFrame)


# ----- pascal's asreml.nvc(): variance components unbounded -----------------------------------

NVC_R = """
m <- asreml.nvc(fixed = y ~ 1, random = ~ g, data = d)
vc <- summary(m)$varcomp
m0 <- asreml(fixed = y ~ 1, random = ~ g, data = d)
mp <- asreml.nvc(fixed = y ~ 1, random = ~ g, data = d, gconstraints = c("P"))
"""


def _negative_icc(seed: int = 3, k: int = 8, n: int = 4) -> pd.DataFrame:
    """A balanced one-way layout whose group means vary less than the residual allows
    (MSB < MSW): the unbounded REML estimate of the group variance is negative."""
    rng = np.random.default_rng(seed)
    e = rng.normal(size=(k, n))
    e -= 0.8 * e.mean(axis=1, keepdims=True)      # shrink the group means
    y = 5.0 + e
    return pd.DataFrame({"g": np.repeat([f"g{i}" for i in range(k)], n), "y": y.ravel()})


def test_asreml_nvc_is_the_unbounded_reml_fit() -> None:
    """Balanced one-way model: the REML estimates without bounds are the ANOVA ones,
    σ²_g = (MSB − MSW)/n and σ²_e = MSW (closed form), σ²_g < 0 here; asreml() holds it at
    its boundary and so does ``gconstraints = "P"``."""
    d = _negative_icc()
    k, n = 8, 4
    y = d["y"].to_numpy().reshape(k, n)
    msb = n * ((y.mean(axis=1) - y.mean()) ** 2).sum() / (k - 1)
    msw = ((y - y.mean(axis=1, keepdims=True)) ** 2).sum() / (k * (n - 1))
    assert msb < msw
    py = translate(NVC_R)
    assert "# TODO(asr_py):" not in py and "r_asreml_nvc(asr.asreml(" in py
    ns = run_py(py, d=d.assign(g=d["g"].astype("category")))
    vc = ns["vc"]["component"]
    assert vc["g"] == pytest.approx((msb - msw) / n, rel=1e-6)
    assert vc["g"] < 0
    assert vc["units!R"] == pytest.approx(msw, rel=1e-6)
    for bounded in (ns["m0"], ns["mp"]):
        assert bounded.varcomp["component"]["g"] == pytest.approx(0.0, abs=1e-6)
        assert bounded.loglik <= ns["m"].loglik + 1e-9


def test_asreml_nvc_checks_its_own_arguments() -> None:
    d = _negative_icc()
    py = translate("m <- asreml.nvc(fixed = y ~ 1, random = ~ g, data = d, "
                   "gconstraints = c('U', 'U'))")
    with pytest.raises(Exception, match=r"gconstraints = \): 2 codes for 1 variance"):
        run_py(py, d=d.assign(g=d["g"].astype("category")))


# ----- lm(terms(f, keep.order = TRUE), data) ---------------------------------------------------

#: R 4.2's anova() (tests/translate/rscripts/lm_keep_order.R): sums of squares of a, a:b, c
#: in the written order, and of a, c, a:b (R's default order, by degree)
R_SS_KEEP = {"a": 15.88280007278, "a:b": 0.22631172658, "c": 3.87827564135,
             "Residuals": 15.88149631899}
R_SS_DEFAULT = {"a": 15.88280007278, "c": 3.75937453429, "a:b": 0.34521283363,
                "Residuals": 15.88149631899}


def _keep_order_data() -> pd.DataFrame:
    """R's expand.grid(a, b, c, rep = 1:3) (first factor fastest), y without random numbers,
    rows 2, 7, 17, 30 (1-based) dropped: unbalanced, so the order of terms matters."""
    rows = [(a, b, c) for _ in range(3) for c in ("c1", "c2") for b in ("b1", "b2")
            for a in ("a1", "a2", "a3")]
    d = pd.DataFrame(rows, columns=["a", "b", "c"])
    i = np.arange(1, len(d) + 1)
    ia = d["a"].str[1].astype(int)
    ic = d["c"].str[1].astype(int)
    d["y"] = np.round(10 + ia + 0.5 * ic + np.sin(1.7 * i), 4)
    return d.drop(index=[1, 6, 16, 29]).reset_index(drop=True)


def test_lm_terms_keep_order() -> None:
    r = """
lm1 <- lm(terms(y ~ a + a:b + c, keep.order = TRUE), data = d)
t1 <- anova(lm1)
lm2 <- lm(y ~ a + a:b + c, data = d)
t2 <- anova(lm2)
"""
    py = translate(r)
    assert "# TODO(asr_py):" not in py
    ns = run_py(py, d=_keep_order_data())
    for tab, want in ((ns["t1"], R_SS_KEEP), (ns["t2"], R_SS_DEFAULT)):
        assert list(tab.index) == list(want)
        np.testing.assert_allclose(tab["Sum Sq"].to_numpy(), list(want.values()),
                                   rtol=1e-9)
