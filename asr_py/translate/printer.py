"""R syntax tree -> Python: statements, blocks (function/if/for/while) and base R calls.

The asreml-specific rewrites live in :mod:`asr_py.translate.asreml_rules`; this module holds
what any R script needs: assignments, control flow, operators, vectors, data input and the
common base/dplyr functions. A statement outside the translated subset becomes
``# TODO(asr_py): ...`` comments holding the original code; inside a block whose every
statement is a TODO a ``pass`` keeps the Python valid.
"""

from __future__ import annotations

import dataclasses
import keyword
import re
from collections.abc import Callable

from asr_py.translate import (
    rarray,
    rcapwarn,
    rdtjoin,
    rdtquery,
    rforeach,
    rformulaget,
    rjoin,
    rnasubset,
    rpronoun,
    rreadr,
    rreadxl,
    rtestskip,
    rtrycatch,
)
from asr_py.translate.parser import EXACT, R, Untranslatable, pkg_of
from asr_py.translate.rcolpos import needs_position
from asr_py.translate.rcompare import needs_r_cmp
from asr_py.translate.rinnerassign import has_inner_assignment, split_inner_assignments
from asr_py.translate.rmatnames import list_vector, matrix_value
from asr_py.translate.rreadtable import rreadtable_call
from asr_py.translate.rsetwd import posix_path, relative_to_wd
from asr_py.translate.rspacing import one_line
from asr_py.translate.rstring import ALWAYS_VECTORS

_CONST = {"TRUE": "True", "T": "True", "FALSE": "False", "F": "False", "NULL": "None",
          "NA": "None", "NA_real_": "float('nan')", "NA_character_": "None", "NaN":
          "float('nan')", "Inf": "float('inf')", "pi": "np.pi",
          # R's base constants (lists: R's character vectors)
          "letters": "list('abcdefghijklmnopqrstuvwxyz')",
          "LETTERS": "list('ABCDEFGHIJKLMNOPQRSTUVWXYZ')",
          "month.name": "['January', 'February', 'March', 'April', 'May', 'June', 'July', "
                        "'August', 'September', 'October', 'November', 'December']",
          "month.abb": "['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', "
                       "'Oct', 'Nov', 'Dec']"}
#: _literal_text of NA
_NA = object()


def _literal_text(e: R) -> object:
    """R's as.character of a literal (a string, a double or integer number, TRUE/FALSE, NA:
    :data:`_NA`); None when ``e`` is not a literal."""
    from asr_py.translate.rnumtext import r_double_text

    if e.kind == "str":
        return e.value
    if e.kind == "name" and e.value in ("TRUE", "FALSE"):
        return e.value
    if e.kind == "name" and e.value == "NA":
        return _NA
    if e.kind == "unary" and e.value == "-" and e.right is not None and e.right.kind == "num":
        inner = _literal_text(e.right)
        return None if inner is None else r_double_text(-float(str(inner)))
    if e.kind == "num" and not e.value.lower().startswith("0x") and \
            not e.value.endswith("i"):
        if e.value.endswith("L"):
            return str(int(float(e.value[:-1])))
        return r_double_text(float(e.value))
    return None


def _r_dataset(name: str) -> bool:
    from asr_py.translate import rdatasets

    return rdatasets.is_dataset(name)


_SIMPLE_FUNCS = {"sqrt": "np.sqrt", "log": "np.log", "exp": "np.exp", "mean": "np.mean",
                 "abs": "np.abs", "round": "np.round", "sum": "np.sum",
                 "var": "np.var", "max": "np.max", "min": "np.min", "median": "np.median",
                 "sd": "np.std", "log10": "np.log10", "log2": "np.log2", "cumsum": "np.cumsum",
                 "diag": "np.diag", "t": "np.transpose", "solve": "np.linalg.solve",
                 "is.na": "pd.isna", "unique": "pd.unique", "floor": "np.floor",
                 "ceiling": "np.ceil", "all": "np.all", "any": "np.any", "trunc": "np.trunc"}
#: calls whose value is their only argument's (R side effects only, or no-ops in pandas)
_IDENTITY = {"invisible", "suppressWarnings", "suppressMessages", "droplevels",
             "droplevels.data.frame", "as.data.frame",
             "as_tibble", "ungroup", "force", "identity", "I", "as.matrix", "data.matrix"}
#: testthat expectations about messages/warnings/silence: the code inside is run unchecked
_EXPECT_RUN = {"expect_warning", "expect_silent", "expect_message", "expect_output",
               "expect_no_error", "expect_no_warning", "expect_invisible", "expect_visible"}
#: testthat value expectations -> asr_py.translate.checks (recorded, never raising)
EXPECT_VALUE = {"expect_equal": "expect_equal", "expect_equivalent": "expect_equal",
                "expect_identical": "expect_equal", "expect_true": "expect_true",
                "expect_false": "expect_false", "expect_lt": "expect_lt", "expect_lte":
                "expect_lte", "expect_gt": "expect_gt", "expect_gte": "expect_gte",
                "expect_error": "expect_error"}
#: statements with no Python counterpart, kept as a plain comment
_NOOP = {"rm", "gc", "setwd", "options", "graphics.off", "dev.off", "par", "Sys.setenv",
         "skip_on_cran", "skip_if_not_installed", "skip_if", "skip", "context", "sink",
         "windows", "x11", "pdf", "png", "jpeg", "theme_set", "install.packages", "attach",
         "detach", "memory.limit", "asreml.license.status", "asreml.license.activate",
         "loadNamespace", "Sys.setlocale", "save.image", "closeAllConnections",
         # R's help pages and data viewers: interactive only, nothing a script computes
         "help", "View", "fix", "edit", "page"}
_BINOPS = {"^": "**", "&&": "and", "||": "or", "&": "&", "|": "|", "%%": "%", "%/%": "//",
           "%*%": "@", "==": "==", "!=": "!=", "<": "<", ">": ">", "<=": "<=", ">=": ">=",
           "+": "+", "-": "-", "*": "*", "/": "/"}
#: calls whose value, as x[f(...), "col"]'s rows, is names, positions or a mask (rbase.r_ij)
_ROW_CALLS = {"paste", "paste0", "c", "which", "match", "grep", "rownames", "names",
              "unique", "intersect", "union", "setdiff", "sort", "rev"}
#: calls that give a matrix's rows or columns as positions or names (x[which(..), which(..)])
_POSITION_CALLS = {"which", "match", "grep", "order", "seq_len", "seq_along", "rev", "sort",
                   "unique", "rownames", "colnames", "intersect", "union", "setdiff",
                   "mixedorder"}


def pyname(n: str) -> str:
    """An R name as a Python identifier: ``Ginv.sparse`` -> ``Ginv_sparse``; non-ASCII
    letters kept (Python accepts them); keywords, and the names of the modules a translation
    imports (``asr <- asreml(...)`` would hide ``asr.asreml``), get a trailing ``_``."""
    out = re.sub(r"[^\w]", "_", n)
    if not out or out[0].isdigit():
        out = "_" + out
    return out + "_" if keyword.iskeyword(out) or out in _RESERVED else out


#: calls that, as a statement, run their one argument (an assignment) once
_RUN_ARG = frozenset({"suppressWarnings", "suppressMessages", "suppressPackageStartupMessages",
                      "invisible", "system.time", "base::suppressWarnings",
                      "base::suppressMessages"})

#: Python names a translation relies on: builtins it calls, the modules it imports
_RESERVED = frozenset({"print", "len", "list", "asr", "np", "pd", "os"})


def strip_comments(code: str, spans: list[tuple[int, int]]) -> str:
    """``code`` with the given comment spans blanked (positions kept)."""
    chars = list(code)
    for a, b in spans:
        chars[a:b] = " " * (b - a)
    return "".join(chars)


#: R functions whose value is a single TRUE/FALSE: ``!f(...)`` is Python's ``not``
_SCALAR_TESTS = frozenset({
    "is.null", "missing", "exists", "identical", "isTRUE", "isFALSE", "inherits",
    "is.function", "is.character", "is.numeric", "is.factor", "is.data.frame", "is.list",
    "is.matrix", "is.logical", "is.vector", "is.environment", "all", "any", "file.exists",
    "dir.exists", "requireNamespace", "require", "all.equal", "interactive", "nzchar",
    "hasName",
})

