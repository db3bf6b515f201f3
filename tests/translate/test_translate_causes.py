"""translate(): one test per cause of issue 14 (what real asreml-R scripts did that translate
lost, broke or crashed on), each with a minimal R snippet and the Python expected; where a
snippet fits a model it is executed on the DT example data and compared with a direct
asr.asreml call."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import dt, run_py

import asr_py as asr
from asr_py.translate import translate


def body(py: str) -> list[str]:
    """The translated statements (after the import header)."""
    ast.parse(py)
    lines = py.split("import asr_py as asr\n", 1)[1].splitlines()
    return [ln for ln in lines if ln and not ln.startswith("from asr_py.translate.runtime")]


# ----- 1. code inside braces -------------------------------------------------------------------

def test_function_bodies_loops_and_if_are_translated(workdir: Path) -> None:
    r = """
fit_env <- function(d, e, k = 1) {
  sub <- d[d$Env == e, ]
  m <- asreml(fixed = Yield ~ 1, random = ~ Name, data = sub)
  m$loglik
}
ll <- c()
for (e in c("CA.2011", "CA.2012")) {
  if (e == "CA.2011") {
    ll1 <- fit_env(dat, e)
  } else if (e == "x") {
    next
  } else {
    ll2 <- fit_env(dat, e)
  }
}
"""
    py = translate('dat <- read.csv("DT.csv")\ndat$Name <- as.factor(dat$Name)\n' + r)
    lines = body(py)
    assert "def fit_env(d, e, k=1):" in lines
    assert "    m = asr.asreml(fixed='Yield ~ 1', random='~ Name', data=sub" \
           ", na_action={'x': 'fail'})" in lines
    assert "    return r_loglik(m)" in lines     # asreml's m$loglik: no 2π constant
    assert "for e in ['CA.2011', 'CA.2012']:" in lines
    assert "    elif e == 'x':" in lines and "        continue" in lines
    assert "# TODO(asr_py):" not in py
    ns = run_py(py)
    df = dt()
    for e, key in (("CA.2011", "ll1"), ("CA.2012", "ll2")):
        direct = asr.asreml("Yield ~ 1", random="~ Name", data=df[df["Env"] == e])
        nu = direct.result.n_minus_p
        assert ns[key] == pytest.approx(direct.loglik + 0.5 * nu * np.log(2 * np.pi),
                                        rel=1e-10)


def test_test_that_block_becomes_a_test_function_that_runs() -> None:
    py = translate('test_that("it fits", {\n  m <- asreml(y ~ 1, data = d)\n})\n')
    assert body(py) == ["def test_it_fits() -> None:", "    global m",
                        "    m = asr.asreml(fixed='y ~ 1', data=d"
                        ", na_action={'x': 'fail'})",
                        "r_test_that(test_it_fits, 'it fits')"]


def test_test_that_block_reads_the_variable_it_then_assigns() -> None:
    py = translate('k <- 1\ntest_that("reads k", {\n  k <- k + 1\n})\n')
    ns = run_py(py)
    assert ns["k"] == 2


def test_untranslatable_statement_in_a_block_keeps_the_block_valid() -> None:
    py = translate("f <- function(x) {\n  weird(x)\n}\nif (a) {\n  weird(1)\n}\n")
    lines = body(py)
    assert lines[0] == "def f(x):" and "    pass" in lines
    assert "#     weird(x)" not in lines and any("weird(x)" in ln for ln in lines)
    assert lines.count("    pass") == 2


def test_loop_header_not_translated_keeps_its_body() -> None:
    py = translate("for (i in weird(x)) {\n  m <- asreml(y ~ 1, data = d)\n}\n")
    lines = body(py)
    assert lines[0] == "# TODO(asr_py): not translated (weird()): i in weird(x)"
    assert lines[1].startswith("if False:")
    assert "    m = asr.asreml(fixed='y ~ 1', data=d, na_action={'x': 'fail'})" in lines


# ----- 2. pipes, pkg::, empty arguments --------------------------------------------------------

def test_pipes_in_data_and_namespaced_calls(workdir: Path) -> None:
    r = """
