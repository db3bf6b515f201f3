"""translate()'s answer does not depend on how a script is written (style fuzz, tier 1).

The snippets of tests/translate/style (written here) are rewritten in each style of
benchmarks/translate_style_fuzz.py that R reads as the same program (R's tokens and
verdicts recorded in tests/translate/style/recorded.json by ``translate_style_fuzz.py
--record``, so no R is needed here); both translations must compile and have the same
asr.asreml() calls and TODOs, and for a few styles print the same numbers when run. Then one
test per cause the fuzz found, on snippets of their own.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import sys
from pathlib import Path

import pytest

from asr_py.translate import translate

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
import translate_style_fuzz as sf  # noqa: E402

RECORDED = json.loads(sf.RECORD.read_text())
CASES = [(name, style) for name, entry in sorted(RECORDED.items())
         for style in entry["same"]]


def _rewrite(name: str, style: str) -> tuple[str, str]:
    src = (ROOT / name).read_text(encoding="utf-8")
    new = sf.rewrite(style, src, sf.replay(RECORDED[name]))
    assert new is not None, "the recorded rewrite changes nothing: re-record"
    return src, new


def test_recorded_snippets_are_current() -> None:
    """Every snippet is recorded (and only those), with most styles applying."""
    names = {f"tests/translate/style/{p.name}" for p in (ROOT / "tests/translate/style")
             .glob("*.R")}
    assert set(RECORDED) == names
    assert all(len(e["same"]) >= 20 for e in RECORDED.values())


@pytest.mark.parametrize(("name", "style"), CASES, ids=[f"{Path(n).stem}-{s}" for n, s in CASES])
def test_style_translates_alike(name: str, style: str) -> None:
    src, new = _rewrite(name, style)
    a, b = sf.py_of(src), sf.py_of(new)
    assert a.valid and not a.crashed
    assert sf.compare(a, b) == ""
    assert b.code.count("untranslated(") == a.code.count("untranslated(")


def _printed(py: str) -> list[float]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(py, "<style>", "exec"), {"__name__": "__main__"})  # noqa: S102
    return sf.numbers(out.getvalue())


_RUN = ("named", "positional", "partial_names", "reorder", "double_bracket",
        "call_to_pipe", "wide_spaces", "comment_args", "true_t", "right_assign")


@pytest.mark.parametrize("style", _RUN)
def test_style_prints_the_same_numbers(style: str, workdir: Path) -> None:
    name = "tests/translate/style/03_named_arguments.R"
    assert style in RECORDED[name]["same"], f"R no longer records {style} for {name}"
    src, new = _rewrite(name, style)
    a, b = _printed(sf.py_of(src).code + "\nprint(x)\nprint(m1.loglik)\n"), \
        _printed(sf.py_of(new).code + "\nprint(x)\nprint(m1.loglik)\n")
    assert len(a) >= 2 and sf.same_numbers(a, b)


# ----- the causes the fuzz found, one test each ---------------------------------------------

def _body(py: str) -> str:
    return py.split("import asr_py as asr\n", 1)[1]


def _todo(py: str) -> list[str]:
    return [ln for ln in py.splitlines() if ln.lstrip().startswith("# TODO(asr_py)")]


def _code(py: str) -> list[str]:
    """The lines of code (no comments, no imports)."""
    return [re.sub(r"  # [^'\"]*$", "", ln) for ln in _body(py).splitlines()
            if ln.strip() and not ln.lstrip().startswith(("#", "from "))]


def test_double_bracket_name_is_dollar() -> None:
    """x[["a"]] is R's x$a without partial matching: the rules for x$a read it too."""
    base = ("library(asreml)\nm <- asreml(y ~ 1, random = ~ g, data = d)\n"
            "m2 <- asreml(y ~ 1, random = ~ g, data = d, G.param = m{0}, R.param = m{1})\n"
            "v <- summary(m2){2}\n")
    a = translate(base.format("$G.param", "$R.param", "$varcomp"))
    b = translate(base.format('[["G.param"]]', "[['R.param']]", '[["varcomp"]]'))
    assert not _todo(b) and _code(a) == _code(b)
    # no partial matching for [[: an element of a parameter read exactly
    f = translate('f <- function(l) l[["a"]]\ng <- function(l) l$a\n')
    assert "r_dollar(l, 'a', exact=True)" in f and "r_dollar(l, 'a')" in f