class BasePrinter:
    """Expression and statement printing shared by every R script."""

    def __init__(self, code: str, comment_spans: list[tuple[int, int]]) -> None:
        self.code = code
        self.bare = strip_comments(code, comment_spans)   # formula text never holds comments
        self.uses_np = False
        self.helpers: set[str] = set()
        self.todo: list[str] = []
        self.data_cols: str | None = None    # inside subset()/with(): bare names are columns
        # parameters of the inline functions being printed: their own bindings, never columns
        self.lambda_params: set[str] = set()
        self._named_targets: set[str] | None = None    # names(x) <- v anywhere (_named_pair)
        self.assigned: set[str] = set()      # names the script assigns (not data columns)
        self.params: set[str] = set()        # parameters of the functions being written
        self.defaults: dict[str, R] = {}     # the defaults of the function being written
        self.functions: set[str] = set()     # functions the script defines
        self.formals: dict[str, tuple[str, ...]] = {}   # their formals (ruserargs)
        self.matrices: set[str] = set()      # names last assigned a matrix (rmatnames)
        self.vectors: set[str] = set()       # names last assigned c()/a:b/seq() (rmatnames)
        self.arrays: frozenset[str] = frozenset()   # names read as np.asarray(name) here
        self._last_value: set[int] = set()   # if/{ } nodes that are a function's last value
        self._hoisted: list[str] = []        # defs of multi-statement anonymous functions
        self._n_anon = 0
        self._depth = 0
        self._loops = 0     # loops around the statement being printed (a function resets it)
        self._in_test = False   # printing a test_that() block's own body (rtestskip.py)

    # ----- helpers -------------------------------------------------------------------------
    def src(self, e: R) -> str:
        """The R source of ``e`` on one line, without comments."""
        return one_line(self.bare[e.start:e.end])

    def original(self, e: R) -> str:
        return self.code[e.start:e.end]

    def np(self, text: str) -> str:
        self.uses_np = True
        return text

    def runtime(self, name: str) -> str:
        """A helper of :mod:`asr_py.translate.runtime`, imported by the header."""
        self.helpers.add(name)
        return name

    # ----- expressions ---------------------------------------------------------------------
    def py(self, e: R) -> str:
        k = e.kind
        if k == "num":
            v = e.value.rstrip("i")
            return str(int(v, 16)) if v.lower().startswith("0x") else v
        if k == "str":   # a path under the script's setwd() folder: relative (rsetwd.py)
            return repr(relative_to_wd(self, posix_path(e.value)))
        if k == "name":
            if _pkg_dataset(e):
                # agridat::john.alpha: a package's data set, read as data(john.alpha) is
                return f"{self.runtime('r_data')}({e.value!r})"
            pkg = pkg_of(e)
            if pkg and pkg not in _VALUE_PACKAGES and \
                    e.value not in self.assigned and e.value not in self.functions:
                # ASRtriala::model.setup: an object of an R package asr_py does not have
                raise Untranslatable(f"{pkg}::{e.value}, an object of the R package {pkg}")
            if e.value in _CONST and not (e.value in ("T", "F") and e.value in self.assigned):
                # T and F are R variables a script may assign (T <- diag(n)): then not TRUE
                return self.np(_CONST[e.value]) if e.value == "pi" else _CONST[e.value]
            if e.value in ("na.omit", "na.exclude") and e.value not in self.assigned and \
                    e.value not in self.functions:
                # R's NA handler passed as a value (lmer(..., na.action = na.omit))
                return self.runtime("r_na_omit")
            if self.data_cols and e.value not in self.assigned and e.value not in _CONST \
                    and pyname(e.value) != self.data_cols and \
                    e.value not in self.lambda_params:   # with(d, d[...]): d itself
                if getattr(self, "sourced", False):   # or a variable a source()d file made
                    return f"{self.runtime('r_col_or_sourced')}({self.data_cols}, " \
                           f"{e.value!r}, globals())"
                return f"{self.data_cols}[{e.value!r}]"
            if self.data_cols and e.value in self.assigned and e.value not in _CONST \
                    and pyname(e.value) != self.data_cols and \
                    e.value not in self.lambda_params:
                # R looks a bare name up among the data's columns first, then the
                # variables: a variable also named as a column (Zone_Loc <- ...) is not it;
                # so too when the data is an expression (tibble(eff, ev) |> mutate(x / eff))
                return f"{self.runtime('r_col_or')}({self.data_cols}, {e.value!r}, " \
                       f"{pyname(e.value)})"
            if e.value in self.arrays:
                return f"np.asarray({pyname(e.value)})"
            if _r_dataset(e.value) and e.value not in self.assigned and \
                    e.value not in self.functions and \
                    e.value not in getattr(self, "defined", ()):
                # iris, CO2 ...: R's datasets package is attached in every session; its
                # value if the script's scope has one (load(), source()), else R's data
                return f"{self.runtime('r_lazy')}({e.value!r}, globals())"
            return pyname(e.value)
        if k == "paren":
            return f"({self.py(e.right)})"  # type: ignore[arg-type]
        if k == "lazy":                       # made by the translator, never by the parser
            return f"lambda: {self.py(e.right)}"  # type: ignore[arg-type]
        if k == "unary":
            return self.unary(e)
        if k == "formula":         # get(trait) ~ x: the column named by trait (rformulaget)
            return rformulaget.translate(self, e) or repr(self.src(e))
        if k == "bin":
            return self.binop(e)
        if k == "dollar":
            return self.dollar(e)
        if k == "call":
            return self.call(e)
        if k == "index":
            return self.index(e)
        if k == "function":
            return self.lambda_(e)
        if k == "if" and e.alt is not None and e.right is not None and e.left is not None:
            return f"({self.py(self._single(e.right))} if {self.py(e.left)} else " \
                   f"{self.py(self._single(e.alt))})"
        if k == "block" and len(e.body) == 1:
            return self.py(e.body[0])
        raise Untranslatable(k if k != "bad" else e.value)

    def _single(self, e: R) -> R:
        if e.kind == "block":
            code = [s for s in e.body if s.kind not in ("comment", "blank")]
            if len(code) != 1:
                raise Untranslatable("a block as a value")
            return code[0]
        return e

    def unary(self, e: R) -> str:
        assert e.right is not None
        bang = e.right.right if e.value == "!" and e.right.kind == "unary" and \
            e.right.value == "!" else None
        col = _bang_sym(bang) if bang is not None else None
        if col is not None:
            # rlang's !!sym(x) in dplyr verbs: the column named by the text x, .data[[x]]
            # (!! binds tighter than R's !: !!sym(x) * 2 is (!!sym(x)) * 2)
            return self.py(col)
        inner = self.py(e.right)
        if e.value == "-" and e.right.kind == "call" and e.right.value in ("c", "seq", "rep"):
            if re.fullmatch(r"\d+(\.\d*)?([eE][-+]?\d+)?", inner):
                return f"-{inner}"                      # -c(1): c() of one number is it
            return f"[-_v for _v in {inner}]"          # -c(1, 2): R negates each element
        if e.value != "!":
            return f"{e.value}{inner}"
        if e.right.kind in ("bin", "unary"):
            inner = f"({inner})"
        # element-wise; not pandas' ~, which of a Python bool (is.na(3), a == 1 of scalars,
        # fit$converge) is an int (~True == -2, truthy): if (!(a == 1)) took the branch
        if self._vector_context(e.right):
            return f"{self.runtime('r_not')}({self.py(e.right)})"
        if e.right.kind == "call" and e.right.value in _SCALAR_TESTS or \
                e.right.kind in ("num", "str", "const"):
            return f"(not {inner})"
        # a variable or a call whose value may be a logical vector: R's ! is elementwise
        return f"{self.runtime('r_not')}({self.py(e.right)})"

    def _vector_context(self, e: R) -> bool:
        if e.kind == "call":
            return e.value in ("is.na", "duplicated", "is.element", "grepl", "str_detect",
                               "stringr::str_detect")
        if e.kind == "unary" and e.value == "!" and e.right is not None and \
                (e.right.kind in ("call", "paren") or e.right.kind == "bin" and
                 e.right.value == "%in%"):
            return self._vector_context(e.right)     # x[!grepl(p, x)], x[!names(x) %in% v]
        if e.kind in ("dollar", "index"):
            return True
        if e.kind == "name" and self.data_cols and e.value not in self.assigned and \
                pyname(e.value) != self.data_cols:
            return True
        if e.kind == "bin" and e.value in ("==", "!=", "<", ">", "<=", ">=", "&", "|",
                                           "%in%"):
            return True
        if e.kind == "paren" and e.right is not None:
            return self._vector_context(e.right)
        return False

    def _named_pair(self, e: R) -> bool:
        """Whether the operands of ``e`` (no literal among them) read a variable the script
        names with ``names(x) <- v`` (anywhere): a named vector, which pandas would align by
        its names where R pairs elements by position (``(Pz - Px - Py) / 2``)."""
        if self._named_targets is None:
            self._named_targets = set(re.findall(
                r"(?<![\w.])names\s*\(\s*([A-Za-z.][\w.]*)\s*\)\s*(?:<-|=(?!=))", self.code))
        if not self._named_targets or any(
                x is None or x.kind in ("num", "str") for x in (e.left, e.right)):
            return False
        return any(self._reads_named(x) for x in (e.left, e.right))

    def _reads_named(self, e: R | None) -> bool:
        if e is None:
            return False
        if e.kind == "name":
            return e.value in (self._named_targets or ())
        if e.kind in ("paren", "bin") and (e.kind == "paren" or e.value in _POSITIONAL):
            return self._reads_named(e.left) or self._reads_named(e.right)
        return False

    def _scalar_operand(self, e: R) -> str:
        """An operand of ``&&``/``||``: a single value, so ``!x`` is ``(not x)``."""
        if e.kind == "unary" and e.value == "!" and e.right is not None and \
                not self._vector_context(e.right):
            inner = self.py(e.right)
            return f"(not ({inner}))" if e.right.kind in ("bin", "unary") else f"(not {inner})"
        code = self.py(e)
        if e.kind == "bin" and e.value in ("==", "!=", "<", ">", "<=", ">=") and \
                code.startswith(("r_op(", "r_eq(", "r_cmp(")):
            # a comparison of vectors or frames (length(x) == d$LSD["c"], one row): its one
            # value; length 0 or > 1 is R's error
            return f"{self.runtime('r_scalar')}({code}, '&&')"
        return f"({code})" if e.kind == "bin" and e.value in ("&&", "||") and \
            e.value != "&&" else code

    def binop(self, e: R) -> str:
        assert e.left is not None and e.right is not None
        v = e.value
        if v in ("|>", "%>%"):
            return self.py(_pipe(e))
        if v == ":":
            if _whole_literal(e.left) and _whole_literal(e.right) and \
                    float(self.py(e.left)) <= float(self.py(e.right)):
                return f"range({self.py(e.left)}, {self.py(e.right)} + 1)"
            # n:1 counts down, 1:round(x) is from a double (rcolon)
            return f"{self.runtime('r_colon')}({self.py(e.left)}, {self.py(e.right)})"
        if v in ("&&", "||"):   # R's && and || take single values: ! of one is Python's not
            return f"{self._scalar_operand(e.left)} {_BINOPS[v]} {self._scalar_operand(e.right)}"
        if v == "%in%" and e.left.kind == "call" and e.left.value in (
                "c", "rep", "seq", "names", "colnames", "rownames", "levels", "unique"):
            # c("a", "b") %in% names(x): elementwise
            return self.np(f"np.isin({self.py(e.left)}, {self.py(e.right)})")
        if v == "%in%":
            if e.left.kind == "index" and e.left.left is not None and \
                    e.left.left.kind == "call" and e.left.left.value in (
                    "c", "names", "colnames", "rownames", "levels", "unique", "dimnames"):
                # colnames(x)[1:2] %in% v: part of a plain vector (a list), not a Series
                return f"{self.runtime('r_in')}({self.py(e.left)}, {self.py(e.right)})"
            if e.left.kind == "index" and e.left.value == "[" and len(e.left.args) == 1 and \
                    e.left.args[0][0] is None and e.left.args[0][1].kind in ("name", "num"):
                # v[i] %in% w: one element when i is one index (a loop's), a vector when i is
                # one: r_in gives one logical or one per element (a Series keeps its labels)
                return (f"{self.runtime('r_in')}({self.py(e.left)}, "
                        f"{self.runtime('r_in_values')}({self.py(e.right)}))")
            left = self.py(e.left)
            if left.startswith("r_dollar("):
                # x$a$b %in% v: NULL when b is absent (R: logical(0))
                return f"{self.runtime('r_in')}({left}, {self.py(e.right)})"
            if self._vector_context(e.left):
                # c("A", "B") as written; numbers go through r_in_values, which adds their
                # text labels (a factor's labels are text here; R's match() compares as text)
                right = self.py(e.right) if e.right.kind == "call" and \
                    e.right.value == "c" and not any(
                        a.kind == "num" or a.kind == "str" and re.fullmatch(r"-?[\d.]+", a.value)
                        or a.kind not in ("num", "str") for _, a in e.right.args) \
                    else f"{self.runtime('r_in_values')}({self.py(e.right)})"
                return f"{self.py(e.left)}.isin({right})"
            if e.left.kind in ("str", "num"):
                return f"({self.py(e.left)} in {self.runtime('r_in_values')}({self.py(e.right)}))"
            if e.left.kind == "name" and e.left.value in ("NA", "NA_real_", "NA_integer_",
                                                          "NA_character_"):
                return f"{self.runtime('r_na_in')}({self.py(e.right)})"     # rnain.py
            # a variable: one value or a vector, known when the script runs (rops.r_in)
            return f"{self.runtime('r_in')}({self.py(e.left)}, {self.py(e.right)})"
        if v in ("%do%", "%dopar%") and e.left is not None and e.right is not None:
            return rforeach.translate(self, e)          # foreach(): a serial loop
        if v in ("<-", "<<-", "="):
            raise Untranslatable("assignment inside an expression")
        if v == "%--%":                                   # lubridate's interval (rlubridate)
            return f"{self.runtime('r_interval')}({self.py(e.left)}, {self.py(e.right)})"
        if v == "%x%":                                                  # X %x% Y: kronecker
            return f"{self.runtime('r_kronecker')}({self.py(e.left)}, {self.py(e.right)})"
        if v == "%*%":                                                  # by position, as R
            return f"{self.runtime('r_matmul')}({self.py(e.left)}, {self.py(e.right)})"
        op = _BINOPS.get(v)
        if op is None:
            raise Untranslatable(v)
        if v in ("==", "!=") and (e.left.kind == "num" and self._vector_context(e.right) or
                                  e.right.kind == "num" and self._vector_context(e.left)):
            col, num = (e.left, e.right) if e.right.kind == "num" else (e.right, e.left)
            # a factor compares its labels: f == 4 is f == "4" in R
            test = f"{self.runtime('r_eq')}({self.py(col)}, {self.py(num)})"
            return test if v == "==" else f"~{test}"
        left, right = self.py(e.left), self.py(e.right)
        # with(d, a[1] - a[2]) * (-2): the with() expression is one operand
        left, right = (f"({t})" if x.kind == "call" and x.value == "with" else t
                       for x, t in ((e.left, left), (e.right, right)))
        if v in ("+", "-", "*", "/", "^") and (matrix_value(e.left, self.matrices) or
                                               matrix_value(e.right, self.matrices)) \
                and not (e.left.kind == "num" or e.right.kind == "num") or \
                v in ("+", "-", "*", "/", "^") and not self.data_cols and (
                    list_vector(e.left, self.vectors) or list_vector(e.right, self.vectors)):
            # a vector held as a Python list/range (v <- c(1, 2); v * 2 would repeat it)
            # a matrix with a (named) vector or another matrix: by position, recycled down
            # the columns, never aligned by label (rmatrix.r_arith)
            return f"{self.runtime('r_arith')}({left}, {v!r}, {right})"
        if v in ("&", "|") and all(self._matrix_test(x) for x in (e.left, e.right)):
            # (A != 0) & (B != 0) of two matrices: element by element by position, never
            # aligned by dimnames (m-hrachov's C_inv script: A and B differ in names)
            return f"{self.runtime('r_op')}({left}, {v!r}, {right})"
        if v in _POSITIONAL and (_positional_pair(e.left, e.right) or self._named_pair(e)):
            # two R vectors / data frames: by position with recycling, never aligned by
            # pandas labels (rops.r_op)
            return f"{self.runtime('r_op')}({left}, {v!r}, {right})"
        if v in ("+", "-", "*", "/", "^"):   # R vector arithmetic: c(1, 2) + 1
            left = self._array(e.left, left)
            right = self._array(e.right, right)
            if _vector_literal(e.left) and not _scalar_literal(e.right) or \
                    _vector_literal(e.right) and not _scalar_literal(e.left):
                # x - c(a, b, c, d), x of another length: R recycles the shorter (a warning
                # when it does not divide the longer), where numpy would not broadcast
                return f"{self.runtime('r_op')}({left}, {v!r}, {right})"
        if v in ("==", "!=", "<", ">", "<=", ">="):
            # R compares vectors element by element: names(d) == "a", c(1, 2) == 1 (a
            # Python list == a value is one False)
            left = self._array(e.left, left, compare=True)
            right = self._array(e.right, right, compare=True)
            if needs_r_cmp(e.left, e.right, self.vectors | getattr(self, 'r_lists', set())):
                # lists, vectors to recycle: by element (rcompare.r_cmp)
                return f"{self.runtime('r_cmp')}({left}, {v!r}, {right})"
        if v in ("&", "|") and (self._vector_context(e.left) or self._vector_context(e.right)):
            left, right = _paren(e.left, left), _paren(e.right, right)
        if e.right.kind == "bin" and v in ("-", "/", "*", "^", "+") and \
                e.right.value not in ("^",):
            right = f"({right})" if not right.startswith("(") else right
        return f"{left} {op} {right}"

    def _matrix_test(self, e: R) -> bool:
        """A comparison with a matrix operand (``(A != 0)``, ``B > x``)."""
        while e.kind == "paren" and e.right is not None:
            e = e.right
        return e.kind == "bin" and e.value in ("==", "!=", "<", ">", "<=", ">=") and \
            e.left is not None and e.right is not None and (
                matrix_value(e.left, self.matrices) or matrix_value(e.right, self.matrices))

    def _array(self, e: R, text: str, compare: bool = False) -> str:
        if e.kind == "call" and e.value == "c" and any(n is not None for n, _ in e.args):
            return text            # c(a = 1, b = 2): a dict, compared by r_cmp (its names)
        if e.kind == "call" and e.value in ("c", "rep", "seq", "seq_len") or (
                e.kind == "bin" and e.value == ":") or compare and e.kind == "call" and \
                e.value in ("names", "colnames", "rownames", "levels", "unique"):
            return self.np(f"np.array({text})")
        return text

    def lambda_(self, e: R) -> str:
        """``function(x) expr`` -> a lambda; a body of several statements
        (``lapply(v, function(x) { ...; list(...) })``) -> a def placed before the statement
        that uses it (its last value returned, as R's)."""
        # a constant default (function(x, k = 2)) is kept; R evaluates any other default
        # lazily in the call (n = length(x)), which a lambda's default cannot: left out
        params = [pyname(n or "_") + (f"={self.py(d)}" if _constant(d) else "")
                  for n, d in e.args]
        assert e.right is not None
        outer, outer_local = self.params, self.lambda_params
        self.params = outer | {n for n, _ in e.args if n}
        self.lambda_params = outer_local | {n for n, _ in e.args if n}
        try:
            body = self._single(e.right)
            if body.kind == "call" and body.value == "return" and len(body.args) == 1 \
                    and body.args[0][0] is None:
                body = body.args[0][1]          # function(x) return(v): the value is v
            return f"(lambda {', '.join(params)}: {self.py(body)})"
        except Untranslatable:
            if e.right.kind != "block":
                raise
        finally:
            self.params, self.lambda_params = outer, outer_local
        self._n_anon += 1
        name = f"_fn{self._n_anon}"
        todo, assigned = self.todo, set(self.assigned)
        try:
            lines = self.def_(name, e, self._depth)
        finally:
            self.todo = todo
        self.assigned = assigned | {name}
        self._hoisted += lines
        return name

    def _note_once(self, line: str) -> None:
        """A line (a NOTE) written before the statement being translated, once."""
        if line not in self._hoisted:
            self._hoisted.append(line)

    def index(self, e: R) -> str:
        """``x[["a"]]``, ``x[, "col"]``, ``x[cond, ]``, ``x$a[i]``; a comparison subscript
        keeps R's NA elements / rows where it meets a missing value (rnasubset.py)."""
        got = self._index(e)
        args = [a for _, a in e.args]
        if e.left is not None and e.left.kind == "name" and \
                e.left.value in getattr(self, "dt_vars", ()):
            return got                   # a data.table: NA in i selects no row (rdtquery)
        if e.value != "[" or self.data_cols or not args or len(args) > 2 or \
                any(n is not None for n, _ in e.args) or e.left is None:
            return got
        sides = rnasubset.cmp_sides(args[0])
        if sides is None or len(args) == 2 and args[1].kind not in ("empty", "str"):
            return got
        na = f"{self.runtime('r_na_of')}({', '.join(self.py(x) for x in sides)})"
        rows = ", rows=True" if len(args) == 2 else ""
        col = f", col={self.py(args[1])}" if len(args) == 2 and args[1].kind == "str" else ""
        lazy = getattr(self, "lazy_data", None)
        obj = (lazy(e.left) if lazy is not None else None) or self.py(e.left)
        return (f"{self.runtime('r_na_subset')}({got}, {obj}, "
                f"{self.py(args[0])}, {na}{rows}{col})")

    def _index(self, e: R) -> str:
        assert e.left is not None
        dt = rjoin.dt_sd_which(self, e) or rdtjoin.dt_join(self, e) or \
            rdtquery.translate(self, e)          # DT[, .SD..], X[Y, on=], DT[i, j, by]
        if dt is not None:
            return dt
        got = rpronoun.pronoun(self, e)      # .data[[x]], .env[["x"]] in a data mask
        if got is not None:
            return got
        arr = rarray.index(self, e)          # x[i, j, k]: an array's subscripts (rarray)
        if arr is not None:
            return arr
        lazy = getattr(self, "lazy_data", None)
        obj = (lazy(e.left) if lazy is not None else None) or self.py(e.left)  # a data set
        args = [a for _, a in e.args]
        if e.value == "[" and all(a.kind == "empty" for a in args):
            return obj                                                  # x[], d[, ]: all of x
        keep = _keep_dims(e)
        if keep is not None and not self.data_cols:
            # x[i, j, drop = FALSE]: R keeps both dimensions (a one-column or one-row result
            # stays a matrix / data frame); rows and columns read as r_ij reads them
            ij = [("None" if a.kind == "empty" else self.py(a)) for a in keep]
            return f"{self.runtime('r_ij')}({obj}, {ij[0]}, {ij[1]}, drop=False)"
        if e.value == "[[" and len(args) == 1:
            a = args[0]
            # x[[1]]: by position whatever x is (a dict's first value, a frame's column)
            if a.kind == "str" and e.left.kind == "name" and e.left.value in self.params:
                # a parameter (a list or data frame of the caller's): an absent name is NULL
                return f"{self.runtime('r_dollar')}({obj}, {a.value!r}, exact=True)"
            # x[[i]]: R's 1-based position or a name known when the script runs (rlist.py)
            return f"{obj}[{self.py(a)}]" if a.kind == "str" else \
                f"{self.runtime('r_elt2')}({obj}, {self.py(a)})" if a.kind == "num" else \
                f"{self.runtime('r_get2')}({obj}, {self.py(a)})"
        if len(args) == 2 and all(a.kind == "str" for a in args):
            return f"{obj}.loc[{self.py(args[0])}, {self.py(args[1])}]"     # x["r", "c"]
        if e.value == "[[" and len(args) == 2 and all(n is None and a.kind != "empty"
                                                      for n, a in e.args):
            return f"{self.runtime('r_get2_ij')}({obj}, {self.py(args[0])}, {self.py(args[1])})"
        rows = _match_rownames(args[0], self.src(e.left), self.src) if args else None
        if len(args) == 2 and rows is not None and args[1].kind != "empty":
            # x[match("a", rownames(x)), "col"]: the row named "a"
            return f"{obj}.loc[{self.py(rows)}, {self.py(args[1])}]"
        if len(args) == 2 and args[0].kind == "empty" and _column_mask(args[1]):
            # x[, grepl(p, cols)], x[, grepl(a, cols) & !grepl(b, cols)]: a column mask
            # (R's drop rule: one column is a vector)
            return f"{self.runtime('r_ij')}({obj}, None, {self.py(args[1])})"
        if len(args) == 2 and e.value == "[" and (
                any(_numeric_subscript(a) for a in args) or _position_call(args[0]) and
                args[1].kind in ("str", "empty") or args[1].kind == "call" and
                args[1].value == "c" and all(x.kind == "str" for _, x in args[1].args)):
            # x[2, 1], x[, -1], x[1, ], x[i, 2:3], x[, 3:12]: positions (R counts from 1,
            # drops with -) and R's drop rule, in one place (rbase.r_ij)
            ij = [("None" if a.kind == "empty" else self.py(a)) for a in args]
            return f"{self.runtime('r_ij')}({obj}, {ij[0]}, {ij[1]})"
        a1 = args[1] if len(args) == 2 and args[0].kind == "empty" else None
        if a1 is not None and a1.kind == "unary" and a1.value == "-" and a1.right is not None \
                and a1.right.kind == "call" and a1.right.value in ("match", "which", "grep"):
            # x[, -match("a", names(x))]: the columns at those positions dropped
            inner = self.np(f"np.atleast_1d({self.py(a1.right)})")
            return f"{self.runtime('r_sub')}({obj}, -{inner})"
        a0 = args[0] if len(args) == 2 and args[1].kind == "empty" else None
        if a0 is not None and a0.kind == "unary" and a0.value == "-" and a0.right is not None \
                and (a0.right.kind == "call" and a0.right.value in ("match", "which", "grep")
                     or a0.right.kind == "name" and a0.right.value not in _CONST):
            # x[-match("a", v), ], x[-pos, ]: the rows at those positions dropped
            inner = self.np(f"np.atleast_1d({self.py(a0.right)})")
            return f"{self.runtime('r_ij')}({obj}, -{inner}, None)"
        if len(args) == 2 and e.value == "[" and not self.data_cols and all(
                a.kind == "name" and a.value not in _CONST and not self._vector_context(a)
                for a in args):
            # A[ids, ids]: u and v hold names, positions or masks (r_ij reads their values)
            return f"{self.runtime('r_ij')}({obj}, {self.py(args[0])}, {self.py(args[1])})"
        if len(args) == 2 and e.value == "[" and not self.data_cols and all(
                a.kind == "call" and a.value in _POSITION_CALLS for a in args):
            # G[which(rownames(G) %in% ids), match(ids, colnames(G))]: rows and columns by
            # the positions or names the calls give when it runs (r_ij)
            return f"{self.runtime('r_ij')}({obj}, {self.py(args[0])}, {self.py(args[1])})"
        if len(args) == 2 and e.value == "[" and args[0].kind == "empty" and \
                args[1].kind == "name" and args[1].value not in _CONST:
            # x[, v]: v may hold names, positions (grep()) or a mask: r_ij reads its value
            return f"{self.runtime('r_ij')}({obj}, None, {self.py(args[1])})"
        if len(args) == 2 and e.value == "[" and args[0].kind == "empty" and \
                args[1].kind == "call" and args[1].value == "order":
            # x[, order(names(x))]: the columns in that order (positions)
            return f"{self.runtime('r_ij')}({obj}, None, {self.py(args[1])})"
        if len(args) == 2 and e.value == "[" and args[1].kind == "str" and (
                args[0].kind == "call" and args[0].value in _ROW_CALLS or
                args[0].kind == "index" and args[0].value == "[" and not self.data_cols and
                args[0].left is not None and args[0].left.kind == "name" or
                args[0].kind == "name" and args[0].value not in _CONST and
                not self.data_cols and not self._vector_context(args[0])):
            # x[v, "col"], vc[paste(...), "component"]: rows by the names, positions or mask
            # v holds when it runs; one column: a vector (R's drop), one cell: a value
            return f"{self.runtime('r_ij')}({obj}, {self.py(args[0])}, {self.py(args[1])})"
        if len(args) == 2 and e.value == "[" and not self.data_cols and \
                args[0].kind == "call" and args[0].value in _POSITION_CALLS and \
                args[1].kind == "name" and args[1].value not in _CONST and \
                not self._vector_context(args[1]):
            # trl[match(ids, trl$id), cols]: rows by position, columns by the names,
            # positions or mask the variable holds when it runs (r_ij)
            return f"{self.runtime('r_ij')}({obj}, {self.py(args[0])}, {self.py(args[1])})"
        if len(args) == 2 and args[0].kind == "empty" and args[1].kind != "empty":
            return f"{obj}[{self.py(args[1])}]"                         # x[, "a"]
        if len(args) == 2 and args[1].kind == "empty" and args[0].kind == "call" and \
                args[0].value == "do.call" and len(args[0].args) == 2 and \
                args[0].args[0][1].kind in ("name", "str") and \
                args[0].args[0][1].value == "order" and \
                self.src(args[0].args[1][1]) == self.src(e.left):
            # d[do.call(order, d), ]: sorted by every column, the first one first
            return f"{obj}.sort_values(list({obj}.columns), kind='stable')"
        if len(args) == 2 and args[1].kind == "empty" and args[0].kind == "call" and \
                args[0].value == "order":
            return self.order_rows(e.left, obj, args[0])                # x[order(a, b), ]
        if len(args) == 2 and args[0].kind == "call" and args[0].value == "order" and (
                args[1].kind == "str" or args[1].kind == "call" and args[1].value == "c"):
            # x[order(a), "g"]: the sorted rows, then the column(s) as R's x[i, j] drops
            rows = self.order_rows(e.left, obj, args[0])
            return f"{self.runtime('r_ij')}({rows}, None, {self.py(args[1])})"
        if len(args) == 2 and args[1].kind == "empty" and args[0].kind == "num":
            return f"{obj}.iloc[{int(float(args[0].value)) - 1}]"       # x[1, ]: a row
        if len(args) == 2 and args[1].kind == "empty" and args[0].kind != "empty" and (
                _matrix_index(args[0]) or args[0].kind == "call" and args[0].value in (
                    "grep", "which", "match", "seq_len", "seq_along", "rownames", "c",
                    "names", "unique", "rev", "sort", "paste", "paste0") or
                e.value == "[" and args[0].kind == "str" or
                e.value == "[" and args[0].kind == "name" and
                args[0].value not in _CONST and not self.data_cols and
                not self._vector_context(args[0])):
            # x[!is.na(x[, 2]), ]: a mask read by position (x[, j] is a vector without the
            # frame's row names), so the rows keep their names; x[v, ], x[grep(p, n), ]:
            # row positions, names or a mask (known when it runs)
            return f"{self.runtime('r_ij')}({obj}, {self.py(args[0])}, None)"
        if len(args) == 2 and args[1].kind == "empty" and args[0].kind != "empty":
            return f"{obj}[{self.py(args[0])}]"                         # x[cond, ]
        a0 = args[0] if len(args) == 1 else None
        if a0 is not None and e.value == "[" and a0.kind == "call" and a0.value in (
                "upper.tri", "lower.tri") and a0.args and all(
                n in (None, "x", "diag") for n, _ in a0.args):
            # x[upper.tri(x)]: the triangle's elements, column by column (R's order);
            # t(G)[lower.tri(G)]: the mask of another matrix of the same shape
            dg = [a for n, a in a0.args[1:] if n in (None, "diag")]
            flag = f", diag={self.py(dg[0])}" if dg else ""
            if _bare_src(self.src(a0.args[0][1])) != _bare_src(self.src(e.left)):
                flag += f", of={self.py(a0.args[0][1])}"
            up = "True" if a0.value == "upper.tri" else "False"
            return f"{self.runtime('r_tri_values')}({obj}, upper={up}{flag})"
        if a0 is not None and e.value == "[" and a0.kind == "unary" and a0.value == "-" and \
                a0.right is not None and a0.right.kind == "call" and \
                a0.right.value in ("match", "which", "grep"):
            # x[-match("a", names(x))]: positions dropped (a frame's columns, a list's items)
            inner = self.np(f"np.atleast_1d({self.py(a0.right)})")
            return f"{self.runtime('r_sub')}({obj}, -{inner})"
        if len(args) == 1 and e.value == "[" and e.left.kind == "name" and \
                not self.data_cols and _apply_mask(args[0], e.left.value):
            # l[!sapply(l, is.null)]: the elements where the test of each is TRUE, of a
            # list (its names kept) as of a vector (runtime.r_sub)
            return f"{self.runtime('r_sub')}({obj}, {self.py(args[0])})"
        if len(args) == 1 and e.value == "[" and e.left.kind == "name" and \
                not self.data_cols and args[0].kind in ("bin", "unary") and \
                args[0].value in ("==", "!=", "<", ">", "<=", ">=", "&", "|", "!", "%in%") \
                and _mentions(args[0], e.left.value):
            # v[v != "a"] of a vector v (a Python list, an array or a Series): elementwise;
            # of a matrix, R's column-major order (the transposes; no-ops on a vector)
            mask = self.as_array(args[0], e.left.value)
            return self.np(f"np.asarray({obj}).T[np.asarray({mask}).T]")
        if len(args) == 1 and e.value == "[" and args[0].kind == "bin" and \
                args[0].value in (":", "+", "-", "*", "/") and not self.data_cols and \
                _mentions(args[0], "length") and e.left.kind == "name":
            # x[1:(length(x) - 2)], x[length(x) - 1]: 1-based positions (known when it runs)
            return f"{self.runtime('r_sub')}({obj}, {self.py(args[0])})"
        if len(args) == 1 and args[0].kind in ("bin", "unary", "call") and \
                self._vector_context(args[0]) and e.left.kind == "call" and \
                e.left.value in ("names", "colnames", "rownames", "levels", "unique"):
            # names(d)[grepl("obs_", names(d))]: a list masked by position (r_sub)
            return f"{self.runtime('r_sub')}({obj}, {self.py(args[0])})"
        if len(args) == 1 and args[0].kind in ("bin", "unary", "call") and \
                self._vector_context(args[0]):
            return f"{self.runtime('r_mask')}({obj}, {self.py(args[0])})"   # x[x > 1] (rmask)
        if len(args) == 1 and args[0].kind == "str":
            if e.value == "[" and not self.data_cols:
                # d["a"]: a data frame keeps the one column as a data frame (rsubname.py)
                return f"{self.runtime('r_sub_name')}({obj}, {self.py(args[0])})"
            return f"{obj}[{self.py(args[0])}]"
        if len(args) == 1 and args[0].kind == "num":
            # x[k]: the k-th element by position, whatever the labels of a Series (r_elt)
            column = e.left.kind == "dollar" and not obj.startswith("r_dollar(") and not (
                e.left.left is not None and e.left.left.kind == "dollar") and \
                EXACT not in e.left.comments     # l$a$b, l[["a"]]: a list's element
            return f"{obj}.iloc[{int(float(args[0].value)) - 1}]" if (
                column or e.left.kind == "index" and e.left.value == "[") \
                and not _summary_value(e.left) else \
                f"{self.runtime('r_elt')}({obj}, {int(float(args[0].value))})"
        if len(args) == 2 and args[0].kind != "empty" and args[1].kind != "empty" and \
                self._vector_context(args[0]):
            return f"{obj}.loc[{self.py(args[0])}, {self.py(args[1])}]"  # x[cond, cols]
        if len(args) == 1 and e.value == "[" and args[0].kind == "name" and \
                not self._vector_context(args[0]) and args[0].value not in _CONST:
            # x[v]: v holds names, positions or a logical vector (known when it runs); a
            # factor indexes by its codes (as.numeric(levels(f))[f], rfactor.py)
            from asr_py.translate import rfactor

            at = self.py(args[0])
            if rfactor.is_factor(self, args[0]):
                at = f"{self.runtime('r_factor_codes')}({at})"
            return f"{self.runtime('r_sub')}({obj}, {at})"
        if len(args) == 1 and e.value == "[" and (
                args[0].kind in ("index", "dollar") or args[0].kind == "call" and
                args[0].value == "c" and args[0].args and all(n is None
                                                              for n, _ in args[0].args) or
                args[0].kind == "call" and args[0].value in (
                    "grep", "which", "match", "order", "seq_len", "seq_along", "rev",
                    "as.integer", "as.numeric", "mixedorder")):
            # x[c("a", "b")], x[v[c(1, 2)]], x[grep(p, names(x))], x[which(v > 2)],
            # x[as.integer(f)] (a factor's level codes): names or positions (known when it
            # runs)
            return f"{self.runtime('r_sub')}({obj}, {self.py(args[0])})"
        if len(args) == 1 and e.value == "[" and _positions(args[0]):
            a = args[0]
            if a.kind == "unary" and a.right is not None:
                inner = self.py(a.right)
                at = f"-{inner}" if a.right.kind == "num" else \
                    f"{self.runtime('r_negate')}({inner})"
            else:
                at = self.py(a)
            return f"{self.runtime('r_sub')}({obj}, {at})"               # x[2:4], x[-1]
        if len(args) == 1 and e.value == "[" and not self.data_cols and \
                _scalar_arith(args[0]):
            # x[i + 1], s[grep("g", rownames(s)), 1][k - 1]: arithmetic of names and numbers
            # gives positions (1-based), resolved when it runs as any x[v] (r_sub)
            return f"{self.runtime('r_sub')}({obj}, {self.py(args[0])})"
        if len(args) == 1 and e.value == "[" and self.data_cols and e.left.kind == "name" \
                and e.left.value in self.assigned and args[0].kind == "name":
            # id[i] in mutate()/transmute(): a script's vector read at a column's positions
            # (or names, or a mask), one value per row (r_sub)
            return f"{self.runtime('r_sub')}({obj}, {self.py(args[0])})"
        if e.value == "[" and not self.data_cols and all(n is None for n, _ in e.args):
            # any other x[i] / x[i, j] outside a data mask: R reads the subscript by its
            # value (positions, negative positions, names or a mask), so do r_sub / r_ij
            # when the script runs (x[length(x)], x[names(y)], m[c(k, nrow(m)), cols])
            if len(args) == 1 and args[0].kind != "empty":
                return f"{self.runtime('r_sub')}({obj}, {self.py(args[0])})"
            if len(args) == 2 and all(a.kind != "empty" for a in args):
                return (f"{self.runtime('r_ij')}({obj}, {self.py(args[0])}, "
                        f"{self.py(args[1])})")
        raise Untranslatable("indexing")

    def as_array(self, e: R, name: str) -> str:
        """``e`` with the vector ``name`` read as ``np.asarray(name)`` (R's elementwise
        comparison of a vector, where a Python list would compare as a whole)."""
        old = self.arrays
        self.arrays = old | {name}
        try:
            return self.py(e)
        finally:
            self.arrays = old

    def order_rows(self, frame: R, obj: str, order: R) -> str:
        """``d[order(a, d$b, decreasing = TRUE), ]`` -> ``d.sort_values(['a', 'b'], ...)``
        (R's order() is stable, as pandas' multi-column sort)."""
        cols: list[str] = []
        neg: list[bool] = []           # order(-d$x): that key decreasing
        desc = any(n == "decreasing" and a.kind == "name" and a.value in ("TRUE", "T")
                   for n, a in order.args)
        for n, a in order.args:
            if n == "decreasing" and a.kind == "name":
                desc = a.value in ("TRUE", "T")
                continue
            minus = n is None and a.kind == "unary" and a.value == "-" and a.right is not None
            if minus:
                a = a.right
            if n is None and a.kind == "name":
                cols.append(a.value)
            elif n is None and a.kind == "dollar" and a.left is not None and \
                    self.src(a.left) == self.src(frame):
                cols.append(a.value)
            else:
                # order(-d[, 1]), order(f(x)): R's order() of the values, rows by position
                keys = [self.py(b) for m, b in order.args if m is None]
                dec = [f"decreasing={desc}"] if desc else []
                return (f"{self.runtime('r_ij')}({obj}, {self.runtime('r_order')}("
                        + ", ".join(keys + dec) + "), None)")
            neg.append(minus)
        if not cols:
            raise Untranslatable("order()")
        if any(neg):
            # a numeric key negated sorts decreasing (as R's order(-x)); decreasing = TRUE
            # flips every key
            asc = [m == desc for m in neg]
            return f"{obj}.sort_values({cols!r}, ascending={asc!r}, kind='stable')"
        return f"{obj}.sort_values({cols!r}" + (", ascending=False" if desc else "") + \
            ", kind='stable')"

    def kwargs(self, args: list[tuple[str | None, R]]) -> list[str]:
        """Call arguments: positional first, then keywords, then ``...`` (R matches named
        arguments first, so the order does not change the call)."""
        pos, kw, star = [], [], []
        seen: set[str] = set()
        for name, a in args:
            if a.kind == "empty":
                continue
            if name is not None and name in seen:
                # R's ... takes a name twice (sum(a = 1, a = 1) is 2); Python's keywords
                # cannot: a TODO, not invalid Python
                raise Untranslatable(f"argument name {name!r} given twice")
            if name is not None:
                seen.add(name)
            if name is None and a.kind == "name" and a.value == "...":
                star = ["*args", "**kwargs"]
            elif name is None:
                pos.append(self.py(a))
            elif name.isidentifier() and not keyword.iskeyword(name):
                kw.append(f"{name}={self.py(a)}")
            else:
                kw.append(f"**{{{name!r}: {self.py(a)}}}")
        return pos + star[:1] + kw + star[1:]

    def vector(self, args: list[tuple[str | None, R]], flatten: bool = True) -> str:
        """``c(...)``: a list; nested c() and 1:n flattened; named -> a dict. ``list(...)``
        (``flatten=False``): each argument one element, a vector too, as R's list."""
        items = [(n, a) for n, a in args if a.kind != "empty"]
        if items and all(n is not None for n, _ in items) and not (flatten and any(
                a.kind == "call" and a.value == "list" for _, a in items)):
            return "{" + ", ".join(f"{n!r}: {self.py(a)}" for n, a in items) + "}"
        if any(n is not None for n, _ in items):
            # list(a, b = 2), c(a = list(x), l), c(a = list(1, 2)): R's names ("" where
            # none; a1, a2 over several elements), rcnamed.py
            if not flatten:
                return f"{self.runtime('r_list_named')}(" + ", ".join(
                    f"({n!r}, {self.py(a)})" for n, a in items) + ")"
            return f"{self.runtime('r_c_named')}(" + ", ".join(
                f"({n!r}, {self.py(a)}, {a.kind == 'call' and a.value == 'list'})"
                for n, a in items) + ")"
        texts = [_literal_text(a) for _, a in items]
        if flatten and items and all(t is not None for t in texts) and \
                any(a.kind == "str" for _, a in items):
            # c(1, "a", TRUE): R's character vector c("1", "a", "TRUE")
            return "[" + ", ".join("None" if t == _NA else repr(t) for t in texts) + "]"
        parts = []
        for _, a in items:
            if a.kind == "name" and a.value == "NA":
                parts.append(self.np("np.nan"))     # a missing value inside a vector
            elif flatten and (a.kind == "call" and a.value in ("c", *ALWAYS_VECTORS, *_SEQS) or
                              a.kind == "bin" and a.value == ":" or self._vector_paste(a)):
                parts.append(f"*{self.py(a)}")
            else:
                parts.append(self.py(a))
        return "[" + ", ".join(parts) + "]"

    def paste(self, e: R) -> str:
        """paste/paste0, element-wise when an argument is a vector (a column or c())."""
        named = {n: a for n, a in e.args if n is not None}
        pos = [a for n, a in e.args if n is None]
        sep = "" if e.value == "paste0" else " "
        if "sep" in named:
            if named["sep"].kind != "str":
                raise Untranslatable("paste(sep = <not a string>)")
            sep = named["sep"].value
        if "collapse" in named:
            if named["collapse"].kind == "str" and len(pos) == 1:
                return f"{named['collapse'].value!r}.join([str(x) for x in {self.py(pos[0])}])"
            # paste0("a", v, collapse = "+"), collapse held in a variable: R's recycling,
            # then one string (rbase.r_paste)
            return (f"{self.runtime('r_paste')}(" + ", ".join(
                [self.py(a) for a in pos] + [f"sep={sep!r}",
                                             f"collapse={self.py(named['collapse'])}"]) + ")")
        if any(self._is_vector(a) or a.kind == "name" and a.value not in _CONST or
               a.kind == "call" and _has_variable(a) for a in pos):
            # a vector (a column, c(), v[i]) or a variable that may hold one (suffixes <-
            # c("a", "b")): R's recycling at run time; one value is a string
            return (f"{self.runtime('r_paste')}(" + ", ".join(
                [self.py(a) for a in pos] + [f"sep={sep!r}"]) + ")")
        texts = [_literal_text(a) for a in pos]
        if pos and all(t is not None and t != _NA for t in texts):
            # literals: R's as.character of each (1e5 -> "1e+05", TRUE -> "TRUE")
            return repr(sep.join(str(t) for t in texts))
        return f"{sep!r}.join([str(x) for x in [" + ", ".join(self.py(a) for a in pos) + "]])"

    def _is_vector(self, e: R) -> bool:
        return e.kind in ("dollar", "index") or (e.kind == "call" and e.value in (
            "c", "rep", "seq")) or e.kind == "bin" and e.value == ":"

    def _vector_paste(self, e: R) -> bool:
        """``paste0("a", 1:5)``: paste of a vector, itself a vector (without collapse)."""
        return e.kind == "call" and e.value in ("paste", "paste0") and all(
            n != "collapse" for n, _ in e.args) and any(
            n is None and self._is_vector(a) for n, a in e.args)

    def _read_xlsx(self, e: R) -> str:
        """openxlsx's ``read.xlsx(xlsxFile, sheet = 1, startRow = 1, colNames = TRUE,
        rowNames = FALSE)`` (openxlsx's argument order): ``rowNames = TRUE`` takes the first
        column as the row names, ``colNames = FALSE`` reads no header, ``startRow = n``
        skips n − 1 rows, ``na.strings`` the missing-value codes; other arguments only at
        their defaults (refused otherwise: never silently dropped)."""
        from asr_py.translate.rmatchargs import ArgMatchError, match_args

        try:
            got = match_args(("xlsxFile", "sheet", "startRow", "colNames", "rowNames",
                              "detectDates", "skipEmptyRows", "skipEmptyCols", "rows", "cols",
                              "check.names", "sep.names", "namedRegion", "na.strings"),
                             e.args, "read.xlsx")
        except ArgMatchError as err:
            raise Untranslatable(str(err)) from None
        if "xlsxFile" not in got:
            raise Untranslatable("read.xlsx without a file")
        # detectDates: pandas reads Excel dates as dates anyway; the rest must keep their
        # defaults (empty rows/columns skipped, names as they are, the whole sheet)
        for arg in ("skipEmptyRows", "skipEmptyCols", "rows", "cols", "check.names",
                    "sep.names", "namedRegion"):
            a = got.get(arg)
            if a is not None and not (arg.startswith("skip") and a.kind == "name"
                                      and a.value in ("TRUE", "T")
                                      or arg == "check.names" and a.kind == "name"
                                      and a.value in ("FALSE", "F")):
                raise Untranslatable(f"read.xlsx() argument {arg}=")
        out = [self._read_path(got["xlsxFile"])]
        sheet = got.get("sheet")
        if sheet is not None:
            out.append(f"sheet_name={self.py(sheet)}" if sheet.kind == "str" else
                       f"sheet_name={int(float(sheet.value)) - 1}" if sheet.kind == "num"
                       else f"sheet_name={self.py(sheet)} - 1")
        if "startRow" in got:
            out.append(f"skiprows={self.py(got['startRow'])} - 1")
        if "na.strings" in got:
            out.append(f"na_values={self.py(got['na.strings'])}")
        for arg, kw, yes in (("colNames", "header", "0"), ("rowNames", "index_col", "0")):
            a = got.get(arg)
            if a is None:
                continue
            if a.kind == "name" and a.value in ("TRUE", "T", "FALSE", "F"):
                val = yes if a.value in ("TRUE", "T") else "None"
            else:
                val = f"({yes} if {self.py(a)} else None)"
            if not (arg == "colNames" and val == "0" or arg == "rowNames" and val == "None"):
                out.append(f"{kw}={val}")
        return f"pd.read_excel({', '.join(out)})"

    def read_table(self, e: R) -> str:
        """read.csv/read.table/read.delim/read_excel/readRDS/fread/read_csv -> pandas."""
        f = e.value
        if f == "read.xlsx":                                  # openxlsx
            return self._read_xlsx(e)
        named = {n: a for n, a in e.args if n is not None}
        pos = [a for n, a in e.args if n is None]
        path = named.get("file", named.get("path", pos[0] if pos else None))
        if path is None and "text" in named:       # read.table(text = x): rreadtext.py
            from asr_py.translate import rreadtext

            got = rreadtext.translate(self, e)
            if got is not None:
                return got
        if path is None:
            raise Untranslatable(f"{f} without a file")
        if f in ("readRDS", "read_rds"):
            return self.runtime("read_rds") + f"({self._read_path(path)})"
        if f in ("read_excel", "read_xlsx", "read_xls") and set(named) - {"path", "sheet"}:
            # readxl's col_types, n_max, skip, na, col_names (rreadxl.py); others refused
            other = [n for n in named if n not in rreadxl.ARGS and n != "path"]
            if other or len(pos) > 2:
                raise Untranslatable(f"{f}() argument {other[0] if other else '...'}=")
            kw = [self._read_path(path)] + (
                [f"sheet={self.py(pos[1])}"] if len(pos) > 1 else []) + [
                f"{rreadxl.ARGS[n]}={self.py(a)}" for n, a in named.items() if n != "path"]
            return f"{self.runtime('r_read_excel')}({', '.join(kw)})"
        if f in ("read_excel", "read_xlsx", "read_xls"):
            out = [self._read_path(path)]
            sheet = named.get("sheet", pos[1] if len(pos) > 1 else None)
            if sheet is not None:
                out.append(f"sheet_name={self.py(sheet)}" if sheet.kind == "str" else
                           f"sheet_name={int(float(sheet.value)) - 1}" if sheet.kind == "num"
                           else f"sheet_name={self.py(sheet)} - 1")
            return f"pd.read_excel({', '.join(out)})"
        if f == "read.table":
            call = rreadtable_call(self, e, path)
            if call is not None:
                return call
        out = [self._read_path(path)]
        header_default = f in ("read.csv", "read.delim", "fread", "read_csv", "read.csv2",
                               "read_delim", "read_tsv")
        if f == "read.table" and "sep" not in named:
            out.append("sep=r'\\s+'")
        if f in ("read.delim", "read_tsv") and "sep" not in named:
            out.append("sep='\\t'")
        if f == "read.csv2":
            out.append("sep=';', decimal=','")
        header = header_default
        readr_names = False
        readr = f in ("read_csv", "read_delim", "read_tsv", "read_csv2")
        trim = f in rreadr.TRIM_DEFAULT
        for n, a in e.args:
            if n is None or a is path:
                continue
            key = _partial(n, ("header", "sep", "na.strings", "stringsAsFactors", "strip.white",
                               "as.is", "check.names", "skip", "dec", "quote", "comment.char",
                               "fileEncoding", "encoding", "colClasses", "nrows", "fill",
                               "blank.lines.skip", "row.names", "col.names", "na", "delim",
                               "data.table", "col_types", "show_col_types", "sheet",
                               "fill", "col_names") + (
                               ("escape_double", "trim_ws", "locale") if readr else ()))
            if key in ("escape_double", "trim_ws", "locale"):     # rreadr.py
                try:
                    kws, trim_ws = rreadr.options(self, key, a)
                except rreadr.ReadrUntranslatable as exc:
                    raise Untranslatable(f"{f}({exc})") from None
                out += kws
                trim = trim if trim_ws is None else trim_ws
            elif key == "header":
                header = self.py(a) == "True"
            elif key in ("sep", "delim"):
                out.append(f"sep={self.py(a)}")
            elif key in ("na.strings", "na"):
                out.append(f"na_values={self.py(a)}")
            elif key == "skip":
                out.append(f"skiprows={self.py(a)}")
            elif key == "dec":
                out.append(f"decimal={self.py(a)}")
            elif key == "nrows":
                out.append(f"nrows={self.py(a)}")
            elif key in ("fileEncoding", "encoding"):
                out.append(f"encoding={self.py(a)}")
            elif key == "comment.char" and a.kind == "str" and a.value:
                out.append(f"comment={self.py(a)}")
            elif key == "col.names":
                out.append(f"names={self.py(a)}")
            elif key == "col_names" and f in ("read_csv", "read_delim", "read_tsv", "read_table"):
                # readr: FALSE - no header, columns X1, X2, ...; a vector - their names
                header = self.py(a) == "True"
                if a.kind == "name" and a.value in ("FALSE", "F"):
                    readr_names = True
                elif not header:
                    out.append(f"names={self.py(a)}")
            elif key == "row.names" and a.kind == "num":
                out.append(f"index_col={int(float(a.value)) - 1}")
            elif key == "row.names" and a.kind == "str" and \
                    f in ("read.csv", "read.table", "read.delim", "read.csv2"):
                # row.names = "id": the row names are the column of that name (r_read_csv)
                out.append(f"row_names={self.py(a)}")
            elif key in ("row.names", "colClasses", "quote", "fill", "col_types"):
                raise Untranslatable(f"{f}({n} = {self.src(a)})")
            elif key is None:
                raise Untranslatable(f"{f}({n} = )")
        if not header:
            out.append("header=None")
        if readr and trim:
            out.append("trim_ws=True")
        if f in ("read.csv", "read.table", "read.delim", "read.csv2") and not any(
                n is not None and _partial(n, ("check.names",)) == "check.names"
                and self.py(a) == "False" for n, a in e.args):
            # R's check.names = TRUE: 'my col' -> 'my.col'
            return f"{self.runtime('r_read_csv')}({', '.join(out)})" \
                f".rename(columns={self.runtime('make_names')})"
        if readr_names:     # readr's col_names = FALSE: X1, X2, ...
            return f"{self.runtime('r_read_csv')}({', '.join(out)})" \
                ".rename(columns=lambda c: f'X{c + 1}')"
        return f"{self.runtime('r_read_csv')}({', '.join(out)})"

    # ----- statements ----------------------------------------------------------------------
    def _read_path(self, path: R) -> str:
        """A file argument: an http(s) URL literal is read from its downloaded copy in the
        cache of rsource_url (R reads URLs; a machine with no network uses the cache)."""
        if path.kind == "str" and re.match(r"(?i)https?://", path.value):
            return f"{self.runtime('r_url_file')}({path.value!r})"
        return self.py(path)

    def block(self, body: list[R], depth: int, fn: bool = False) -> list[str]:
        """Statements of a block, indented by the caller; ``fn``: the last value is
        returned (R functions return their last expression)."""
        out: list[str] = []
        code = [s for s in body if s.kind not in ("comment", "blank")]
        last = code[-1] if code else None
        for s in body:
            if fn and s is last:
                out += self.returned(s, depth)
            else:
                out += self.statement(s, depth)
        if not any(ln.strip() and not ln.lstrip().startswith("#") for ln in out):
            out.append("pass")
        return out

    def returned(self, s: R, depth: int) -> list[str]:
        if rtrycatch.is_trycatch(s):        # a function's last tryCatch(): its value
            return rtrycatch.trycatch_lines(self, s, None, depth, returning=True)
        if s.kind in ("if", "block"):
            # R: a function's last if/else (or { }) gives the value of the branch taken
            self._last_value.add(id(s))
            return self.statement(s, depth)
        if s.kind in ("if", "for", "while", "repeat", "block", "bad", "function"):
            return self.statement(s, depth)
        if s.kind == "call" and s.value == "invisible" and len(s.args) == 1:
            # invisible(x) last: the function returns x (only printing is suppressed)
            s = R("call", "return", s.args, start=s.start, end=s.end, comments=s.comments)
        if s.kind == "call" and s.value in ("return", "invisible") and len(s.args) <= 1:
            return self.statement(s, depth)
        if s.kind == "bin" and s.value in ("<-", "=", "<<-"):
            lines = self.statement(s, depth)
            tgt = s.left
            if tgt is not None and tgt.kind == "name" and not lines[-1].lstrip().startswith("#"):
                lines.append(f"return {pyname(tgt.value)}")
            return lines
        if s.kind == "call" and s.value in ("stop", "abort") and \
                s.value not in self.functions:
            return self.statement(s, depth)     # stop() never returns: it raises (rstop.py)
        ret = R("call", "return", [(None, s)], start=s.start, end=s.end, comments=s.comments)
        return self.statement(ret, depth)

    def statement(self, s: R, depth: int) -> list[str]:
        """One statement -> Python lines (relative indentation)."""
        if s.kind == "comment":
            return [f"# {s.value.lstrip('#').strip()}".rstrip()]
        if s.kind == "blank":
            return [""]
        if s.kind == "if" and has_inner_assignment(s.left):
            split = self.inner_assignments(s, depth)     # if ((n <- nrow(d)) > 0)
            if split is not None:
                return split
        self.todo = []
        saved, self._hoisted = self._hoisted, []
        depth0, self._depth = self._depth, depth
        try:
            lines = self.compound(s, depth)
        except Untranslatable as exc:
            self._hoisted, self._depth = saved, depth0
            nested = unpiped(s)
            if nested is not None:       # x |> f(a) is R's f(x, a): a rule for f() reads it
                return self.statement(nested, depth)
            split = self.inner_assignments(s, depth) \
                if str(exc) == "assignment inside an expression" else None
            if split is not None:                        # print(h2 <- va / vp)
                return split
            hoisted = self.hoist(s, depth)
            return hoisted + self.todo_lines(s, str(exc)) + self.placeholder(s, str(exc),
                                                                             hoisted)
        defs, self._hoisted, self._depth = self._hoisted, saved, depth0
        lines = defs + lines
        pre = [f"# TODO(asr_py): {t}" for t in self.todo]
        if pre and s.kind not in ("function", "if", "for", "while", "repeat", "block") and \
                not (s.kind == "bin" and s.right is not None and s.right.kind == "function") \
                and not (s.kind == "call" and any(a.kind == "block" for _, a in s.args)):
            # (a test_that()/local() block: its statements carry their own TODOs)
            pre[-1] += "; original R code:"
            pre += [f"#   {ln}".rstrip() for ln in self.original(s).splitlines()]
        post = [f"# {c.lstrip('#').strip()}".rstrip() for c in s.comments]
        if len(lines) == 1 and post and not lines[0].startswith("#") and "\n" not in lines[0]:
            return pre + [lines[0] + "  " + post[0]] + post[1:]
        return pre + post + lines

    def inner_assignments(self, s: R, depth: int) -> list[str] | None:
        """``s`` with the assignments used as values inside it run first, each then read
        by its variable (rinnerassign); None when they may not be moved."""
        parts = split_inner_assignments(s, self.functions)
        if parts is None:
            return None
        if id(s) in self._last_value:           # a function's last if: its value returned
            self._last_value.add(id(parts[-1]))
        out: list[str] = []
        for part in parts:
            out += self.statement(part, depth)
        return out

    def hoist(self, s: R, depth: int) -> list[str]:
        """The asreml() calls inside an untranslatable statement, translated on their own
        (``x <- asreml(...)`` inside keeps its name) so no fit is lost."""
        return []

    def placeholder(self, s: R, why: str, hoisted: list[str]) -> list[str]:
        """``x <- <untranslatable>`` still binds ``x``: to a placeholder that lets the script
        go on and says, when used, that it is not the R value (asr_py.translate.checks);
        ``x[[k]] <- <untranslatable>`` (k a position) puts one in that element."""
        if s.kind == "call" and s.value in EXPECT_VALUE and s.value != "expect_error":
            # an expectation whose value is not translated: recorded as unchecked (with
            # what was not translated), not dropped from the count as a bare TODO was
            line = str(getattr(self, "code", "")).count("\n", 0, s.start) + 1
            two = "" if EXPECT_VALUE[s.value] in ("expect_true", "expect_false") else ", None"
            return [f"{self.runtime(EXPECT_VALUE[s.value])}(lambda: "
                    f"{self.runtime('untranslated')}({why!r}, 'expectation')._use(){two}, "
                    f"r_line={line})"]
        if s.kind == "bin" and s.value in ("<-", "=") and s.left is not None and \
                s.left.kind == "index" and s.left.value == "[[" and len(s.left.args) == 1 \
                and s.left.args[0][1].kind != "str" and s.right is not None and \
                s.right.kind != "function":
            return self._element_placeholder(s, why)      # a list filled by position
        if not (s.kind == "bin" and s.value in ("<-", "=", "<<-") and s.left is not None
                and s.left.kind in ("name", "str") and s.right is not None
                and s.right.kind != "function"):
            return []
        name = pyname(s.left.value)
        if any(ln.startswith(f"{name} = ") for ln in hoisted):
            return []
        # also x <- f(x): keeping the old x would go on with a value R does not have
        self.assigned.add(s.left.value)
        return [f"{name} = {self.runtime('untranslated')}({why!r}, {s.left.value!r})"]

    def _element_placeholder(self, s: R, why: str) -> list[str]:
        """``x[[k]] <- <untranslatable>``: the element assigned a placeholder (so a later
        ``x[[1]]`` says what was not translated, not that x is too short); [] when the
        target itself cannot be translated."""
        mark = "asr_placeholder_value_"
        try:
            lines = self.compound(R("bin", s.value, left=s.left, right=R("name", mark),
                                    start=s.start, end=s.end), self._depth)
        except Untranslatable:
            return []
        text = "\n".join(lines)
        if text.count(mark) != 1:
            return []
        value = f"{self.runtime('untranslated')}({why!r}, {self.src(s.left)!r})"
        return text.replace(mark, value).split("\n")

    def todo_lines(self, s: R, why: str) -> list[str]:
        lines = [f"# TODO(asr_py): not translated ({why}); original R code:"]
        lines += [f"#   {ln}".rstrip() for ln in self.original(s).splitlines()]
        return lines + [f"# {c.lstrip('#').strip()}".rstrip() for c in s.comments
                        if c not in self.original(s)]

    def compound(self, s: R, depth: int) -> list[str]:
        k = s.kind
        if k == "block":
            return self.block(s.body, depth, fn=id(s) in self._last_value)
        if k == "if":
            return self.if_(s, depth, fn=id(s) in self._last_value)
        if k == "call" and s.value == "ifelse" and _assigns(s):
            return self.ifelse_statement(s, depth)
        if k == "for":
            assert s.left is not None and s.left.left is not None and s.left.right is not None
            var = pyname(s.left.left.value)
            self.assigned.add(s.left.left.value)
            head = self.guard(lambda: f"for {var} in {self.loop_iterable(s.left.right)}:",
                              s.left)
            return head + _indent(self.loop_body(s.right, depth + 1))
        if k == "while":
            assert s.left is not None
            head = self.guard(lambda: f"while {self.cond(s.left)}:", s.left)
            return head + _indent(self.loop_body(s.right, depth + 1))
        if k == "repeat":
            return ["while True:"] + _indent(self.loop_body(s.right, depth + 1))
        if k in ("break", "next") and not self._loops:
            # R: an error when reached ("no loop for break/next"); Python: not even compiled
            return ['raise RuntimeError("no loop for break/next, jumping to top level")']
        if k == "break":
            return ["break"]
        if k == "next":
            return ["continue"]
        if k == "bad":
            raise Untranslatable(s.value)
        sd = _dt_sd_assignment(s)
        if sd is not None:
            # DT[i, (cols) := lapply(.SD, f), .SDcols = cols, by]: each column by f (rdtset)
            assert s.left is not None
            cols, fn, by = sd
            dt = self.py(s.left)
            rows = s.args[0][1]
            mask = "None" if rows.kind == "empty" else \
                self.in_data(s.left, lambda: self.py(rows))
            f = self.fun_ref(fn) if fn.kind == "name" else self.py(fn)
            extra = f", by={by!r}" if by else ""
            self.assigned.add(s.left.value)
            return [f"{dt} = {self.runtime('r_dt_set_sd')}({dt}, {mask}, {self.py(cols)}, "
                    f"{f}{extra})"]
        sets = _dt_assignments(s)
        if sets is not None:
            # data.table's DT[, a := e], DT[, `:=`(a = e1, b = e2)]: the columns set in
            # place, each expression evaluated among DT's columns (as one assign: e2 sees
            # the old a); DT[i, a := e, by]: only the rows i, e evaluated among them (each
            # group on its own with by; rdtset)
            assert s.left is not None
            dt = self.py(s.left)
            rows = s.args[0][1]
            by = _dt_by(s)
            if rows.kind != "empty" or by:
                mask = "None" if rows.kind == "empty" else \
                    self.in_data(s.left, lambda: self.py(rows))
                from asr_py.translate.rdtquery import _count_rows

                sub = R("name", "_d")
                fns = ", ".join(f"({n!r}, lambda _d: "    # .N: the rows (of the group)
                                f"{self.in_data(sub, lambda a=a: self.py(_count_rows(a)))})"
                                for n, a in sets)
                extra = f", by={by!r}" if by else ""
                self.assigned.add(s.left.value)
                return [f"{dt} = {self.runtime('r_dt_set')}({dt}, {mask}, {fns}{extra})"]
            kws = []
            for n, a in sets:
                val = self.in_data(s.left, lambda a=a: self.py(a))
                if needs_position(a, s.left, columns_by_name=True,      # rcolpos.py
                                  variables=self.assigned):
                    val = f"{self.runtime('r_col_value')}({dt}, {val})"
                kws.append(f"**{{{n!r}: {val}}}")
            self.assigned.add(s.left.value)
            return [f"{dt} = {dt}.assign({', '.join(kws)})"]
        if k == "paren" and s.right is not None and s.right.kind == "bin" and \
                s.right.value in ("<-", "=", "<<-") and s.right.left is not None:
            # (x <- value): assign, and print the value at the top level as R does
            lines = self.compound(s.right, depth)
            return lines + ([f"print({self.py(s.right.left)})"] if depth == 0 else [])
        if k == "bin" and s.value in ("<-", "=", "<<-") and s.right is not None and \
                s.right.kind == "function" and s.left is not None and s.left.kind in (
                    "name", "str"):
            return self.def_(s.left.value, s.right, depth)
        if k == "call" and s.value == "test_that" and len(s.args) == 2:
            desc, body = s.args[0][1], s.args[1][1]
            name = "test_" + re.sub(r"\W+", "_", desc.value if desc.kind == "str"
                                    else "block").strip("_").lower()
            # R runs a test_that() block where it stands: define it, then call it. The block
            # reads the script's variables, also those it then assigns (x <- x + 1): global
            names = sorted({pyname(x.left.value) for x in (body.body if body.kind == "block"
                                                           else [body])
                            if x.kind == "bin" and x.value in ("<-", "=") and x.left is not None
                            and x.left.kind == "name"})
            glob = [f"global {', '.join(names)}"] if names else []
            loops, self._loops = self._loops, 0      # the block becomes a function
            in_test, self._in_test = self._in_test, True
            try:
                inner = self.body_of(body, depth + 1)
            finally:
                self._loops, self._in_test = loops, in_test
            # testthat reports an error in a block and goes on (checks.r_test_that)
            call = f"{self.runtime('r_test_that')}({name}, {desc.value!r})" \
                if desc.kind == "str" else f"{self.runtime('r_test_that')}({name})"
            return [f"def {name}() -> None:"] + _indent(glob + inner) + [call]
        if k == "bin" and s.value in ("<-", "=", "<<-") and s.left is not None and \
                s.left.kind == "name" and s.right is not None and s.right.kind == "call" and \
                s.right.value == "within" and len(s.right.args) == 2:
            return self.within(s.left.value, s.right.args[0][1], s.right.args[1][1])
        if k == "call" and s.value in _EXPECT_RUN and s.args and s.args[0][0] is None:
            # the statement runs as in R; what testthat checks about it is not checked
            inner = s.args[0][1]
            try:
                body = self.compound(inner, depth)
            except Untranslatable as exc:
                body = self.todo_lines(inner, str(exc)) + self.placeholder(inner, str(exc), [])
            return [f"# {s.value}(): not checked in Python; the code inside runs"] + body
        if k == "call" and s.value in rtestskip.SNAPSHOT:
            inner = rtestskip.snapshot_subject(s.value, s.args)
            if inner is not None:
                # the value is computed as in R; the stored snapshot is not compared
                try:
                    body = self.compound(inner, depth)
                except Untranslatable as exc:
                    body = self.todo_lines(inner, str(exc)) + self.placeholder(inner, str(exc),
                                                                               [])
                return [f"# {s.value}(): the snapshot (tests/testthat/_snaps/) is not "
                        "compared in Python; the code inside runs"] + body
        if k == "call" and s.value in rtestskip.SKIPS and self._in_test:
            cond = self.skip_condition(s)
            if cond is not None:       # testthat ends the test, successfully, when it holds
                return [f"if {cond}:  # {self.src(s)}", "    return"]
        if k in ("call",) and s.value in ("local", "suppressWarnings", "suppressMessages",
                                          "suppressPackageStartupMessages", "invisible",
                                          "with_options") \
                and s.args and s.args[-1][1].kind == "block":
            return self.block(s.args[-1][1].body, depth)
        if k == "call" and s.value in _RUN_ARG and len(s.args) == 1 and \
                s.args[0][0] in (None, "expr") and s.args[0][1].kind == "bin" and \
                s.args[0][1].value in ("<-", "=", "<<-") and s.value not in self.functions:
            # suppressWarnings(x <- f()) as a statement: the assignment runs (R evaluates
            # the argument once; only its warnings / messages / printing are muted)
            note = ["# system.time(): the code runs; its timing is not printed"] \
                if s.value == "system.time" else []
            return note + self.compound(s.args[0][1], depth)
        captured = rcapwarn.statement(self, s, depth)   # w <- capture_warnings(x <- f())
        if captured is not None:
            return captured
        if k == "bin" and s.value in ("<-", "=") and rtrycatch.is_trycatch(s.right):
            return rtrycatch.trycatch_lines(self, s.right, s.left, depth)   # rtrycatch.py
        if rtrycatch.is_trycatch(s):
            return rtrycatch.trycatch_lines(self, s, None, depth)
        if k == "bin" and s.value in ("<-", "=", "<<-") and s.right is not None and \
                s.right.kind == "call" and s.right.value == "try" and s.right.args:
            return self.try_(s, depth)
        if k == "call" and s.value == "try" and s.args and s.args[0][0] in (None, "expr") \
                and all(n in (None, "expr", "silent") for n, _ in s.args[1:]):
            return self.try_statement(s, depth)
        line = self.top(s, depth)
        if line == "__IMPORT__":
            # every line of a statement written over several lines is a comment
            head, *rest = self.original(s).strip().splitlines()
            return [f"# {head}" + ("" if rest else ": asr_py and pandas are imported at the top")] \
                + [f"#   {ln}".rstrip() for ln in rest[:-1]] + \
                ([f"#   {rest[-1]}: asr_py and pandas are imported at the top"] if rest else [])
        return [_wrap(ln, 100 - 4 * depth) for ln in line.split("\n")]

    def in_data(self, data: R, make) -> str:  # type: ignore[no-untyped-def]
        old = self.data_cols
        self.data_cols = self.py(data)
        try:
            return make()
        finally:
            self.data_cols = old

    def within(self, target: str, data: R, block: R) -> list[str]:
        """``d2 <- within(d, {a <- f(x); b <- a + 1})`` -> a copy of ``d`` whose columns are
        assigned in order, bare names read as columns (R's within())."""
        frame = pyname(target)
        lines = [f"{frame} = {self.py(data)}.copy()"]
        self.assigned.add(target)
        for st in block.body if block.kind == "block" else [block]:
            if st.kind in ("comment", "blank"):
                continue
            if not (st.kind == "bin" and st.value in ("<-", "=") and st.left is not None
                    and st.left.kind in ("name", "str") and st.right is not None):
                raise Untranslatable("within() with statements other than column assignments")
            rhs = self.in_data(R("name", target), lambda st=st: self.py(st.right))
            lines.append(f"{frame}[{st.left.value!r}] = {rhs}")
        return lines

    def try_(self, s: R, depth: int) -> list[str]:
        """``x <- try(expr)`` -> try/except binding the exception (``inherits(x,
        "try-error")`` -> ``isinstance(x, Exception)``)."""
        assert s.left is not None and s.right is not None
        expr = s.right.args[0][1]
        inner = R("bin", "<-", left=s.left, right=expr, start=s.start, end=s.end)
        target = self.py(s.left)
        return ["try:"] + _indent(self.compound(inner, depth + 1)) + [
            "except Exception as exc:  # R's try()", f"    {target} = exc"]

    def try_statement(self, s: R, depth: int) -> list[str]:
        """``try(x <- f(...))`` / ``try({...}, silent = TRUE)`` as a statement: the code runs;
        an error is printed (unless silent) and the script goes on, as R's try()."""
        inner = s.args[0][1]
        silent = any(n == "silent" and a.kind == "name" and a.value in ("TRUE", "T")
                     for n, a in s.args[1:])
        body = (self.block(inner.body, depth + 1) if inner.kind == "block" else
                self.compound(inner, depth + 1))
        handler = "    pass" if silent else "    print(f'Error in try : {exc}')"
        return ["try:"] + _indent(body or ["pass"]) + [
            "except Exception as exc:  # R's try(): the script goes on", handler]

    def guard(self, make, head: R) -> list[str]:  # type: ignore[no-untyped-def]
        """A loop/if header; when it cannot be translated the body is kept (translated)
        under ``if False:`` with a TODO, so nothing inside is lost."""
        try:
            return [make()]
        except Untranslatable as exc:
            return [f"# TODO(asr_py): not translated ({exc}): {self.src(head)}",
                    "if False:  # TODO(asr_py): the header above is not translated"]

    def ifelse_statement(self, s: R, depth: int) -> list[str]:
        """``ifelse(test, a <- x, b <- y)`` as a statement, used for its assignments: R
        evaluates ``yes`` when the (one-value) test is TRUE, ``no`` when it is FALSE, neither
        when it is NA (rlist.r_ifelse_branch; a vector test is an error here). A missing
        ``no`` with a FALSE test is R's error "argument 'no' is missing"."""
        named = {n for n, _ in s.args if n is not None}
        free = [k for k in ("test", "yes", "no") if k not in named]
        pos = [a for n, a in s.args if n is None and a.kind != "empty"]
        got: dict[str, R] = dict(zip(free, pos))
        got.update({n: a for n, a in s.args if n in ("test", "yes", "no")})
        if "test" not in got or "yes" not in got or len(s.args) > 3 or \
                named - {"test", "yes", "no"}:
            raise Untranslatable("ifelse() with these arguments")
        if "no" in got:
            no = self.body_of(got["no"], depth + 1)
        else:
            no = [f"raise {self.runtime('AsrError')}(\"ifelse(): argument 'no' is missing, "
                  "with no default (R's error)\")"]
        # the test is evaluated once; its branch: 'yes', 'no' or None (NA)
        test = got["test"]
        # a && / || test takes one value of each side, as in if (): r_scalar
        t = self.scalar(test) if test.kind == "bin" and test.value in ("&&", "||") else \
            self.py(test)
        return [f"_ifelse_branch = {self.runtime('r_ifelse_branch')}({t})",
                "if _ifelse_branch == 'yes':"] + \
            _indent(self.body_of(got["yes"], depth + 1)) + \
            ["elif _ifelse_branch == 'no':"] + _indent(no)

    def loop_body(self, e: R | None, depth: int) -> list[str]:
        """The body of a for/while/repeat loop: break and next stay loop statements."""
        self._loops += 1
        try:
            return self.body_of(e, depth)
        finally:
            self._loops -= 1

    def body_of(self, e: R | None, depth: int, fn: bool = False) -> list[str]:
        if e is None:
            return ["pass"]
        return self.block(e.body if e.kind == "block" else [e], depth, fn=fn)

    def if_(self, s: R, depth: int, kw: str = "if", fn: bool = False) -> list[str]:
        """``if``/``else if``/``else``; ``fn``: the if is a function's last value, so each
        branch returns its own last value."""
        assert s.left is not None
        head = self.guard(lambda: f"{kw} {self.cond(s.left)}:", s.left)
        out = head + _indent(self.body_of(s.right, depth + 1, fn=fn))
        alt = s.alt
        if alt is None:
            return out
        if head[0].startswith("# TODO"):
            return out + ["if False:  # TODO(asr_py): the else branch of the if above"] + \
                _indent(self.body_of(alt, depth + 1, fn=fn))
        if alt.kind == "if":
            return out + self.if_(alt, depth, "elif", fn=fn)
        return out + ["else:"] + _indent(self.body_of(alt, depth + 1, fn=fn))

    def cond(self, e: R) -> str:
        from asr_py.translate.rpackages import is_require

        if e.kind == "bin" and e.value in ("&", "&&", "|", "||") and e.left is not None and \
                e.right is not None and (is_require(e.left) or is_require(e.right)):
            op = "and" if e.value.startswith("&") else "or"    # requireNamespace(a) & ...
            return f"({self.cond(e.left)} {op} {self.cond(e.right)})"
        if e.kind == "call" and e.value in ("require", "requireNamespace") or (
                e.kind == "unary" and e.right is not None and e.right.kind == "call"
                and e.right.value in ("require", "requireNamespace")):
            call = e if e.kind == "call" else e.right
            assert call is not None
            pkg = self.src(call.args[0][1]).strip("\"'") if call.args else ""
            from asr_py.translate.rpackages import is_translated

            have = is_translated(pkg)
            return ("True" if have else "False") if e.kind == "call" else (
                "False" if have else "True")
        return self.scalar(e)

    def scalar(self, e: R) -> str:
        """A condition of ``if``/``while`` (or an operand of ``&&``/``||``): R takes one
        value, so what may be a vector (``x$a``, ``x[i]``, a comparison of those) goes
        through ``r_scalar``: ``a$AIC < b$AIC`` on one-row data frames compares their
        single values by position, not by pandas index."""
        if e.kind == "paren" and e.right is not None:
            return f"({self.scalar(e.right)})"
        if e.kind == "bin" and e.value in ("&&", "||") and e.left is not None and \
                e.right is not None:
            return f"{self.scalar(e.left)} {_BINOPS[e.value]} {self.scalar(e.right)}"
        if e.kind == "unary" and e.value == "!" and e.right is not None and \
                self._maybe_vector(e.right):
            return f"(not {self.scalar(e.right)})"
        if e.kind == "bin" and e.value in ("<", ">", "<=", ">=", "==", "!=") and \
                e.left is not None and e.right is not None and \
                e.left.kind in ("dollar", "index") and e.right.kind in ("dollar", "index"):
            helper = self.runtime("r_scalar")
            return f"{helper}({self.py(e.left)}) {_BINOPS[e.value]} " \
                   f"{helper}({self.py(e.right)})"
        if self._maybe_vector(e):
            return f"{self.runtime('r_scalar')}({self.py(e)})"
        return self.py(e)

    def _maybe_vector(self, e: R | None) -> bool:
        """Whether ``e`` may be a vector: it reads ``$``/``[`` of something, or a column."""
        if e is None:
            return False
        if e.kind in ("dollar", "index"):
            return True
        if e.kind == "name":
            return self._vector_context(e)
        if e.kind in ("bin", "unary", "paren"):
            return self._maybe_vector(e.left) or self._maybe_vector(e.right)
        if e.kind == "call" and e.value in ("is.na", "grepl", "is.element", "duplicated",
                                            "abs", "sqrt", "exp", "log", "round", "signif",
                                            "floor", "ceiling", "as.numeric", "unname"):
            # element-wise: a vector of a vector (abs(x[k] - y[k]) > tol in an if)
            return any(self._maybe_vector(a) for _, a in e.args)
        return False

    def loop_iterable(self, e: R) -> str:
        """What ``for (x in e)`` visits: a list's values (not a dict's keys), a data frame's
        columns, a vector's elements (rbase.r_iter) when e is a variable or makes a list."""
        if e.kind in ("name", "dollar") and e.value not in _CONST or e.kind == "call" and \
                e.value in ("lapply", "split", "list", "setNames", "as.list", "Map"):
            return f"{self.runtime('r_iter')}({self.iterable(e)})"
        return self.iterable(e)

    def iterable(self, e: R) -> str:
        if e.kind == "call" and e.value == "seq_along" and len(e.args) == 1:
            return f"range(1, len({self.py(e.args[0][1])}) + 1)"
        if e.kind == "call" and e.value == "seq_len" and len(e.args) == 1:
            return f"range(1, {self.py(e.args[0][1])} + 1)"
        return self.py(e)

    def skip_condition(self, s: R) -> str | None:
        """testthat's ``skip_on_ci()``, ``skip_on_covr()``, ``skip_on_os(os)`` as a test
        (rtestskip.r_skip_on); None for a form not read here (``arch =``, computed os)."""
        kind = s.value.removeprefix("skip_on_")
        if kind in ("ci", "covr"):
            return f"{self.runtime('r_skip_on')}({kind!r})" if not s.args else None
        if len(s.args) != 1 or s.args[0][0] not in (None, "os"):
            return None
        a = s.args[0][1]
        items = [a] if a.kind == "str" else [v for _, v in a.args] \
            if a.kind == "call" and a.value == "c" else []
        if not items or any(v.kind != "str" for v in items):
            return None
        return f"{self.runtime('r_skip_on')}('os', {[v.value for v in items]!r})"

    def def_(self, name: str, fn: R, depth: int) -> list[str]:
        """``f <- function(a, b = 1, ..., c)`` -> ``def f(a, b=1, *args, c=None, **kwargs)``."""
        before: list[str] = []
        after: list[str] = []
        lazy: list[str] = []
        dots = False
        default = False
        # parameters the body tests with missing(p): R lets a call leave them out
        maybe = set(re.findall(r"\bmissing\(\s*([A-Za-z.][\w.]*)\s*\)",
                               self.src(fn.right) if fn.right is not None else ""))
        for n, d in fn.args:
            n = n or "_"
            if n == "...":
                dots = True
                continue
            self.assigned.add(n)
            if d.kind == "empty":
                text = pyname(n) + ("=None" if (default or n in maybe) and not dots else "")
                default = default or (n in maybe and not dots)
            else:
                try:
                    value = self.py(d)
                    if _lazy_default(d):
                        # R evaluates a default when the function runs (it may name a
                        # variable assigned later): None, filled in at the top of the body
                        lazy.append(f"if {pyname(n)} is None:")
                        lazy.append(f"    {pyname(n)} = {value}")
                        value = "None"
                    text = f"{pyname(n)}={value}"
                except Untranslatable:
                    text = f"{pyname(n)}=None"
                    self.todo.append(f"default of {n} not translated: {self.src(d)}")
                default = default or not dots
            (after if dots else before).append(text)
        params = before + (["*args"] if dots else []) + after + (["**kwargs"] if dots else [])
        self.functions.add(name)
        self.formals[name] = tuple(n or "_" for n, _ in fn.args)
        assert fn.right is not None
        body = fn.right.body if fn.right.kind == "block" else [fn.right]
        outer, loops, in_test = self.params, self._loops, self._in_test
        outer_defaults = self.defaults
        self.params = outer | {n for n, _ in fn.args if n and n != "..."}
        # the formals' defaults as R wrote them (match.arg(x): rmatcharg.py)
        self.defaults = {n: d for n, d in fn.args if n and d.kind != "empty"}
        self._loops, self._in_test = 0, False      # a return there leaves this def only
        try:
            return [f"def {pyname(name)}({', '.join(params)}):"] + _indent(
                lazy + self.block(body, depth + 1, fn=True))
        finally:
            self.params, self._loops, self._in_test = outer, loops, in_test
            self.defaults = outer_defaults

    def top(self, e: R, depth: int) -> str:
        """A simple statement; overridden by the asreml rules for fit bookkeeping."""
        raise NotImplementedError

    def dollar(self, e: R) -> str:
        raise NotImplementedError

    def call(self, e: R) -> str:
        raise NotImplementedError