dat <- read.csv("DT.csv")
m1 <- asreml::asreml(fixed = Yield ~ 1, random = ~ Name,
                     data = dat |> subset(Env != "CA.2011"), )
m2 <- asreml(fixed = Yield ~ 1, random = ~ Name, data = dat %>% filter(Env != "CA.2011"))
"""
    py = translate(r)
    # subset() dispatches on its object at run time (r_subset); dplyr's filter() is direct
    assert "# TODO(asr_py):" not in py
    assert "r_subset(dat, lambda _p: _p['Env'] != 'CA.2011')" in py
    assert "data=dat[dat['Env'] != 'CA.2011']" in py
    ns = run_py(py)
    df = dt()
    direct = asr.asreml("Yield ~ 1", random="~ Name", data=df[df["Env"] != "CA.2011"])
    assert ns["m1"].loglik == pytest.approx(direct.loglik, rel=1e-10)
    assert ns["m2"].loglik == pytest.approx(direct.loglik, rel=1e-10)


def test_empty_arguments() -> None:
    lines = body(translate('x <- dat[, "Yield"]\ny <- dat[dat$a > 1, ]\n'
                           "m <- asreml(y ~ 1, , data = d)\n"))
    # the script's y is offered as a column when d has none (R's formula environment)
    assert lines == ["x = dat['Yield']", "y = r_na_subset(dat[dat['a'] > 1], dat, "
                     "dat['a'] > 1, r_na_of(dat['a']), rows=True)",
                     "m = asr.asreml(fixed='y ~ 1', data=r_env_columns(d, ['y'])"
                     ", na_action={'x': 'fail'})"]


def test_untranslatable_data_expression_keeps_the_call_and_says_the_model_differs() -> None:
    lines = body(translate("m <- asreml(y ~ 1, data = d |> weird_verb(3))\n"))
    assert lines[0].startswith("# TODO(asr_py): asreml(data = d |> weird_verb(3)) is not "
                               "translated (weird_verb()): the call uses d as it is, a "
                               "DIFFERENT model")
    assert lines[-1] == "m = asr.asreml(fixed='y ~ 1', data=d, na_action={'x': 'fail'})"


# ----- 3. unknown asreml arguments -------------------------------------------------------------

def test_unknown_arguments_get_a_todo_each_and_the_call_is_kept() -> None:
    py = translate("m <- asreml(y ~ 1, data = d, workspace = 1e8, mef = vc, foo = 3,\n"
                   "            family = asr_negbin())\n")
    lines = body(py)
    todo = "\n".join(ln for ln in lines if ln.startswith("# TODO"))
    # workspace only sizes asreml's memory: a NOTE (nothing for the user to review), no TODO
    assert "workspace" not in todo
    assert "# NOTE(asr_py): asreml(workspace = 1e8) dropped: it sizes asreml's work space" in py
    assert "asreml(mef = vc) is not translated (an asreml argument asr_py does not have)" \
        ": this call may fit a DIFFERENT model" in todo
    assert "asreml(foo = 3) is not translated (not an asreml() argument" in todo
    assert "asreml(family = asr_negbin()) is not translated: this call fits a DIFFERENT " \
        "model" in todo
    assert lines[-1] == "m = asr.asreml(fixed='y ~ 1', data=d, na_action={'x': 'fail'})"


def test_keep_order_is_translated_in_the_call_and_as_an_option() -> None:
    """keep.order changes the fixed terms' order (incremental Wald tests, aliasing): kept,
    in the call and from asreml.options() for every later fit (an R option is global)."""
    py = translate("m <- asreml(y ~ x + A, data = d, keep.order = TRUE)\n"
                   "f <- function() asreml.options(keep.order = TRUE)\n"
                   "asreml.options(keep.order = TRUE)\n"
                   "m2 <- asreml(y ~ A, data = d)\n")
    lines = body(py)
    assert "m = asr.asreml(fixed='y ~ x + A', data=d, keep_order=True" \
           ", na_action={'x': 'fail'})" in lines
    assert 'globals()["KEEP_ORDER"] = True' in lines
    assert lines[-1] == "m2 = asr.asreml(fixed='y ~ A', data=d" \
                        ", na_action={'x': 'fail'}, keep_order=KEEP_ORDER)"


def test_family_becomes_asr_family_and_the_script_fits_a_glmm(workdir: Path) -> None:
    """asreml 4's asr_binomial(link, total), asreml 3's asreml.binomial() with weights, and
    asr_poisson(dispersion = NA) become asr_py families; the translated script runs."""
    import numpy as np

    rng = np.random.default_rng(0)
    g = np.repeat(np.arange(12), 6)
    n = rng.integers(5, 20, g.size)
    k = rng.binomial(n, 1 / (1 + np.exp(-rng.normal(0, 0.7, 12)[g])))
    pd.DataFrame({"g": [f"G{i}" for i in g], "n": n, "k": k, "p": k / n}).to_csv(
        workdir / "bin.csv", index=False)
    py = translate('d <- read.csv("bin.csv")\n'
                   'd$g <- as.factor(d$g)\n'
                   'm4 <- asreml(k ~ 1, random = ~ g, data = d,\n'
                   '             family = asr_binomial(link = "logit", total = n))\n'
                   'm3 <- asreml(p ~ 1, random = ~ g, data = d, weights = n,\n'
                   '             family = asreml.binomial())\n'
                   'mp <- asreml(k ~ 1, random = ~ g, data = d,\n'
                   '             family = asr_poisson(dispersion = NA))\n')
    assert "family=asr.asr_binomial(link='logit', total='n')" in py
    assert "family=asr.asr_binomial()" in py and "family=asr.asr_poisson(dispersion=None)" in py
    assert "# TODO(asr_py)" not in py
    ns = run_py(py)
    assert ns["m4"].varcomp.loc["g", "component"] == pytest.approx(
        ns["m3"].varcomp.loc["g", "component"], rel=1e-6)
    assert ns["mp"].varcomp.loc["units!R", "component"] > 0  # dispersion estimated


def test_subset_argument_selects_rows(workdir: Path) -> None:
    py = translate('dat <- read.csv("DT.csv")\n'
                   'm <- asreml(Yield ~ 1, random = ~ Name, subset = Env == "CA.2011", '
                   "data = dat)\n")
    assert "data=dat[dat['Env'] == 'CA.2011']" in py and "# TODO(asr_py):" not in py
    df = dt()
    direct = asr.asreml("Yield ~ 1", random="~ Name", data=df[df["Env"] == "CA.2011"])
    assert run_py(py)["m"].loglik == pytest.approx(direct.loglik, rel=1e-10)


# ----- 4. comments inside formulas -------------------------------------------------------------

def test_comment_inside_a_multiline_formula_drops_no_term() -> None:
    r = ("m <- asreml(fixed = Yield ~ Env +   # environments\n"
         "               # Block +\n"
         "               Name,            # lines\n"
         "             data = dat)\n")
    lines = body(translate(r))
    assert lines[0] == "m = asr.asreml(fixed='Yield ~ Env + Name', data=dat" \
                       ", na_action={'x': 'fail'})  # environments"
    assert lines[1:] == ["# Block +", "# lines"]


# ----- 5. dotted names, as.numeric(a/15), !x inside & ------------------------------------------

def test_dotted_matrix_names_are_valid_python() -> None:
    py = translate("m <- asreml(y ~ 1, random = ~ giv(id), ginverse = list(id = Ginv.sparse),"
                   " data = d)\nm2 <- asreml(y ~ 1, random = ~ vm(id, A.inv), data = d)\n")
    assert "random='~ vm(id, Ginv_sparse)'" in py and \
        "Ginv_sparse=r_as_ginverse(Ginv_sparse)" in py       # ginverse: an inverse
    # vm()'s matrix keeps its R name (asreml's component and effect names carry it) and is
    # passed by a dict, as a dotted name is no Python keyword
    assert "    random='~ vm(id, A.inv)',\n    data=d,\n    na_action={'x': 'fail'},\n" \
           "    **{'A.inv': A_inv},\n)" in py
    compile(py, "<translated>", "exec")


def test_conversions_of_expressions_and_negation_in_and() -> None:
    lines = body(translate("d$h <- as.numeric(d$a / 15)\nok <- d[!is.na(d$y) & d$x > 1, ]\n"
                           "go <- !done && n < 3\n"))
    assert lines == ["d['h'] = (d['a'] / 15).astype(float)",
                     "ok = d[(r_not(pd.isna(d['y']))) & (d['x'] > 1)]",
                     "go = (not done) and n < 3"]


# ----- 6. non-ASCII identifiers ----------------------------------------------------------------

def test_non_ascii_identifiers() -> None:
    lines = body(translate("año <- 2020\ndatos$época <- factor(datos$época)\n"))
    assert lines == ["año = 2020", "datos['época'] = r_as_factor(datos['época'])"]


# ----- 7. x[["a"]] -----------------------------------------------------------------------------

def test_double_brackets_keep_statements_apart() -> None:
    r = 'f <- function(l) {\n  x <- l[["a"]]\n  x\n}\ny <- res[["b"]][1]\nz <- 2\n'
    lines = body(translate(r))
    # (l is a parameter: l[["a"]] of a list without "a" is NULL, hence r_dollar)
    assert lines == ["def f(l):", "    x = r_dollar(l, 'a', exact=True)", "    return x",
                     "y = r_elt(res['b'], 1)",      # a list element: by position
                     "z = 2"]


# ----- 8. partial argument names and data input ------------------------------------------------

def test_data_input_functions() -> None:
    r = """
