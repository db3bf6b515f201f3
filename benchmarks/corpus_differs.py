"""Which testthat expectations of the corpus differ, and why (issue 14, "their fits agree").

A translated script prints one line per differing expectation
(``asr_py.translate expectation differs: R line N: expect_equal: ...``, from
asr_py.translate.checks). :func:`differs_of` turns those lines into :class:`Differ` rows with
the R expression read from the script and a category:

* **F** a number of a fit (loglik, variance parameter, fixed/random effect, prediction, SE,
  Wald/F, LSD, AIC/BIC, df) differs from asreml's;
* **L** object layout: attributes, names, dimensions, lengths, classes, text;
* **V** the expectation was written for an older asremlPlus/asreml and the committed
  asremlPlus 4 fails it too (verified by reading its source);
* **T** the translation computes something else than the R does;
* **?** not classified yet.

A category is assigned by hand in ``translate_corpus_differs.csv`` (script, R line,
category, reason: each one read and verified) or, failing that, guessed from the expression
and the message (marked ``auto``). ``translate_corpus.py --differ-report FILE`` writes the
table; the summary prints the totals per category.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

MANUAL = Path(__file__).with_name("translate_corpus_differs.csv")
CATEGORIES = ("F", "L", "V", "T", "?")

_LINE = re.compile(r"^(?:R line (\d+): )?(expect[ _][\w<>=]+)(?:: (.*))?$")
#: expressions reading the layout of an object, not a number of a fit
_LAYOUT = re.compile(r"\b(?:names|rownames|colnames|dimnames|dim|nrow|ncol|NROW|NCOL|length|"
                     r"class|attr|attributes|levels|nlevels|is\.null|inherits|is\.na|"
                     r"is\.factor|is\.numeric|is\.character|all\.equal|identical|setequal|"
                     r"as\.character|rownames|labels|terms)\s*\(")
#: expressions reading a number of a fit
_FIT = re.compile(r"loglik|vparameters|varcomp|gammas|components|predict|pvals|standard\.?"
                  r"error|\bSE\b|LSD|[Ww]ald|F\.inc|F\.con|denDF|DenDF|AIC|BIC|coefficients|"
                  r"coef|\bdf\b|REMLRT|p\.?value|Pr|sed|vcov|estimateV|\bV\b|sigma|"
                  r"upper\.|lower\.|test\.summary|chi|ratio|sumsq|varcomp|vpc|h2|heritab",
                  re.I)


@dataclass
class Differ:
    """One differing expectation."""
    script: str
    line: int
    kind: str
    expr: str
    detail: str
    category: str = "?"
    reason: str = ""
    auto: bool = True


def r_expression(r_code: str, line: int) -> str:
    """The R statement starting at ``line`` (1-based), up to its closing parenthesis, on
    one line."""
    lines = r_code.splitlines()
    if not 0 < line <= len(lines):
        return ""
    out, depth = [], 0
    for text in lines[line - 1:line + 40]:
        code = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', '""', text).split("#")[0]
        out.append(text.strip())
        depth += code.count("(") - code.count(")")
        if depth <= 0:
            break
    return " ".join(out)


def load_manual(path: Path = MANUAL) -> dict[tuple[str, int], tuple[str, str]]:
    """The hand-made categories: (script, R line) -> (category, reason)."""
    if not path.exists():
        return {}
    with path.open(newline="") as fh:
        return {(r["script"], int(r["line"])): (r["category"], r["reason"])
                for r in csv.DictReader(fh)}


def guess(kind: str, expr: str, detail: str) -> tuple[str, str]:
    """A category from the expression and the message alone (see the module docstring)."""
    if detail.startswith("length "):
        return "L", "a different number of values"
    if " vs R " in detail:
        return "L", "text differs"
    body = expr.split("(", 1)[1] if "(" in expr else expr
    if _LAYOUT.search(body):
        return "L", "reads names/dimensions/classes"
    if kind == "expect_error":
        return "?", "asreml stops, asr_py does not"
    if _FIT.search(body):
        return "F", "reads a number of a fit"
    return "?", ""


def differs_of(script: str, lines: list[str], r_code: str,
               manual: dict[tuple[str, int], tuple[str, str]] | None = None) -> list[Differ]:
    """The :class:`Differ` rows of one script's printed differences."""
    manual = load_manual() if manual is None else manual
    out = []
    for text in lines:
        m = _LINE.match(text)
        if not m:
            out.append(Differ(script, 0, "", "", text))
            continue
        line = int(m.group(1) or 0)
        kind, detail = m.group(2), m.group(3) or ""
        d = Differ(script, line, kind, r_expression(r_code, line) if line else "", detail)
        if (script, line) in manual:
            d.category, d.reason = manual[(script, line)]
            d.auto = False
        else:
            d.category, d.reason = guess(kind, d.expr, detail)
        out.append(d)
    return out


def totals(rows: list[Differ]) -> Counter[str]:
    return Counter(r.category for r in rows)


def write_report(rows: list[Differ], path: Path) -> None:
    """A tab-separated table, one differing expectation a row."""
    with path.open("w", newline="") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n")
        w.writerow(["script", "line", "category", "how", "reason", "kind", "expression",
                    "ours vs asreml"])
        for r in sorted(rows, key=lambda r: (r.script, r.line)):
            w.writerow([r.script, r.line, r.category, "auto" if r.auto else "read",
                        r.reason, r.kind, r.expr[:300], r.detail[:300]])