def _has_variable(e: R) -> bool:
    """Whether the arguments of the call ``e`` read a variable (``substr(x, 1, 4)``: x may
    hold a vector, so paste() of it is element-wise, known when the script runs)."""
    for _, a in e.args:
        if a.kind == "name" and a.value not in _CONST or a.kind in ("dollar", "index"):
            return True
        if a.kind in ("call", "bin", "unary", "paren") and (
                _has_variable(a) if a.kind == "call" else any(
                    x is not None and (x.kind == "name" and x.value not in _CONST or
                                       x.kind in ("dollar", "index") or
                                       x.kind == "call" and _has_variable(x))
                    for x in (a.left, a.right))):
            return True
    return False


#: packages whose ``pkg::name`` values are data sets (``agridat::john.alpha``)
_DATA_PACKAGES = frozenset({"agridat", "agriTutorial", "asreml", "asremlPlus", "datasets",
                            "lme4", "MASS", "nlme", "dae", "statgenSTA", "statgenGxE",
                            "statgenHTP", "SpATS", "sommer", "biometryassist", "emmeans",
                            "desplot", "lattice", "faraway", "agricolae", "covardat"})
#: asreml's functions, values too (lapply(fits, asreml::wald)), never data sets
_ASREML_FUNCTIONS = frozenset({"asreml", "wald", "predict", "vpredict", "na.method",
                               "asreml.options", "ainverse", "update", "summary", "resid",
                               "fitted", "coef", "varioGram", "plot", "lrt", "infoCriteria"})