a <- read.table("a.txt", h = T, na.strings = "*")
b <- read.csv("b.csv", check.names = FALSE, row.names = 1)
c1 <- read.csv("c.csv", head = FALSE)
data(oats)
load("pheno.RData")
p <- readRDS("ped.rds")
x <- readxl::read_excel("t.xlsx", sheet = 2)
"""
    lines = body(translate(r))
    assert lines == [
        "a = r_read_csv('a.txt', sep=r'\\s+', na_values='*').rename(columns=make_names)",
        "b = r_read_csv('b.csv', index_col=0)",
        "c1 = r_read_csv('c.csv', header=None).rename(columns=make_names)",
        "oats = r_data('oats', globals())",
        "globals().update(load_rdata('pheno.RData'))",
        "p = read_rds('ped.rds')",
        "x = pd.read_excel('t.xlsx', sheet_name=1)"]
    assert "from asr_py.translate.runtime import load_rdata, make_names, r_data, r_read_csv, " \
        "read_rds" \
        in translate(r)


def test_check_names_renames_columns_like_r(workdir: Path) -> None:
    (workdir / "w.csv").write_text("plant height,2nd,ok\n1,2,3\n")
    ns = run_py(translate('w <- read.csv("w.csv")\n'))
    assert list(ns["w"].columns) == ["plant.height", "X2nd", "ok"]


def test_r_data_reads_a_csv_under_data(workdir: Path) -> None:
    (workdir / "data").mkdir()
    dt().to_csv(workdir / "data" / "trial.csv", index=False)
    ns = run_py(translate("data(trial)\nn <- nrow(trial)\n"))
    assert ns["n"] == len(dt())
    with pytest.raises(ValueError, match=r"data\(nothere\).*\n.*write.csv"):
        run_py(translate("data(nothere)\n"))


# ----- 9. asreml 3 results, vectors, init variables, G.param constraints -----------------------

def test_asreml3_result_components() -> None:
    r = ("m <- asreml(y ~ 1, random = ~ g, data = d)\n"
         'p <- predict(m, classify = "g")$predictions$pvals\n'
         "vt <- m$vparameters.table\nb <- m$coefficients$fixed\n")
    assert body(translate(r))[1:] == ["p = r_pvals3(m.predict(classify='g'))", "vt = m.params",
                                      "b = m.coef_fixed_all('reverse')['solution']"]


def test_r_vector_semantics() -> None:
    lines = body(translate('lab <- paste(d$Env, d$Block, sep = ".")\nv <- c(1, 2) + 1\n'
                           'u <- paste("a", 1)\n'))
    # r_paste: R's recycling and as.character (a whole number prints as 10, not 10.0);
    # literals are joined when translating, as R's as.character writes them
    assert lines == ["lab = r_paste(d['Env'], d['Block'], sep='.')",
                     "v = np.array([1, 2]) + 1",
                     "u = 'a 1'"]


def test_init_vector_held_in_a_variable_is_passed_by_keyword() -> None:
    py = translate("ini <- c(0.5, 0.1, 0.5)\n"
                   "m <- asreml(cbind(y1, y2) ~ trait, random = ~ us(trait, init = ini):g,"
                   " residual = ~ units:us(trait), data = d)\n")
    assert "random='~ us(trait, init = ini):g'" in py and "ini=ini" in py


def test_gparam_constraint_table_becomes_params(workdir: Path) -> None:
    r = """
