"""Held-out pass R (s23newR): wild-population animal models (susjoh/2024_Sparrow_Recomb_GWAS,
sejlab/Soay_Immune_GWAS) that build their asreml() calls as text and run them with
``eval(parse(text = paste0("model1 <- asreml(...)")))``, subset the data to the pedigree's
ids with ``attr(ainv, "rowNames")``, and give ``us(trait, init = NA)``.

Expected values are R's and asreml's documented semantics, or an independent computation:
- ``?eval`` / ``?parse``: the text is R code run in the calling environment; an assignment's
  value is its right-hand side (``x$a <- v`` sets the column; the value is v).
- asreml's ``ainverse()``: the sparse A-inverse carries the attribute ``rowNames`` (the ids of
  its rows: every animal of the pedigree) and ``INVERSE = TRUE``; its ``inbreeding`` are
  Wright's coefficients (an offspring of full sibs: F = 1/4, closed form).
- asreml's ``init = NA``: no start values given, the same fit as without ``init``.
- a name bound by ``m <- asreml(...)`` inside the text is that fit afterwards: ``m$loglik``
  is asreml's REML log-likelihood, checked against a dense-V REML fit (tests/_dense_reml.py)
  of V = σ²_a ZAZ' + σ²_pe ZZ' + σ²_e I with A built here by the tabular method.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from _dense_reml import fit_dense, reml_loglik
from _translate_fixtures import run_r

from asr_py import translate

#: a small pedigree: founders a, b, g, h; c, d full sibs; e their offspring (F = 1/4)
PED = pd.DataFrame({
    "id": ["a", "b", "g", "h", "c", "d", "e", "f", "i", "j", "k", "l"],
    "sire": ["0", "0", "0", "0", "a", "a", "c", "g", "c", "g", "e", "i"],
    "dam": ["0", "0", "0", "0", "b", "b", "d", "h", "h", "b", "f", "j"]})


def _tabular_a(ped: pd.DataFrame) -> np.ndarray:
    """The numerator relationship matrix by the tabular method (parents listed first)."""
    ids = list(ped["id"])
    n = len(ids)
    A = np.zeros((n, n))
    pos = {k: i for i, k in enumerate(ids)}
    for i, (s, d) in enumerate(zip(ped["sire"], ped["dam"])):
        ps, pd_ = pos.get(s), pos.get(d)
        for j in range(i):
            A[i, j] = A[j, i] = 0.5 * ((A[j, ps] if ps is not None else 0.0) +
                                       (A[j, pd_] if pd_ is not None else 0.0))
        A[i, i] = 1.0 + (0.5 * A[ps, pd_] if ps is not None and pd_ is not None else 0.0)
    return A


def _records() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    A = _tabular_a(PED)
    bv = np.linalg.cholesky(A) @ rng.normal(0, 1.2, len(PED))
    pe = rng.normal(0, 0.6, len(PED))
    rows = []
    for k, animal in enumerate(PED["id"]):
        for _ in range(4):
            rows.append({"parent": animal, "sex": "F" if k % 2 else "M",
                         "y": 10 + bv[k] + pe[k] + rng.normal(0, 0.8)})
    rows.append({"parent": "zz", "sex": "M", "y": 9.0})       # not in the pedigree
    return pd.DataFrame(rows)


def test_eval_text_of_a_column_assignment_sets_the_column() -> None:
    r = ('x <- data.frame(sex = c("F", "M", "F"), y = c(1, 2, 3))\n'
         'v <- "y"\n'
         'eval(parse(text = paste0("x$", v, "_f <- ifelse(x$sex == \\"F\\", x$", v, ", NA)")))\n'
         'w <- eval(parse(text = "x$z <- 5"))\n')
    ns = run_r(r, complete=True)
    got = pd.to_numeric(ns["x"]["y_f"], errors="coerce").tolist()
    assert got[0] == 1.0 and np.isnan(got[1]) and got[2] == 3.0
    assert ns["x"]["z"].tolist() == [5, 5, 5]
    assert ns["w"] == 5                     # R: the value of an assignment is its right side


def test_attr_row_names_inverse_and_inbreeding_of_ainverse() -> None:
    r = ('ainv <- ainverse(ped)\n'
         'ids <- attr(ainv, "rowNames")\n'
         'inv <- attr(ainv, "INVERSE")\n'
         'f <- attr(ainv, "inbreeding")\n'
         'x <- subset(rec, parent %in% attr(ainv, "rowNames"))\n')
    ns = run_r(r, complete=True, ped=PED, rec=_records())
    ids = [str(i) for i in ns["ids"]]
    assert sorted(ids) == sorted(PED["id"])
    assert bool(ns["inv"]) is True
    fe = dict(zip(ids, np.asarray(ns["f"], dtype=float)))
    assert abs(fe["e"] - 0.25) < 1e-12 and fe["c"] == 0.0     # full-sib offspring: F = 1/4
    assert len(ns["x"]) == 48 and "zz" not in set(ns["x"]["parent"])


def test_fit_built_as_text_is_a_fit_and_agrees_with_dense_reml() -> None:
    rec = _records()
    rec = rec[rec["parent"] != "zz"].reset_index(drop=True)
    r = ('ainv <- ainverse(ped)\n'
         'grm <- "Pedigree"\n'
         'eval(parse(text = paste0("m1 <- asreml(fixed = y ~ 1, random = ~ vm(parent, ",\n'
         '    ifelse(grm == "Pedigree", "ainv", "grminv"), ") + ide(parent),\n'
         '    residual = ~idv(units), data = rec)")))\n'
         'll <- m1$loglik\n'
         'vc <- summary(m1)$varcomp\n')
    assert "r_loglik(m1)" in translate(r)           # m1 is known as a fit, not a list
    ns = run_r(r, complete=True, ped=PED, rec=rec, quiet=True)
    # dense REML: V = sa ZAZ' + spe ZZ' + se I
    ids = list(PED["id"])
    Z = (rec["parent"].to_numpy()[:, None] == np.array(ids)[None, :]).astype(float)
    ZAZ, ZZ = Z @ _tabular_a(PED) @ Z.T, Z @ Z.T
    y, X, n = rec["y"].to_numpy(), np.ones((len(rec), 1)), len(rec)

    def build(t: np.ndarray) -> np.ndarray:
        return t[0] * ZAZ + t[1] * ZZ + t[2] * np.eye(n)

    theta, _ = fit_dense(y, X, build, [np.array([1.0, 0.3, 0.7]), np.array([0.5, 0.5, 1.0])],
                         [(0.0, None)] * 3)
    ll_dense = reml_loglik(y, X, build(theta)) + 0.5 * (n - 1) * np.log(2 * np.pi)
    assert abs(float(ns["ll"]) - ll_dense) < 1e-4      # asreml's loglik: no 2π constant
    comp = ns["vc"]["component"].to_numpy(dtype=float)
    np.testing.assert_allclose(comp[:3], theta, rtol=2e-3, atol=2e-4)


def test_init_na_is_no_start_value() -> None:
    rec = _records()
    rec = rec[rec["parent"] != "zz"].reset_index(drop=True)
    r = ('a <- asreml(fixed = y ~ 1, random = ~ idv(parent, init = NA), data = rec)\n'
         'b <- asreml(fixed = y ~ 1, random = ~ idv(parent), data = rec)\n'
         'la <- a$loglik\nlb <- b$loglik\n')
    ns = run_r(r, complete=True, rec=rec, quiet=True)
    assert abs(float(ns["la"]) - float(ns["lb"])) < 1e-9


def test_eval_text_at_top_level_prints_unless_it_assigns(capsys) -> None:
    run_r('eval(parse(text = "1 + 2"))\nx <- data.frame(a = 1:2)\n'
          'eval(parse(text = "x$b <- x$a * 10"))\neval(parse(text = "y <- 7"))\n',
          complete=True)
    out = capsys.readouterr().out.split()
    assert out == ["3"]           # R: [1] 3, then nothing for the two assignments


def test_init_given_as_a_named_vector_fixes_the_f_parameter() -> None:
    rec = _records()
    rec = rec[rec["parent"] != "zz"].reset_index(drop=True)
    rec["ym"] = np.where(rec["sex"] == "M", rec["y"], np.nan)
    rec["yf"] = np.where(rec["sex"] == "F", rec["y"] + 1, np.nan)
    r = ('ainv <- ainverse(ped)\n'
         'myinit.1 <- c(0.6, 1, 1)\nnames(myinit.1) <- c("F", "P", "P")\n'
         'm <- asreml(fixed = cbind(ym, yf) ~ trait,\n'
         '  random = ~ corgh(trait, init = myinit.1):vm(parent, ainv),\n'
         '  residual = ~ units:idh(trait), data = rec)\n'
         'vc <- summary(m)$varcomp\n')
    ns = run_r(r, complete=True, ped=PED, rec=rec, quiet=True)
    vc = ns["vc"]
    cor = vc.loc[[i for i in vc.index if i.endswith("!cor")][0]]
    # asreml: the name F fixes that parameter at its start value; P ones are estimated
    assert cor["component"] == 0.6 and cor["bound"] == "F"


def test_columns_selected_by_unique_names() -> None:
    # Soay_Immune_GWAS: x.vec <- unique(x.vec[-which(x.vec == 1)]); x.data[, x.vec]
    r = ('d <- data.frame(ID = c("p", "q"), Sex = c("F", "M"), y = c(1.5, 2.5), z = 0)\n'
         'v <- strsplit("1+Sex+ped(ID)+Sex", split = "\\\\+")[[1]]\n'
         'v[grep("ped", v)] <- "ID"\n'
         'v <- unique(c(v, "y")[-which(c(v, "y") == 1)])\n'
         'e <- na.omit(d[, v])\n')
    ns = run_r(r, complete=True)
    assert list(ns["e"].columns) == ["Sex", "ID", "y"]     # R: "1" == 1 is TRUE, then unique


def test_start_values_and_fit_of_a_call_built_from_a_text_variable() -> None:
    # EdgardoVelilla/Relatedness-BLUPs predASReml.r: model <- "asreml(fixed = ...,";
    # temp <- eval(parse(text = paste(model, "start.values = TRUE)")))$vparameters.table;
    # constraints edited; fit <- eval(parse(text = paste(model, "G.param = temp, ...)")))
    rng = np.random.default_rng(2)
    g = np.repeat(np.arange(6), 4)
    d = pd.DataFrame({"y": 5 + rng.normal(0, 1, 6)[g] + rng.normal(0, 1, 24),
                      "g": pd.Categorical(g.astype(str))})
    r = ('model <- "asreml(fixed = y ~ 1, random = ~ idv(g), data = d,"\n'
         'sv <- eval(parse(text = paste(model, "start.values = TRUE)")))$vparameters.table\n'
         'sv[, "Constraint"] <- c("F", "F")\nsv[, "Value"] <- c(2, 1)\n'
         'm <- eval(parse(text = paste(model, "G.param = sv, R.param = sv)")))\n'
         'b <- coef(m)$random\nb2 <- coef(m)[["random"]]\n')
    ns = run_r(r, complete=True, d=d, quiet=True)
    np.testing.assert_array_equal(np.asarray(ns["b2"]), np.asarray(ns["b"]))   # [[ is $
    # BLUP with known variances (balanced): n σ²_g / (n σ²_g + σ²_e) (ȳ_i − ȳ)
    means = d.groupby("g", observed=True)["y"].mean().to_numpy()
    expect = 4 * 2.0 / (4 * 2.0 + 1.0) * (means - d["y"].mean())
    np.testing.assert_allclose(np.asarray(ns["b"], dtype=float).ravel(), expect, atol=1e-8)