#: packages whose ``pkg::name`` values the translation reads as plain names
_VALUE_PACKAGES = _DATA_PACKAGES | {"base", "stats", "utils", "methods", "graphics",
                                    "grDevices", "asreml", "asremlPlus", "dae", "dplyr",
                                    "tidyr", "purrr", "magrittr", "data.table", "Matrix"}


def _pkg_dataset(e: R) -> bool:
    """A name written ``pkg::name`` (the parser keeps ``pkg`` as the node's first comment)
    of a package that ships data sets, not one of its functions."""
    pkg = pkg_of(e)
    return pkg in _DATA_PACKAGES and not (pkg == "asreml" and e.value in _ASREML_FUNCTIONS)


#: calls whose R value is always a vector, flattened by c() (c(rep(0, 7), 1))
_SEQS = ("rep", "seq", "seq_len", "seq_along")
_POSITIONAL = frozenset({"+", "-", "*", "/", "^", "%%", "%/%", "==", "!=", "<", ">", "<=",
                         ">="})


def _whole_literal(e: R) -> bool:
    """A whole number written as a literal (``3``, ``10L``, ``-2``)."""
    if e.kind == "unary" and e.value == "-" and e.right is not None:
        return _whole_literal(e.right)
    return e.kind == "num" and re.fullmatch(r"\d+L?", e.value) is not None


