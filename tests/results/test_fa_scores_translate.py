"""Translated MET scripts reading asreml's fa factor-score rows (``Comp``) of coef random.

The R lines are those of public scripts: saulo-chaves/Cod_Pinus FAMM.R
(``coef5[grep("Comp1", row.names(coef5)), 1]``, ``sub("fa(env, 4)_Comp1:gen_", "", ...,
fixed = T)``, the rotation ``kronecker(t(svd$v), diag(num.gen)) %*% fa.scores``),
saulo-chaves/May_b_useful fa_outs.R steps 9-10 (``grep('Comp', ...)``, ``regmatches(...,
regexpr("Comp\\\\d+", ...))``, ``split`` by factor) and agriutilities' R/fa.R
(``grep("Comp1:gen", ...)`` of ``coef(model)$random``), and fa_outs.R's
``lambdacross <- L.star %*% tcrossprod(D, L.star)`` read by environment names (step 18).
The expected numbers come from the fit's own table and loadings with numpy
(tests/results/test_fa_scores.py checks those against a dense BLUP of f).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "translate"))
from _translate_fixtures import run_r  # noqa: E402
from test_fa_scores import GENS, _fit, _met  # noqa: E402

SCRIPT = """
library(asreml)
dat <- read.csv("met.csv")
dat$env <- as.factor(dat$env)
dat$gen <- as.factor(dat$gen)
num.gen <- nlevels(dat$gen)
m <- asreml(y ~ env, random = ~ fa(env, 2):gen, data = dat, maxit = 100)
coef5 <- summary(m, coef = T)$coef.random
fa1.scores <- coef5[grep("Comp1", row.names(coef5)), 1]
fa2.scores <- coef5[grep("Comp2", row.names(coef5)), 1]
fa.scores <- rbind(as.matrix(fa1.scores), as.matrix(fa2.scores))
vc <- summary(m)$varcomp
L <- cbind(vc[grep("!fa1$", rownames(vc)), "component"],
           vc[grep("!fa2$", rownames(vc)), "component"])
sv <- svd(L)
f.star <- kronecker(t(sv$v), diag(num.gen)) %*% fa.scores
scores <- data.frame(summary(m, coef = T)$coef.random)[
  grep('Comp', rownames(data.frame(summary(m, coef = T)$coef.random))), ]