dat <- read.csv("DT.csv")
sv <- asreml(Yield ~ Env, random = ~ Name, data = dat, start.values = TRUE)
gp <- sv$vparameters.table
gp$Value[gp$Component == "Name"] <- 5
gp$Constraint[gp$Component == "Name"] <- "F"
m <- asreml(Yield ~ Env, random = ~ Name, data = dat, G.param = gp, R.param = gp)
"""
    py = translate(r)
    assert "params=gp" in py and "# TODO(asr_py):" not in py
    assert ("r_sub_assign(r_dollar(gp, 'Constraint', exact=True), "
            "gp['Component'] == 'Name', 'F')") in py
    ns = run_py(py)
    vc = ns["m"].varcomp
    assert vc.loc["Name", "component"] == pytest.approx(5.0)
    free = asr.asreml("Yield ~ Env", random="~ Name", data=dt())
    assert free.varcomp.loc["Name", "component"] != pytest.approx(5.0, rel=1e-3)


def test_gparam_not_translatable_says_the_model_differs() -> None:
    py = translate("m <- asreml(y ~ 1, random = ~ g, data = d, G.param = weird(gp))\n")
    assert "asreml(G.param = weird(gp)) is not translated (weird()): this call fits a " \
           "DIFFERENT model" in py
    assert body(py)[-1] == "m = asr.asreml(fixed='y ~ 1', random='~ g', data=d" \
                           ", na_action={'x': 'fail'})"


def test_factor_compared_with_a_number_compares_labels(workdir: Path) -> None:
    py = translate('dat <- read.csv("DT.csv")\ndat$Yf <- as.factor(dat$Year)\n'
                   "n1 <- nrow(subset(dat, Yf == 2011))\nn2 <- nrow(dat[dat$Year == 2011, ])\n")
    ns = run_py(py)
    assert ns["n1"] == ns["n2"] == int((dt()["Year"] == "2011").sum()) > 0


# ----- 10. R Markdown / Quarto -----------------------------------------------------------------

RMD = """---
title: "Trial"
---