def _apply_mask(e: R, name: str) -> bool:
    """Whether ``e`` is ``sapply(name, f)``/``vapply``/``map_lgl`` (or ``!`` of one): a
    logical vector with one value per element of ``name``."""
    if e.kind == "unary" and e.value == "!" and e.right is not None:
        e = e.right
    return e.kind == "call" and e.value in ("sapply", "vapply", "map_lgl") and \
        bool(e.args) and e.args[0][0] in (None, "X", ".x") and \
        e.args[0][1].kind == "name" and e.args[0][1].value == name


def _vector_literal(e: R) -> bool:
    """A vector written out: ``c(a, b, ...)`` of two or more values, ``rep()``, ``seq()``."""
    return e.kind == "call" and (e.value == "c" and len(e.args) > 1 or
                                 e.value in ("rep", "seq"))


def _scalar_literal(e: R) -> bool:
    """A single constant: a number, a text, TRUE/FALSE/NA."""
    return e.kind in ("num", "str") or e.kind == "name" and e.value in (
        "TRUE", "FALSE", "T", "F", "NA", "NA_real_", "NA_integer_", "pi")


def _positional_pair(a: R, b: R) -> bool:
    """Whether ``a op b`` may pair two pandas objects that pandas would align by label: no
    literal operand and one a ``$`` or ``[`` value (a column, a row, a list element) or a
    ``diag()`` (a matrix's diagonal keeps its dimnames' names, rbase.r_diag)."""
    lit = ("num", "str")
    if a.kind in lit or b.kind in lit or any(
            x.kind == "name" and x.value in ("TRUE", "FALSE", "T", "F", "NA", "NULL")
            for x in (a, b)):
        return False
    return any(x.kind in ("dollar", "index") or x.kind == "call" and x.value == "diag"
               for x in (a, b))