def test_comment_after_a_name_is_not_a_package() -> None:
    """``NULL  # none`` kept its comment where ``pkg::name`` keeps its package."""
    r = "f <- function() {\n  NULL   # nothing to return\n}\nx <- stats::median(c(1, 3))\n"
    py = translate(r)
    assert not _todo(py) and "return None" in py and "nothing to return" in py


def test_native_pipe_into_a_statement_rule() -> None:
    """``d <- d |> within(...)`` and ``x |> rm()`` are R's within(d, ...) and rm(x)."""
    a = translate("d <- read.csv('DT.csv')\nd <- within(d, Name <- factor(Name))\n"
                  "tmp <- 1\nrm(tmp)\n")
    b = translate("d <- read.csv('DT.csv')\nd <- d |> within(Name <- factor(Name))\n"
                  "tmp <- 1\ntmp |> rm()\n")
    assert not _todo(b) and _code(a) == _code(b)
    # magrittr's %>% too, when its right side does not read the dot
    c = translate("library(magrittr)\nd <- read.csv('DT.csv')\n"
                  "d <- d %>% within(Name <- factor(Name))\ntmp <- 1\ntmp %>% rm()\n")
    assert not _todo(c) and _code(a) == _code(c)


@pytest.mark.parametrize("spaced", [
    "m <- asreml ( fixed = y ~ 1 , random = ~ ped ( id ) + id : env , "
    "ginverse = list ( id = A.inv ) , data = p )\nh <- vpredict ( m , h2 ~ V1 / ( V1 + V2 ) )",
    "m <- asreml(fixed = y ~ 1, random = ~ped( id )+id:env,\n"
    "            ginverse = list(id = A.inv), data = p)\nh <- vpredict(m, h2 ~ V1 / (V1 + V2))",
])
def test_spacing_inside_calls(spaced: str) -> None:
    """Spaces inside brackets and around ``:`` mean nothing to R: the formula strings and
    the rules reading them see R's deparse() spacing."""
    head = "library(asreml)\nA.inv <- ainverse(ped)\n"
    plain = ("m <- asreml(fixed = y ~ 1, random = ~ ped(id) + id:env, "
             "ginverse = list(id = A.inv), data = p)\nh <- vpredict(m, h2 ~ V1 / (V1 + V2))")
    a, b = translate(head + plain), translate(head + spaced)
    assert not _todo(b)
    assert [re.sub(r"\s+", "", x) for x in _code(a)] == [re.sub(r"\s+", "", x)
                                                          for x in _code(b)]
    assert "vm(id, A_inv)" in b


@pytest.mark.parametrize(("named", "plain"), [
    ("d$f <- factor(x = d$a)", "d$f <- factor(d$a)"),
    ("y <- ifelse(test = d$a > 1, yes = 'h', no = 'l')", "y <- ifelse(d$a > 1, 'h', 'l')"),
    ("k <- match(table = u, x = d$a)", "k <- match(d$a, u)"),
    ("n <- ncol(x = M)", "n <- ncol(M)"),
    ("s <- seq(1, 10, len = 4)", "s <- seq(1, 10, length.out = 4)"),
    ("d <- read.csv('DT.csv', head = TRUE)", "d <- read.csv('DT.csv', header = TRUE)"),
    ("b <- do.call(what = rbind, args = l)", "b <- do.call(rbind, l)"),
    ("m1 <- update(object = m0, random = ~ g)", "m1 <- update(m0, random = ~ g)"),
    ("v <- vpredict(object = m0, transform = h ~ V1 / (V1 + V2))",
     "v <- vpredict(m0, h ~ V1 / (V1 + V2))"),
])
def test_r_argument_matching(named: str, plain: str) -> None:
    """Named, partially named and reordered arguments as R matches them (rnormargs)."""
    head = "library(asreml)\nd <- read.csv('DT.csv')\nM <- matrix(1:6, 2)\nu <- 1:3\n" \
           "l <- list(d, d)\nm0 <- asreml(Yield ~ 1, random = ~ Name, data = d)\n"
    a, b = translate(head + plain), translate(head + named)
    assert not _todo(b) and _code(a) == _code(b)