Prose with `r 1+1` inline.

```{r setup, include=FALSE}
library(asreml)
```

```{r fit}
dat <- read.csv("DT.csv")
m <- asreml(Yield ~ Env, random = ~ Name, data = dat)
```

```{r, eval=FALSE}
m2 <- asreml(Yield ~ 1, random = ~ Name, data = dat)
```

```{python}
print("not R")
```
"""


def test_rmd_chunks_translated_prose_kept(workdir: Path) -> None:
    py = translate(RMD)
    lines = body(py)
    assert lines[:2] == ["# ---", '# title: "Trial"']
    assert "# Prose with `r 1+1` inline." in lines
    assert "m = asr.asreml(fixed='Yield ~ Env', random='~ Name', data=dat" \
           ", na_action={'x': 'fail'})" in lines
    i = lines.index("if False:")
    assert lines[i + 1] == "    m2 = asr.asreml(fixed='Yield ~ 1', random='~ Name', data=dat" \
                           ", na_action={'x': 'fail'})"
    assert '# print("not R")' in lines
    ns = run_py(py)
    assert "m2" not in ns
    direct = asr.asreml("Yield ~ Env", random="~ Name", data=dt())
    assert ns["m"].loglik == pytest.approx(direct.loglik, rel=1e-10)


# ----- 11. pedigrees where an id is both sire and dam ------------------------------------------

def test_ainverse_accepts_selfing_as_asreml_does() -> None:
    py = translate("ainv <- ainverse(ped)\n")
    ped = pd.DataFrame({"id": ["a", "b", "c"], "sire": [None, None, "a"],
                        "dam": [None, None, "a"]})
    ns: dict = {"ped": ped}
    exec(compile(py, "<translated>", "exec"), ns)  # noqa: S102
    assert ns["ainv"] is not None and "check_roles=False" in py


def test_positional_init_of_a_variance_structure_is_named(workdir: Path) -> None:
    # asreml's corgh(obj, init): `corgh(Env, initf)` is `corgh(Env, init = initf)`; a named
    # init and other arguments are left as written
    r = ('dat <- read.csv("DT.csv")\ninitf <- c(0.3, 0.3, 0.3, 5, 5, 5)\n'
         "m <- asreml(Yield ~ Env, random = ~ corgh(Env, initf):id(Name), data = dat)\n")
    py = translate(r)
    assert "corgh(Env, init = initf):id(Name)" in py and "initf=initf" in py
    ns = run_py(py)
    named = asr.asreml("Yield ~ Env", random="~ corgh(Env, init = c(0.3, 0.3, 0.3, 5, 5, 5))"
                       ":id(Name)", data=dt())
    assert ns["m"].loglik == pytest.approx(named.loglik, abs=1e-8)
    keep = translate("m <- asreml(y ~ 1, random = ~ us(t, init = v):id(g) + fa(t, 2):g, "
                     "data = d)\n")
    assert "us(t, init = v):id(g) + fa(t, 2):g" in keep


# ----- robustness ------------------------------------------------------------------------------

@pytest.mark.parametrize("code", [
    "x <- f(a, \\(z) z + 1)\n",
    "if (x) {\n",                                  # unclosed block
    "y <- (1 +\n\nz <- 2\n",                         # unclosed bracket, then a statement
    'x <- "unterminated\n',
    "a %>% b %>% c(\n",
    "`odd name` <- 1; `odd name`\n",
    "x <- 0x1F + 1e-3 + 2L + 3i\n",
    "x[[1]][[2]] <- y$`a b`@slot\n",
    "function(x) x\n",
    "repeat { break }\nwhile (TRUE) next\n",
])
def test_odd_r_never_crashes_and_gives_valid_python(code: str) -> None:
    ast.parse(translate(code))


def test_cli_translates_rmd_and_latin1_scripts(tmp_path: Path) -> None:
    from asr_py.cli import main

    (tmp_path / "a.Rmd").write_text(RMD)
    (tmp_path / "b.R").write_bytes("año <- 1\nm <- asreml(y ~ 1, data = d)\n".encode("latin-1"))
    assert main(["translate", str(tmp_path / "a.Rmd"), "-o", str(tmp_path / "a.py")]) == 0
    assert "if False:" in (tmp_path / "a.py").read_text()
    assert main(["translate", str(tmp_path / "b.R"), "-o", str(tmp_path / "b.py")]) == 0
    assert body((tmp_path / "b.py").read_text()) == [
        "año = 1", "m = asr.asreml(fixed='y ~ 1', data=d, na_action={'x': 'fail'})"]


def test_names_assignment_on_frames_and_vectors() -> None:
    py = translate('d <- data.frame(a = c(1, 2), b = c(3, 4))\nnames(d) <- c("x", "y")\n'
                   'v <- c(1.5, 2.5)\nnames(v) <- c("p", "q")\n')
    ns = run_py(py)
    assert list(ns["d"].columns) == ["x", "y"]
    assert ns["v"]["q"] == 2.5


def test_update_formulas_with_dots_are_kept_for_update(workdir: Path) -> None:
    """update()'s '.' is kept: asr_py's update() expands it from the fit's formulas."""
    r = ('dat <- read.csv("DT.csv")\n'
         "m1 <- asreml(fixed = Yield ~ 1, random = ~ Name, data = dat)\n"
         "m2 <- update(m1, fixed = . ~ . + Env)\n"
         "m3 <- update(m2, random = ~ . + Env:Name)\n"
         "m4 <- update(other, fixed = . ~ . + Env)\n")
    lines = body(translate(r))
    assert "m2 = m1.update(fixed='. ~ . + Env')" in lines
    assert "m3 = m2.update(random='~ . + Env:Name')" in lines
    assert "m4 = other.update(fixed='. ~ . + Env')" in lines
    ns = run_py("\n".join(ln for ln in translate(r).splitlines() if "other" not in ln))
    direct = asr.asreml("Yield ~ 1 + Env", random="~ Name + Env:Name", data=dt())
    assert ns["m3"].loglik == pytest.approx(direct.loglik, rel=1e-8)