def _column_mask(e: R) -> bool:
    """Whether ``e`` is a logical vector over names: ``grepl()``/``startsWith()``/
    ``endsWith()``, a comparison or ``%in%``, ``!`` of one, or ``&``/``|`` of those
    (``x[, grepl(a, n) & grepl(b, n)]`` selects columns)."""
    if e.kind == "paren" and e.right is not None:
        return _column_mask(e.right)
    if e.kind == "call":        # sapply(d, is.numeric): one TRUE/FALSE a column
        return e.value in ("grepl", "startsWith", "endsWith", "sapply", "vapply")
    if e.kind == "bin" and e.value in ("<", ">", "<=", ">=", "==", "!=", "%in%"):
        return True             # x[, colSums(is.na(x)) < nrow(x)], x[, !names(x) %in% v]
    if e.kind == "unary" and e.value == "!" and e.right is not None:
        return _column_mask(e.right)
    if e.kind == "bin" and e.value in ("&", "|") and e.left is not None and \
            e.right is not None:
        return _column_mask(e.left) and _column_mask(e.right)
    return False


def _positions(e: R) -> bool:
    """Whether an index is R positions: ``a:b``, ``c(1, 3)``, ``-1``, ``-(1:2)``."""
    if e.kind == "paren" and e.right is not None:
        return _positions(e.right)
    if e.kind == "bin" and e.value == ":":
        return True
    if e.kind == "call" and e.value == "c" and e.args:
        return all(n is None and (a.kind == "num" or _positions(a)) for n, a in e.args)
    if e.kind == "unary" and e.value == "-" and e.right is not None:
        # -k, -(1:2), -n of a variable n (a minus sign only makes sense on positions)
        return e.right.kind in ("num", "name") or _positions(e.right)
    return False


