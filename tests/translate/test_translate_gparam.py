"""fit$G.param / fit$R.param as asreml 4's nested list (asr_py/translate/rgparam.py).

Scripts read it as asremlPlus's estimateV and m-hrachov's "Proof that asreml C_inv is similar
to ours.R" do: ``G.param[[term]]$variance$initial/$size`` of a simple term, a factor's
``$initial`` filled into ``G[upper.tri(G, diag = TRUE)]`` (diogro/mouseGrowthF6), a str()
vmodel's element named by its argument (``[["2"]]``) whose names split at ``_`` and ``:``
give the row and column. The values are checked by assembling V from what the script read
and evaluating the independent dense REML (tests/_dense_reml.py) at it: the fit's log-
likelihood is reached only when values, order and sizes are those of the fit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_reml import indicator, reml_loglik
from _translate_fixtures import run_r


def _data(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_g, n_l = 12, 3
    d = pd.DataFrame({"G": np.tile([f"g{i:02d}" for i in range(n_g)], n_l * 2),
                      "L": np.repeat([f"l{i}" for i in range(n_l)], n_g * 2),
                      "B": np.tile(np.repeat(["b1", "b2", "b3", "b4"], 3), n_l * 2)})
    d["z1"] = rng.normal(size=len(d))
    gl = rng.normal(size=(n_g, n_l)) * [1.0, 0.7, 1.3]
    gi = d["G"].str[1:].astype(int).to_numpy()
    li = d["L"].str[1:].astype(int).to_numpy()
    d["y"] = 5 + gl[gi, li] + 0.3 * rng.normal(size=4)[d["B"].str[1:].astype(int) - 1] + \
        0.6 * rng.normal(size=len(d))
    return d


def test_us_term_and_simple_term_rebuild_the_fit_v() -> None:
    d = _data()
    r = ("m <- asreml(y ~ 1, random = ~ us(L):G + B, data = d)\n"
         "G <- matrix(NA, 3, 3)\n"
         "G[upper.tri(G, diag = TRUE)] <- m$G.param$`L:G`$L$initial\n"
         "G[lower.tri(G)] <- t(G)[lower.tri(G)]\n"
         "lv <- m$G.param$`L:G`$L$levels\n"
         "vmod <- m$G.param$`L:G`$variance$model\n"
         "sb <- m$G.param$B$variance$initial\n"
         "nb <- m$G.param$B$variance$size\n"
         "s2 <- m$R.param$units$variance$initial\n"
         "terms <- names(m$G.param)\n")
    ns = run_r(r, d=d, quiet=True)
    assert sorted(ns["terms"]) == ["B", "L:G"] and ns["vmod"] == "id"
    assert ns["nb"] == d["B"].nunique()
    G = np.asarray(ns["G"], dtype=float)
    ZL, ZG, ZB = (indicator(d[c], lv) for c, lv in (
        ("L", list(ns["lv"])), ("G", None), ("B", None)))
    V = (ZL @ G @ ZL.T) * (ZG @ ZG.T) + float(np.asarray(ns["sb"])[0]) * ZB @ ZB.T + \
        float(np.asarray(ns["s2"])[0]) * np.eye(len(d))
    X = np.ones((len(d), 1))
    assert reml_loglik(d["y"].to_numpy(), X, V) == pytest.approx(ns["m"].loglik, abs=1e-6)


def test_str_term_element_is_named_by_its_vmodel_argument() -> None:
    # m-hrachov: num_G = G.param[[term]]$variance$size / n_terms; the us(n) element's
    # initial values are named "<term>!us(n)_<row>:<col>"
    d = _data(5)
    r = ("m <- asreml(y ~ z1, random = ~ str(~ G + z1:G, ~ us(2):id(G)) + L, data = d)\n"
         "gp <- m$G.param[['G+z1:G']]\n"
         "num_G <- gp$variance$size / 2\n"
         "v <- gp[[paste(2)]]$initial\n"
         "rc <- sapply(strsplit(names(v), '_'), function(p) p[2])\n"
         "gl <- gp$G$levels\n"
         "sl <- m$G.param$L$variance$size\n")
    ns = run_r(r, d=d, quiet=True)
    assert ns["num_G"] == d["G"].nunique() and ns["sl"] == d["L"].nunique()
    assert list(ns["rc"]) == ["1:1", "2:1", "2:2"]
    assert sorted(ns["gl"]) == sorted(d["G"].unique())


def test_fa_factor_levels_end_with_its_comp_levels() -> None:
    # Kaio-Olimpio/Enviromic_Prediction: levels[-grep("Comp", levels)] are the sites
    d = _data(7)
    r = ("m <- asreml(y ~ L, random = ~ fa(L, 1):G, data = d)\n"
         "lv <- m$G.param[[1]][['L']]$levels\n"
         "md <- m$G.param[[1]][['L']]$model\n"
         "ld <- m$G.param[[1]][['L']]$initial\n")
    ns = run_r(r, d=d, quiet=True)
    assert list(ns["lv"]) == ["l0", "l1", "l2", "Comp1"] and ns["md"] == "fa"
    assert len(ns["ld"]) == 6          # 3 specific variances and 3 loadings


def test_us_initial_through_data_frame_dot_pipe() -> None:
    # m-hrachov: initial %>% data.frame(.) %>% rownames_to_column("component") %>%
    # rename(value = ".") %>% separate(component, c("part1", "part2"), sep = "_"): R names
    # data.frame(.)'s column "." and keeps the vector's names as row names
    d = _data(11)
    r = ("library(dplyr)\nlibrary(tidyr)\n"
         "m <- asreml(y ~ 1, random = ~ str(~ G + z1:G, ~ us(2):id(G)), data = d)\n"
         "us <- m$G.param[['G+z1:G']][['2']]$initial %>% data.frame(.) %>%\n"
         "  tibble::rownames_to_column(., 'component') %>% rename(value = '.') %>%\n"
         "  separate(component, into = c('part1', 'part2'), sep = '_', remove = TRUE)\n")
    ns = run_r(r, d=d, quiet=True)
    us = ns["us"]
    assert list(us["part2"]) == ["1:1", "2:1", "2:2"]
    vc = ns["m"].varcomp["component"]
    np.testing.assert_allclose(us["value"].to_numpy(float),
                               [vc[f"G+z1:G!us(2)_{k}"] for k in ("1:1", "2:1", "2:2")])