def test_two_string_indices_select_a_cell() -> None:
    assert body(translate('x <- vc["Name", "component"]\n')) == [
        "x = vc.loc['Name', 'component']"]


def test_base_statistics_follow_r() -> None:
    ns = run_py(translate("x <- c(1, 2, 4)\ny <- c(2, 1, 5)\ns <- sd(x)\nv <- var(x)\n"
                          "r <- cor(x, y)\nm <- mean(c(1, NA, 3), na.rm = TRUE)\n"))
    assert ns["v"] == pytest.approx(7 / 3) and ns["s"] == pytest.approx((7 / 3) ** 0.5)
    assert ns["r"] == pytest.approx(0.8386278693775347)
    assert ns["m"] == pytest.approx(2.0)


def test_names_of_a_single_value() -> None:
    # names(x) <- "Intercept" with x one string: a named vector of length 1, not its letters
    ns = run_py(translate('x <- "Overall Yield"\nnames(x) <- "Intercept"\n'))
    assert list(ns["x"].index) == ["Intercept"] and list(ns["x"]) == ["Overall Yield"]


def test_rows_ordered_by_columns(workdir: Path) -> None:
    py = translate('dat <- read.csv("DT.csv")\n'
                   "d1 <- with(dat, dat[order(Env, Block, Name), ])\n"
                   "d2 <- dat[order(dat$Yield, decreasing = TRUE), ]\n")
    ns = run_py(py)
    want = dt().sort_values(["Env", "Block", "Name"], kind="stable")
    assert list(ns["d1"]["Yield"]) == list(want["Yield"])
    assert list(ns["d2"]["Yield"]) == sorted(dt()["Yield"], reverse=True)