def _matrix_index(e: R | None) -> bool:
    """Whether ``e`` holds an ``x[i, j]`` subscript (two arguments)."""
    if e is None:
        return False
    if e.kind == "index" and e.value == "[" and len(e.args) == 2:
        return True
    return any(_matrix_index(x) for x in (e.left, e.right)) or any(
        _matrix_index(a) for _, a in e.args)


def _mentions(e: R | None, name: str) -> bool:
    """Whether the R expression ``e`` reads the variable ``name``."""
    if e is None:
        return False
    if e.kind == "name":
        return e.value == name
    if e.kind == "dollar":
        return _mentions(e.left, name)
    return any(_mentions(x, name) for x in (e.left, e.right)) or any(
        _mentions(a, name) for _, a in e.args)


def _match_rownames(e: R, frame: str, src: Callable[[R], str]) -> R | None:
    """``v`` of ``match(v, rownames(frame))`` (``frame`` the R source of the indexed
    object), else None."""
    if not (e.kind == "call" and e.value == "match" and len(e.args) == 2):
        return None
    (_, v), (_, rn) = e.args
    if rn.kind == "call" and rn.value in ("rownames", "row.names") and len(rn.args) == 1 and \
            src(rn.args[0][1]) == frame:
        return v
    return None


def _lazy_default(d: R) -> bool:
    """A default argument R evaluates only when the function runs: anything but a literal
    (number, string, TRUE/FALSE/NULL/NA, c() of literals, a formula)."""
    if d.kind in ("num", "str", "formula") or d.kind == "name" and d.value in _CONST:
        return False
    if d.kind == "unary" and d.right is not None:
        return _lazy_default(d.right)
    if d.kind == "call" and d.value in ("c", "list"):
        return any(_lazy_default(a) for _, a in d.args)
    return True