scores$fa <- regmatches(rownames(scores), regexpr("Comp\\\\d+", rownames(scores)))
scor.vec <- do.call(c, lapply(split(scores, f = scores$fa), function(x) x[, 'solution']))
u <- coef(m)$random
f1 <- u[grep("Comp1:gen", rownames(u)), ]
g1 <- sub("fa(env, 2)_Comp1:gen_", "", names(f1), fixed = TRUE)
rownames(L) <- levels(dat$env)
svd.lambda <- svd(L)
L.star <- svd.lambda$u
rownames(L.star) <- rownames(L)
D <- diag(svd.lambda$d^2, nrow = length(svd.lambda$d))
lambdacross <- L.star %*% tcrossprod(D, L.star)
lc12 <- lambdacross["E1", "E2"]
scor.vec.star <- kronecker(sqrt(D) %*% t(svd.lambda$v), diag(num.gen)) %*% scor.vec
marginal <- kronecker(L.star, diag(num.gen)) %*% scor.vec.star
"""


@pytest.fixture()
def met_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    _met().to_csv(tmp_path / "met.csv", index=False)
    return tmp_path


def test_scripts_read_the_comp_rows_by_grep(met_dir: Path) -> None:
    ns = run_r(SCRIPT, complete=True, quiet=True)
    fit = _fit(_met())
    tab = fit.coef_random
    f = np.concatenate([tab.loc[[f"env:gen_Comp{r}:{g}" for g in GENS], "solution"]
                        for r in (1, 2)])
    np.testing.assert_allclose(np.ravel(ns["fa_scores"]), f, rtol=1e-6)
    np.testing.assert_allclose(np.ravel(ns["scor_vec"]), f, rtol=1e-6)
    lam = fit.fa().loadings.to_numpy()
    v = np.linalg.svd(lam)[2].T
    np.testing.assert_allclose(np.ravel(ns["f_star"]),
                               np.kron(v.T, np.eye(len(GENS))) @ f, rtol=1e-5, atol=1e-8)
    assert list(ns["g1"]) == GENS                     # agriutilities' fixed-name sub
    np.testing.assert_allclose(ns["f1"].to_numpy(), f[:len(GENS)], rtol=1e-6)
    # fa_outs.R steps 13-22: U D U' = ΛΛ' indexed by environment, and the "marginal"
    # BLUPs (Λ ⊗ I) f̂, whatever rotation the SVD picks
    assert ns["lc12"] == pytest.approx((lam @ lam.T)[0, 1], rel=1e-6)
    np.testing.assert_allclose(np.ravel(ns["marginal"]), np.kron(lam, np.eye(len(GENS))) @ f,
                               rtol=1e-6, atol=1e-8)


ASV = """
env <- c("A", "B", "C")
lc <- matrix(c(4, 1, 2, 1, 9, 3, 2, 3, 16), 3, 3, dimnames = list(env, env))
fullsv <- list()
for (i in env) {
  semivar <- matrix(nrow = 3, ncol = 3, dimnames = list(env, c('i', 'j', 'semivar')))
  for (j in env) {
    semivar[j, ] <- c(i, j, .5 * (lc[i, i] + lc[j, j]) - lc[i, j])
  }
  fullsv[[i]] <- semivar
}
fullsv <- data.frame(do.call(rbind, fullsv))
fullsv$semivar <- as.numeric(fullsv$semivar)
fullsv <- reshape(data = fullsv, timevar = 'i', idvar = 'j', direction = 'wide')[, -1]
colnames(fullsv) <- sub('semivar.', '', colnames(fullsv))
asv <- 2 / (nrow(fullsv) * (nrow(fullsv) - 1)) * sum(fullsv[upper.tri(fullsv)])
"""


def test_fa_outs_average_semivariance_through_reshape_wide() -> None:
    """fa_outs.R steps 18-19: the pairwise semivariances ½(λ_ii + λ_jj) − λ_ij in long
    form, ``reshape(direction = "wide")`` to a j x i table (?reshape: one row per idvar,
    a column ``semivar.<time>`` per time in order of appearance), its upper triangle
    averaged. By hand: AB ½(4 + 9) − 1 = 5.5, AC ½(4 + 16) − 2 = 8, BC ½(9 + 16) − 3 = 9.5;
    ASV = (5.5 + 8 + 9.5)/3."""
    ns = run_r(ASV, complete=True)
    sv = ns["fullsv"]
    assert list(sv.columns) == ["A", "B", "C"]
    np.testing.assert_allclose(sv.to_numpy(dtype=float),
                               [[0, 5.5, 8], [5.5, 0, 9.5], [8, 9.5, 0]])
    assert ns["asv"] == pytest.approx(23 / 3)


def test_reshape_wide_fills_missing_times_and_refuses_long() -> None:
    import pandas as pd

    from asr_py.errors import AsrError
    from asr_py.translate.rreshape import r_reshape
    d = pd.DataFrame({"id": ["a", "a", "b"], "t": [1, 2, 1], "x": [1.0, 2.0, 3.0],
                      "k": ["p", "p", "q"]})
    w = r_reshape(d, v_names="x", timevar="t", idvar="id", direction="wide")
    assert list(w.columns) == ["id", "k", "x.1", "x.2"] and list(w.index) == [0, 2]
    np.testing.assert_array_equal(w["x.1"], [1.0, 3.0])
    assert w["x.2"].iloc[0] == 2.0 and np.isnan(w["x.2"].iloc[1])       # b has no t = 2
    with pytest.raises(AsrError, match="long"):
        r_reshape(d, timevar="t", idvar="id", direction="long")
    with pytest.raises(AsrError, match="no column 'z'"):
        r_reshape(d, timevar="z", idvar="id", direction="wide")


H2 = """
library(asreml)
dat <- read.csv("met.csv")
dat$env <- as.factor(dat$env)
dat$gen <- as.factor(dat$gen)
m <- asreml(y ~ env, random = ~ fa(env, 2):gen, data = dat, maxit = 100)
modpred <- predict(m, classify = "gen:env", sed = T)
colnames(modpred$sed) = rownames(modpred$sed) = paste(modpred$pvals[,1], modpred$pvals[,2],
                                                      sep = '_')
vd <- (modpred$sed[grep("E2", rownames(modpred$sed)), grep("E2", colnames(modpred$sed))])^2
msed <- mean(vd[upper.tri(vd, diag = F)])
"""


def test_fa_outs_step23_renames_the_sed_matrix(met_dir: Path) -> None:
    """fa_outs.R step 23: ``colnames(modpred$sed) = rownames(modpred$sed) = ...`` names the
    SED matrix (the prediction's, not a column of its table), then reads E2's block."""
    ns = run_r(H2, quiet=True)
    p = _fit(_met()).predict(classify="gen:env", sed=True)
    sed = np.asarray(p.attrs["sed"], dtype=float)
    at = (p["env"].astype(str) == "E2").to_numpy()
    block = sed[np.ix_(at, at)] ** 2
    assert list(ns["vd"].index) == [f"{g}_E2" for g in p.loc[at, "gen"].astype(str)]
    assert ns["msed"] == pytest.approx(block[np.triu_indices(at.sum(), 1)].mean(), rel=1e-8)