def test_data_binds_the_objects_an_rda_holds(workdir: Path) -> None:
    # needs the optional reader pyreadr (asr_py[rdata]; in the test extra, so CI has it)
    (workdir / "data").mkdir()
    src = Path(__file__).resolve().parent / "data" / "local851.rda"
    (workdir / "data" / "local851.rda").write_bytes(src.read_bytes())
    ns = run_py(translate("data(local851)\nn <- nrow(site2)\ns <- sum(site2$y)\n"))
    assert ns["n"] == 3 and ns["s"] == pytest.approx(6.75)


def test_function_default_is_evaluated_when_called() -> None:
    # R evaluates `data = DAT` when f runs: DAT may be assigned after the definition
    ns = run_py(translate("f <- function(k, data = DAT, m = 2) {\n  nrow(data) * m + k\n}\n"
                          "DAT <- data.frame(a = 1:3)\nr1 <- f(1)\n"
                          "r2 <- f(1, data = data.frame(a = 1:5), m = 1)\n"))
    assert ns["r1"] == 7 and ns["r2"] == 6


def test_asreml3_predictions_list_keeps_pvals_and_sed(workdir: Path) -> None:
    # asreml 3: p <- predict(m, classify = "Env", sed = TRUE)$predictions; p$pvals, p$sed
    py = translate('dat <- read.csv("DT.csv")\n'
                   "m <- asreml(Yield ~ Env, random = ~ Name, data = dat)\n"
                   'p <- predict(m, classify = "Env", sed = TRUE)$predictions\n'
                   "pv <- p$pvals\ns <- p$sed\n")
    ns = run_py(py)
    direct = asr.asreml("Yield ~ Env", random="~ Name", data=dt()).predict(classify="Env",
                                                                          sed=True)
    pd.testing.assert_series_equal(ns["pv"]["predicted.value"], direct["predicted.value"])
    assert pd.DataFrame(ns["s"]).to_numpy() == pytest.approx(
        pd.DataFrame(direct.attrs["sed"]).to_numpy(), nan_ok=True)