def _assigns(e: R | None) -> bool:
    """Whether R code ``e`` holds an assignment (``<-``, ``=`` as an operator, ``<<-``)."""
    if e is None:
        return False
    if e.kind == "bin" and e.value in ("<-", "<<-", "=", "->", "->>"):
        return True
    return any(_assigns(x) for x in (e.left, e.right, e.alt)) or \
        any(_assigns(a) for _, a in e.args) or any(_assigns(b) for b in e.body)


def _indent(lines: list[str]) -> list[str]:
    return [("    " + ln) if ln else ln for ln in "\n".join(lines).split("\n")]


def _paren(e: R, text: str) -> str:
    return f"({text})" if e.kind in ("bin", "unary") and not text.startswith("(") else text


def _partial(name: str, choices: tuple[str, ...]) -> str | None:
    """R's partial argument matching: ``h`` -> ``header`` when unique."""
    if name in choices:
        return name
    hits = [c for c in choices if c.startswith(name)]
    return hits[0] if len(set(hits)) == 1 else None


def _scalar_arith(e: R) -> bool:
    """``i + 1``, ``(k - 1) * 2``: arithmetic whose leaves are names and numbers only."""
    if e.kind == "paren" and e.right is not None:
        return _scalar_arith(e.right)
    if e.kind == "bin" and e.value in ("+", "-", "*", "%/%") and e.left is not None and \
            e.right is not None:
        return all(x.kind in ("name", "num") and x.value not in _CONST or _scalar_arith(x)
                   for x in (e.left, e.right))
    return False


def _bare_src(src: str) -> str:
    """R source without spaces and outer parentheses: ``(x^2)`` and ``x ^ 2`` are one
    expression (a paren pair is stripped only when it encloses the whole text)."""
    s = re.sub(r"\s+", "", src)
    while s.startswith("(") and s.endswith(")"):
        depth = 0
        for i, ch in enumerate(s):
            depth += ch == "("
            depth -= ch == ")"
            if depth == 0 and i < len(s) - 1:
                return s            # (a)+(b): the first pair closes before the end
        s = s[1:-1]
    return s


def _pipe(e: R) -> R:
    """``x |> f(a)`` / ``x %>% f(a)`` -> ``f(x, a)``; ``x %>% f`` -> ``f(x)``.

    magrittr's dot (``%>%`` only): a ``.`` given as an argument takes ``x`` instead of the
    first place; a ``.`` inside an argument (``f(n = nrow(.))``) is ``x`` too, ``x`` still
    coming first; any other right side that reads ``.`` (``.[i, j]``, ``.$a``, ``{...}``) is
    evaluated with ``.`` bound to ``x``. A ``.`` besides one whole argument is written
    ``(function(.) rhs)(x)``, so ``x`` is evaluated once."""
    assert e.left is not None and e.right is not None
    rhs = e.right
    magrittr = e.value == "%>%"
    if rhs.kind == "paren" and rhs.right is not None and rhs.right.kind == "function":
        return R("call", "", [(None, e.left)], left=rhs, start=e.start, end=e.end)
    if rhs.kind == "name":
        return R("call", rhs.value, [(None, e.left)], left=rhs, start=e.start, end=e.end)
    if rhs.kind == "call":
        dots = [i for i, (_, a) in enumerate(rhs.args) if a.kind == "name" and a.value in
                (".", "_")]
        args = list(rhs.args)
        # x %>% data.frame(.): magrittr evaluates data.frame(.), whose column R names "."
        # (a data frame piped in is spliced all the same)
        name = "." if rhs.value == "data.frame" else None
        inner = magrittr and (len(dots) > 1 or any(
            i not in dots and _reads_dot(a) for i, (_, a) in enumerate(args)))
        if inner:          # the dot elsewhere too: bind it once (magrittr evaluates x once)
            dot = R("name", ".", start=e.start, end=e.start)
            if dots:
                args[dots[0]] = (args[dots[0]][0] or name, dot)
            else:
                args = [(name, dot)] + args
            return _bind_dot(R("call", rhs.value, args, left=rhs.left, start=rhs.start,
                               end=rhs.end), e)
        if dots:
            args[dots[0]] = (args[dots[0]][0] or name, e.left)
        else:
            args = [(name, e.left)] + args
        return R("call", rhs.value, args, left=rhs.left, start=e.start, end=e.end)
    if magrittr and _reads_dot(rhs):
        return _bind_dot(rhs, e)     # x %>% .[i, j], x %>% .$a, x %>% { if (c) f(.) else . }
    raise Untranslatable("pipe into something other than a call")


def unpiped(s: R) -> R | None:
    """The statement ``s`` with the pipes of its value written as calls (``d <- d |>
    within(...)`` -> ``d <- within(d, ...)``: what R's parser makes of ``|>``; magrittr's
    ``%>%`` when its right side is a call that does not read ``.``); None when ``s`` has
    no such pipe."""
    if s.kind == "bin" and s.value in ("<-", "=", "<<-") and s.right is not None:
        right = unpiped(s.right)
        return None if right is None else dataclasses.replace(s, right=right)
    if not (s.kind == "bin" and s.value in ("|>", "%>%") and s.left is not None and
            s.right is not None and s.right.kind == "call"):
        return None
    if s.value == "%>%" and (_reads_dot(s.right) or any(
            a.kind == "name" and a.value == "." for _, a in s.right.args)):
        return None
    left = unpiped(s.left) or s.left
    call = _pipe(dataclasses.replace(s, left=left))
    return dataclasses.replace(call, comments=s.comments)


def _bind_dot(body: R, e: R) -> R:
    """``(function(.) body)(x)`` for the pipe ``e`` (``x %>% ...``)."""
    assert e.left is not None
    fn = R("function", "", [(".", R("empty"))], right=body, start=e.start, end=e.end)
    return R("call", "", [(None, e.left)], left=R("paren", right=fn, start=e.start,
                                                 end=e.end), start=e.start, end=e.end)


def _reads_dot(e: R | None) -> bool:
    """Whether ``e`` reads magrittr's ``.``: not inside a formula (its ``.`` is "all other
    columns"), a function that has its own ``.``, or the right side of another ``%>%``."""
    if e is None:
        return False
    if e.kind == "name":
        return e.value == "."
    if e.kind == "formula":
        return False
    if e.kind == "function":
        return not any(n == "." for n, _ in e.args) and _reads_dot(e.right)
    if e.kind == "bin" and e.value == "%>%":
        return _reads_dot(e.left)
    if e.kind == "dollar":
        return _reads_dot(e.left)
    return any(_reads_dot(a) for _, a in e.args) or _reads_dot(e.left) or \
        _reads_dot(e.right) or _reads_dot(e.alt) or any(_reads_dot(b) for b in e.body)


def _wrap(line: str, width: int = 100) -> str:
    """Break a long ``x = f(a, b, ...)`` line after the top-level commas of its outer call."""
    if len(line) <= width or "(" not in line or not line.endswith(")") or "#" in line:
        return line
    open_at = line.index("(")
    if open_at == 0 or not (line[open_at - 1].isalnum() or line[open_at - 1] in "_.]"):
        return line   # x = a + (b * c): a grouping parenthesis; a trailing comma makes a tuple
    depth, quote, pieces, last = 0, "", [], open_at + 1
    for i, ch in enumerate(line[open_at:], open_at):
        if quote:
            if ch == quote and line[i - 1] != "\\":
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0 and i != len(line) - 1:
                return line   # f(a)(b) or f(a).g(): leave it
        elif ch == "," and depth == 1:
            pieces.append(line[last:i].strip())
            last = i + 1
    pieces.append(line[last:-1].strip())
    indent = " " * 4
    return line[:open_at + 1] + "\n" + ",\n".join(indent + p for p in pieces) + ",\n)"


def _position_call(a: R) -> bool:
    """A call whose value is row positions: which.max(x), which(cond), match(v, x),
    grep(p, x), nrow(d), seq_len(n)."""
    return a.kind == "call" and a.value in ("which.max", "which.min", "which", "match", "grep",
                                            "nrow", "seq_len", "seq_along")


def _numeric_subscript(a: R) -> bool:
    """A subscript of literal positions: 2, -1, 2:4, c(1, 3), -c(1, 2) (not a name, which may
    hold names or a mask, handled where its value is known)."""
    if a.kind == "num":
        return True
    if a.kind == "unary" and a.value == "-" and a.right is not None:
        return _numeric_subscript(a.right)
    if a.kind == "bin" and a.value == ":" and a.left is not None and a.right is not None:
        return True
    if a.kind == "paren" and a.right is not None:
        return _numeric_subscript(a.right)
    return a.kind == "call" and a.value == "c" and bool(a.args) and all(
        n is None and _numeric_subscript(x) for n, x in a.args)


def _dt_by(s: R) -> list[str] | None:
    """The grouping columns of ``DT[i, a := e, by = g]`` (``by``/``keyby``: a name, text,
    ``c()``, ``.()``, ``list()`` of them); None without by. Another by: Untranslatable."""
    got = [a for n, a in s.args[2:] if n in ("by", "keyby")]
    if not got:
        return None
    e = got[0]
    if e.kind in ("name", "str"):
        return [e.value]
    if e.kind == "call" and e.value in (".", "list", "c") and e.args and all(
            n is None and a.kind in ("name", "str") for n, a in e.args):
        return [a.value for _, a in e.args]
    raise Untranslatable("DT[i, a := e, by = <an expression>]")


def _dt_sd_assignment(s: R) -> tuple[R, R, list[str] | None] | None:
    """(cols, f, by) of ``DT[i, (cols) := lapply(.SD, f), .SDcols = cols, by]``."""
    if s.kind != "index" or s.value != "[" or s.left is None or s.left.kind != "name" or \
            len(s.args) < 3 or s.args[0][0] is not None or s.args[1][0] is not None or \
            any(n not in (".SDcols", "by", "keyby") for n, _ in s.args[2:]):
        return None
    j = s.args[1][1]
    sdcols = [a for n, a in s.args[2:] if n == ".SDcols"]
    if not (j.kind == "bin" and j.value == ":=" and j.left is not None and
            j.left.kind == "paren" and j.right is not None and j.right.kind == "call" and
            j.right.value == "lapply" and len(j.right.args) == 2 and
            j.right.args[0][1].kind == "name" and j.right.args[0][1].value == ".SD" and
            len(sdcols) == 1 and j.left.right is not None):
        return None
    if j.left.right.kind != sdcols[0].kind or j.left.right.kind not in ("name", "str") or \
            j.left.right.value != sdcols[0].value:
        return None                              # (a) := lapply(.SD, f), .SDcols = b
    return sdcols[0], j.right.args[1][1], _dt_by(s)


def _dt_assignments(s: R) -> list[tuple[str, R]] | None:
    """The (column, expression) pairs of data.table's ``DT[i, a := e]``,
    ``DT[i, `:=`(a = e1, b = e2)]`` or ``DT[i, ':='(...)]`` (i empty: all rows; a ``by``
    after them: _dt_by); None otherwise."""
    if s.kind != "index" or s.value != "[" or s.left is None or s.left.kind != "name" or \
            len(s.args) < 2 or s.args[0][0] is not None or s.args[1][0] is not None or \
            any(n not in ("by", "keyby") for n, _ in s.args[2:]):
        return None
    j = s.args[1][1]
    if j.kind == "bin" and j.value == ":=" and j.left is not None and \
            j.left.kind in ("name", "str") and j.right is not None:
        return [(j.left.value, j.right)]
    if j.kind == "call" and j.left is not None and j.left.kind in ("str", "name") and \
            j.left.value == ":=" and j.args and all(n for n, _ in j.args):
        return [(n, a) for n, a in j.args if n]
    return None


def _summary_value(e: R) -> bool:
    """``summary(fit)$aic`` (``$bic``, ``$loglik``, ``$nedf``): one number (a float here),
    so its ``[1]`` is read by r_elt, not ``.iloc``."""
    return e.kind == "dollar" and e.value in ("aic", "bic", "loglik", "nedf") and \
        e.left is not None and e.left.kind == "call" and \
        e.left.value in ("summary", "summary.asreml")


def _keep_dims(e: R) -> list[R] | None:
    """The two subscripts of ``x[i, j, drop = FALSE]`` (``drop = F``); None otherwise."""
    if e.value != "[" or len(e.args) != 3 or [n for n, _ in e.args] != [None, None, "drop"]:
        return None
    flag = e.args[2][1]
    if flag.kind != "name" or flag.value not in ("FALSE", "F"):
        return None
    return [a for _, a in e.args[:2]]


def _constant(d: R) -> bool:
    """A default value that is a constant: a number, a string, TRUE/FALSE/NULL/NA, -k."""
    if d.kind in ("num", "str"):
        return True
    if d.kind == "name":
        return d.value in ("TRUE", "FALSE", "T", "F", "NULL", "NA")
    return d.kind == "unary" and d.value == "-" and d.right is not None and \
        d.right.kind == "num"


def _bang_sym(e: R) -> R | None:
    """``e`` (what ``!!`` applies to) with its leftmost operand ``sym(x)`` read as
    ``.data[[x]]``; None when that operand is no ``sym()``/``as.name()`` call."""
    import dataclasses

    if e.kind == "bin" and e.left is not None and e.value not in ("<-", "=", "|>", "%>%"):
        left = _bang_sym(e.left)
        return None if left is None else dataclasses.replace(e, left=left)
    if e.kind == "call" and e.value in ("sym", "rlang::sym", "as.name", "as.symbol",
                                        "ensym") and len(e.args) == 1 and e.args[0][0] is None:
        return R("index", "[[", [e.args[0]], left=R("name", ".data"), start=e.start,
                 end=e.end)
    return None
