"""R assignments used as values inside a statement: ``print(h2 <- va / vp)``,
``if ((n <- nrow(d)) > 0) ...``, ``z <- head(w <- f(x))``.

R semantics (R Language Definition 3.4 and 4.3.3): ``x <- value`` is an expression whose
value is ``value`` (invisibly); the binding is made when the expression is evaluated. The
arguments of a call are promises, forced when the function needs them: for the ordinary
functions that force their arguments, ``f(x <- e)`` binds ``x`` and then calls ``f`` with
``e``'s value, which is ``x``. So such a statement is the same as ``x <- e`` followed by the
statement with ``x`` in place of the assignment, provided nothing with a side effect is
evaluated before the assignment in R's left-to-right order (moving it first changes nothing
then) and the assignment is evaluated unconditionally.

Not rewritten (the statement stays a TODO, never a silently different result): an
assignment evaluated only sometimes or lazily (right of ``&&``/``||``, inside ``if``,
``ifelse()``, ``switch()``, ``try()``/``tryCatch()``, testthat's ``expect_*()``,
``system.time()``, ``quote()``, data-masking verbs such as ``mutate()``, ``with()``, an
argument of a function the script defines (forced only if its body uses it), a function's
body or default, a formula, index arguments: ``DT[, x <- ...]``), an assignment
preceded by a call (its side effects would move after it), and a ``while`` condition
(evaluated again on each pass). An assignment to a part (``x$a <- v``, ``x[i, ]$a <- v``)
has the value ``v``, not ``x``: ``v`` is held in a temporary, assigned, and the temporary
used in its place.
"""
from __future__ import annotations

import dataclasses
import re

from asr_py.translate.parser import R

__all__ = ["has_inner_assignment", "split_inner_assignments"]

#: calls that evaluate an argument lazily, conditionally, repeatedly, in a data mask or not
#: at all: an assignment inside one is never moved out
_LAZY = frozenset({
    "try", "tryCatch", "withCallingHandlers", "suppressWarnings", "suppressMessages",
    "system.time", "quote", "bquote", "substitute", "expression", "deparse", "eval", "evalq",
    "local", "with", "within", "transform", "subset", "switch", "ifelse", "if_else",
    "replicate", "on.exit", "missing", "capture.output", "Recall",
    "mutate", "summarise", "summarize", "transmute", "filter", "arrange", "group_by",
    "select", "rename", "do", "by", "aggregate", "test_that", "local_edition", "sink",
    "microbenchmark", "mark", "delayedAssign", "makeActiveBinding", "future", "foreach",
    "parLapply", "mclapply",
})
_LAZY_PREFIX = re.compile(r"^(?:\w+::)?(?:expect_|test_|capture_|with_|local_)")
_ASSIGN = ("<-", "=", "<<-")


def _lazy(fun: str) -> bool:
    return fun in _LAZY or fun.split("::")[-1] in _LAZY or bool(_LAZY_PREFIX.match(fun))


def _children(e: R) -> list[R]:
    kids = [e.left, e.right, *(a for _, a in e.args), e.alt, *e.body]
    return [k for k in kids if k is not None]


def _contains_assignment(e: R) -> bool:
    """Whether evaluating ``e`` may run an assignment (function literals and formulas are
    not evaluated: theirs do not count)."""
    if e.kind in ("function", "formula"):
        return False
    if e.kind == "call" and e.left is not None and e.left.kind == "name":
        return any(_contains_assignment(a) for _, a in e.args)
    if e.kind == "bin" and e.value in _ASSIGN:
        return True
    return any(_contains_assignment(k) for k in _children(e))


def has_inner_assignment(e: R | None) -> bool:
    """Whether the expression ``e`` (not a statement ``x <- e``) contains an assignment."""
    return e is not None and _contains_assignment(e)


class _Hoister:
    """Walks an expression in R's evaluation order, taking out the assignments that may
    run first; ``failed`` when one may not. ``unknown``: functions whose forcing of their
    arguments is not known (the script's own: R forces an argument only when the body
    uses it)."""

    def __init__(self, unknown: frozenset[str] | set[str]) -> None:
        self.unknown = unknown
        self.taken: list[R] = []
        self.pure = True        # nothing with a side effect evaluated so far
        self.failed = False
        self.temps = 0          # temporaries holding the values of x$a <- v, x[i] <- v

    def walk(self, e: R) -> R:
        if self.failed:
            return e
        k = e.kind
        if k in ("name", "num", "str", "empty", "comment", "blank", "function", "formula"):
            return e
        if k == "bin" and e.value in _ASSIGN:
            if e.value == "<<-" or e.left is None or e.right is None or not self.pure or \
                    _contains_assignment(e.left):
                self.failed = True
                return e
            if e.left.kind == "name":
                self.taken.append(e)   # its value is then the variable: the same value
                return R("name", e.left.value, start=e.start, end=e.end)
            # x$a <- v, x[i] <- v: the value is v (not x): held in a temporary first
            self.temps += 1
            tmp = R("name", f".asr_val{self.temps}", start=e.start, end=e.end)
            self.taken.append(dataclasses.replace(e, left=tmp))
            self.taken.append(dataclasses.replace(e, right=tmp))
            return tmp
        if k == "bin" and e.value in ("&&", "||"):
            left = self.walk(e.left) if e.left is not None else None
            if e.right is not None and _contains_assignment(e.right):
                self.failed = True       # evaluated only when the left side says so
            return dataclasses.replace(e, left=left)
        if k in ("bin", "unary", "paren", "dollar"):
            left = self.walk(e.left) if e.left is not None else None
            right = self.walk(e.right) if e.right is not None and k != "dollar" else e.right
            return dataclasses.replace(e, left=left, right=right)
        if k == "index":
            left = self.walk(e.left) if e.left is not None else None
            if any(_contains_assignment(a) for _, a in e.args):
                self.failed = True       # DT[, x <- ...] evaluates among DT's columns
            return dataclasses.replace(e, left=left)
        if k == "call":
            fun = e.value
            if not fun or _lazy(fun) or fun in self.unknown or \
                    e.left is not None and e.left.kind != "name":
                if _contains_assignment(e):
                    self.failed = True
                self.pure = False
                return e
            args = [(n, self.walk(a)) for n, a in e.args]
            self.pure = False            # the call itself may have side effects
            return dataclasses.replace(e, args=args)
        # if, for, while, repeat, block, bad: evaluated conditionally or as a whole
        if _contains_assignment(e):
            self.failed = True
        self.pure = False
        return e


def split_inner_assignments(s: R, unknown: frozenset[str] | set[str] = frozenset()
                            ) -> list[R] | None:
    """The statement ``s`` as the assignments inside it, moved before it, then ``s`` with
    each replaced by its variable; None when ``s`` holds none or one may not be moved
    (also when it is an argument of a function in ``unknown``, e.g. the script's own)."""
    if s.kind == "bin" and s.value in ("<-", "=") and s.right is not None:
        expr, rebuild = s.right, (lambda x: dataclasses.replace(s, right=x))
    elif s.kind == "if" and s.left is not None:
        expr, rebuild = s.left, (lambda x: dataclasses.replace(s, left=x))
    elif s.kind in ("call", "bin", "unary", "index", "dollar"):
        expr, rebuild = s, (lambda x: x)
    else:
        return None
    if not _contains_assignment(expr):
        return None
    h = _Hoister(unknown)
    rest = h.walk(expr)
    if h.failed or not h.taken:
        return None
    return [*h.taken, rebuild(rest)]