def test_assigning_null_removes_a_column(workdir: Path) -> None:
    ns = run_py(translate('dat <- read.csv("DT.csv")\ndat$Weight <- NULL\ndat$nothere <- NULL\n'
                          "l <- list(a = 1, b = 2)\nl$a <- NULL\n"))
    assert "Weight" not in ns["dat"].columns and len(ns["dat"].columns) == len(dt().columns) - 1
    assert ns["l"] == {"b": 2}


def test_vector_subset_by_its_own_values() -> None:
    # R: s[s != "arma"] keeps the elements; a Python list compared with != is one bool
    ns = run_py(translate('s <- c("ar1", "arma", "exp")\nk <- c()\n'
                          'for (f in s[s != "arma"]) k <- c(k, f)\n'
                          "v <- c(1, 5, 3, 12)\nw <- v[v > 2 & v < 10]\n"))
    assert list(ns["k"]) == ["ar1", "exp"] and list(ns["w"]) == [5, 3]


def test_test_that_block_is_not_repeated_as_a_todo_and_all_any() -> None:
    py = translate('test_that("a", {\n  asreml.options(aodev = TRUE)\n  x <- c(1, -2)\n'
                   "  ok <- all(abs(x) < 3)\n  no <- any(abs(x) > 5)\n})\n")
    assert py.count("asreml.options(aodev = TRUE)") == 2       # the TODO and its R line
    assert "test_that(" not in py.replace("r_test_that(", "")
    ns = run_py(py)
    assert ns["ok"] and not ns["no"]


def test_knot_points_is_passed_and_other_model_arguments_flagged() -> None:
    # knot.points is asr_py's knot_points (tests/model/test_spl_knot_points.py)
    py = translate("m <- asreml(y ~ x, random = ~ spl(x), knot.points = list(x = k), "
                   "data = d)\n")
    assert "knot_points={'x': k}" in py and "DIFFERENT model" not in py
    py = translate("m <- asreml(y ~ x, random = ~ spl(x), equate.levels = c('a', 'b'), "
                   "data = d)\n")
    assert "asreml(equate.levels = c('a', 'b')) is not translated" in py
    assert "DIFFERENT model" in py


def test_predict_partial_argument_names(workdir: Path) -> None:
    py = translate('dat <- read.csv("DT.csv")\n'
                   "m <- asreml(Yield ~ Env, random = ~ Name, data = dat)\n"
                   'p <- predict(m, class = "Env", se = TRUE)$pvals\n')
    assert "m.predict(classify='Env', sed=True)" in py
    ns = run_py(py)
    assert list(ns["p"]["Env"]) == sorted(dt()["Env"].unique())


def test_predict_options_are_translated(workdir: Path) -> None:
    # present / ignore / average / aliased are asr_py predict() options too (no TODO)
    py = translate('dat <- read.csv("DT.csv")\n'
                   "m <- asreml(Yield ~ Env, random = ~ Name + Env:Name, data = dat)\n"
                   'p1 <- predict(m, classify = "Name", ignore = "Env:Name", aliased = TRUE)\n'
                   'p2 <- predict(m, classify = "Name", present = c("Env", "Name"))\n'
                   'p3 <- predict(m, classify = "Name", average = list(Env = c(0.5, 0.3, 0.2)))\n')
    assert "TODO(asr_py): predict" not in py
    ns = run_py(py)
    m = asr.asreml("Yield ~ Env", random="~ Name + Env:Name", data=dt())
    want = {"p1": m.predict(classify="Name", ignore="Env:Name", aliased=True),
            "p2": m.predict(classify="Name", present=["Env", "Name"]),
            "p3": m.predict(classify="Name", average={"Env": [0.5, 0.3, 0.2]})}
    for k, w in want.items():
        pd.testing.assert_series_equal(ns[k]["predicted.value"], w["predicted.value"])
    # the options change the predictions (the test would not notice a dropped option otherwise)
    base = m.predict(classify="Name")["predicted.value"].to_numpy()
    assert abs(ns["p3"]["predicted.value"].to_numpy() - base).max() > 1e-6