def test_r_argument_matching_leaves_refused_and_own_calls() -> None:
    """A prefix of two formals (R refuses the call), a function the script defines, and
    ``data =`` of lm() stay as written."""
    from asr_py.translate import statements
    from asr_py.translate.rnormargs import normalize

    prog = statements("x <- matrix(1:6, n = 3)\nfactor <- function(x, y) x\n"
                      "z <- factor(y = 1, x = 2)\nf <- lm(formula = y ~ x, data = d)\n")
    normalize(prog, {"factor", "x", "z", "f"})
    assert [n for n, _ in prog[0].right.args] == [None, "n"]    # nrow or ncol?
    assert [n for n, _ in prog[2].right.args] == ["y", "x"]
    assert [n for n, _ in prog[3].right.args] == [None, "data"]


def test_comment_inside_a_call_says_nothing_of_asreml_3() -> None:
    """asreml 3's order of the fixed coefficients (``summary(m, all = TRUE)``) is read in the
    code without comments: a comment with brackets inside the call, or a commented-out
    ``rcov =``, changes nothing."""
    body = ("library(asreml)\nfit <- asreml(Yield ~ Env, random = ~ Name, data = dat)\n"
            "x <- summary(fit,{0} all = TRUE)$coef.fi\n"
            "n <- length(fit$coefficients$fixed)\n")
    a = translate(body.format(""))
    b = translate(body.format("  # all levels (see ?summary)\n  "))
    assert "coef_fixed_all('reverse')" in a and _code(a) == _code(b)
    c = translate("library(asreml)\n# m <- asreml(y ~ 1, rcov = ~ units, data = d)\n"
                  "fit <- asreml(y ~ x, data = d)\nb <- fit$coefficients$fixed\n")
    assert "order='reverse'" not in c


def test_rightward_assignment_of_read_data() -> None:
    """``read.csv(f) -> raw`` is ``raw <- read.csv(f)``: a column the file may lack is
    R's NULL either way."""
    a = translate("raw <- read.csv('DT.csv')\navg <- mean(raw$NotAColumn)\n")
    b = translate("read.csv('DT.csv') -> raw\nmean(raw$NotAColumn) -> avg\n")
    assert "r_null_vec(r_dollar(raw, 'NotAColumn'))" in a and _code(a) == _code(b)


def test_string_called_with_a_space() -> None:
    """R calls a string as a function whatever the spacing: ``':=' (a = 1)``."""
    head = "library(data.table)\nb <- fread('x.csv')\n"
    a = translate(head + "b[, ':='(v = se^2, w = 1)]\n")
    b = translate(head + "b  [  ,  ':='  (  v  =  se  ^  2  ,  w  =  1  )  ]\n")
    assert not _todo(b) and _code(a) == _code(b)


def test_recorded_formals() -> None:
    """asr_py/data/r_formals.json as R documents the functions (?factor, ?read.csv, ?seq);
    names other attached packages export with other formals are out (dplyr's filter)."""
    from asr_py.translate.rnormargs import formals

    assert formals("factor") == ("x", "levels", "labels", "exclude", "ordered", "nmax")
    assert formals("read.csv")[:3] == ("file", "header", "sep")
    assert formals("seq")[:4] == ("from", "to", "by", "length.out")   # seq.default's
    assert formals("filter") is None and formals("no_such_function") is None
    assert formals("vpredict") == ("object", "transform")


def test_windows_relative_paths() -> None:
    """``"data\\\\wheat.txt"`` (a path R reads on Windows) reads the same file as
    ``"data/wheat.txt"``; a regular expression or an absolute Windows path stays as written."""
    a = translate('d <- read.table("data/wheat.txt", header = TRUE)\n')
    b = translate('d <- read.table("data\\\\wheat.txt", header = TRUE)\n')
    assert _code(a) == _code(b)
    c = translate('x <- gsub("\\\\.csv", "", f)\ny <- read.csv("C:\\\\a\\\\b.csv")\n')
    assert "'\\\\.csv'" in c and "'C:\\\\a\\\\b.csv'" in c


def test_positional_option_is_not_dropped(workdir: Path) -> None:
    """``read.table(f, TRUE)`` is header = TRUE (it was dropped: the columns were V1, V2...)."""
    (workdir / "w.txt").write_text("a b\n1 2\n3 4\n")
    a = translate('d <- read.table("w.txt", header = TRUE)\nprint(names(d))\n')
    b = translate('d <- read.table("w.txt", TRUE)\nprint(names(d))\n')
    assert _code(a) == _code(b)
