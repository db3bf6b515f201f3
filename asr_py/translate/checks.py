"""What a translated script carries from R that is not a computation: testthat expectations
(the numbers a script says asreml gives) and placeholders for values translate could not
compute.

* ``expect_equal(object, expected, tolerance=)`` and friends (``expect_true``,
  ``expect_false``, ``expect_lt``/``lte``/``gt``/``gte``) compare like testthat and, like
  testthat inside ``test_that()``, never stop the script: each outcome is recorded
  (``agree``, ``differ``, ``unchecked`` when computing the values touched a placeholder, or
  ``error`` when computing it raised: testthat reports that and goes on); a difference or an
  error is printed where it happens. The translation passes values as ``lambda: value`` so
  they are computed here. :func:`report` (run at exit) prints the tally
  ``asr_py.translate expectations: A agree, D differ, U unchecked, E error``.
* :class:`Untranslated` is the value of an assignment translate could not translate
  (``x <- f(...)`` -> ``x = untranslated('f()', 'x')``): the script goes on, and any use of
  ``x`` yields another placeholder (attribute, call, index, arithmetic) or, where Python needs
  a real value (``if x``, ``len(x)``, iteration), raises :class:`~asr_py.errors.AsrError`.
  Uses are counted; at exit ``asr_py.translate untranslated values used: N`` is printed to
  stderr when N > 0, so a run that leaned on placeholders is never mistaken for a complete one.

Comparison (R's ``all.equal(object, expected)`` for numbers, as testthat's 2nd edition):
over the elements that differ, ``sum|x - y| / sum|x| < tolerance`` (absolute when
``mean|x|`` is not above the tolerance), default tolerance ``sqrt(machine eps)`` = 1.49e-8;
lengths must match; names are ignored; text compares exactly.
"""

from __future__ import annotations

import atexit
import os
import sys
import traceback
from collections import Counter
from typing import Any

import numpy as np

from asr_py.errors import AsrError

__all__ = ["Untranslated", "untranslated", "expect_equal", "expect_true", "expect_false",
           "expect_error", "r_test_that",
           "expect_lt", "expect_lte", "expect_gt", "expect_gte", "report", "OUTCOMES"]

#: tally of expectation outcomes in this process
OUTCOMES: Counter[str] = Counter()
_USES = [0]
#: uses per placeholder text (printed at exit when ASR_PY_UNTRANSLATED_DETAIL is set)
_BY_WHAT: Counter[str] = Counter()
#: what the placeholder used last stands for (named when an expectation is unchecked)
_LAST: list[str] = [""]
_TOL = float(np.sqrt(np.finfo(float).eps))


class UntranslatedValueError(AsrError):
    """Raised where the value of untranslated R code is needed (a condition, a number...):
    never handled as an R error (rtrycatch), since that would hide the missing code."""


class Untranslated:
    """A value R computed and the translation does not (see the module docstring)."""

    __slots__ = ("what", "name")

    def __init__(self, what: str, name: str = "") -> None:
        self.what = what
        self.name = name

    def _use(self) -> Untranslated:
        _USES[0] += 1
        _BY_WHAT[self.what] += 1
        _LAST[0] = self.what
        return self

    def __repr__(self) -> str:
        return f"<not translated: {self.what}>"

    def __getattr__(self, attr: str) -> Untranslated:
        if attr.startswith("_"):     # Python's protocols (pandas asks for _typ), not R's $
            raise AttributeError(attr)
        return self._use()

    def __getitem__(self, key: object) -> Untranslated:
        return self._use()

    def __setitem__(self, key: object, value: object) -> None:
        self._use()

    def __call__(self, *args: object, **kwargs: object) -> Untranslated:
        return self._use()

    def _needs_value(self, what: str) -> AsrError:
        _USES[0] += 1
        _BY_WHAT[self.what] += 1
        _LAST[0] = self.what
        return UntranslatedValueError(
            f"{self.name or 'a value'} holds the result of R code that was not "
            f"translated ({self.what}); {what} needs its real value",
            hint="translate that statement by hand (see its TODO(asr_py) line)")

    def __bool__(self) -> bool:
        raise self._needs_value("a condition")

    def __len__(self) -> int:
        raise self._needs_value("len()")

    def __iter__(self):  # type: ignore[no-untyped-def]
        raise self._needs_value("iteration")

    def __float__(self) -> float:
        raise self._needs_value("a number")

    def __int__(self) -> int:
        raise self._needs_value("a number")

    def __index__(self) -> int:
        raise self._needs_value("an index")

    def __array__(self, dtype: object = None, copy: object = None) -> np.ndarray:
        # numpy would otherwise report "setting an array element with a sequence"
        raise self._needs_value("an array")

    def _op(self, *other: object) -> Untranslated:
        return self._use()

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _op
    __truediv__ = __rtruediv__ = __pow__ = __rpow__ = __matmul__ = __rmatmul__ = _op
    __neg__ = __pos__ = __abs__ = __invert__ = __and__ = __rand__ = __or__ = __ror__ = _op
    __lt__ = __le__ = __gt__ = __ge__ = _op
    __mod__ = __rmod__ = __floordiv__ = __rfloordiv__ = _op

    def __eq__(self, other: object) -> Untranslated:  # type: ignore[override]
        return self._use()

    def __ne__(self, other: object) -> Untranslated:  # type: ignore[override]
        return self._use()

    __hash__ = object.__hash__


def untranslated(what: str, name: str = "") -> Untranslated:
    """The placeholder a translated script assigns where R code was not translated."""
    return Untranslated(what, name)


def _depends_on_untranslated(x: Any) -> bool:
    if isinstance(x, Untranslated):
        return True
    if isinstance(x, (list, tuple)):
        return any(_depends_on_untranslated(v) for v in x)
    if isinstance(x, np.ndarray) and x.dtype == object:
        return any(isinstance(v, Untranslated) for v in x.ravel())
    return False


def _lazy(x: Any) -> Any:
    """The value of an expectation argument the translation passed as ``lambda: value``."""
    if callable(x) and getattr(x, "__name__", "") == "<lambda>":
        return x()
    return x


def _guard(name: str, *args: Any, r_line: int | None = None) -> tuple[list[Any] | None, str]:
    """The arguments' values, or None with the outcome: ``unchecked`` when one depends on
    untranslated code, ``error`` when computing it raised (testthat reports an error and
    goes on with the file)."""
    before = _USES[0]
    try:
        vals = [_lazy(a) for a in args]
    except AsrError as exc:
        if "not translated" in str(exc):
            return None, _unchecked(name, r_line)
        print(f"asr_py.translate expectation error: {_where(r_line)}{name}: {exc}")
        return None, "error"
    except Exception as exc:  # noqa: BLE001 - testthat records an error and continues
        print(f"asr_py.translate expectation error: {_where(r_line)}{name}: "
              f"{type(exc).__name__}: {exc}")
        return None, "error"
    if _USES[0] > before or any(_depends_on_untranslated(v) for v in vals):
        # a placeholder was touched: pd.isna(it) is no R value
        return None, _unchecked(name, r_line)
    return vals, ""


def _unchecked(name: str, r_line: int | None) -> str:
    """Say which untranslated code an unchecked expectation's value depends on."""
    print(f"asr_py.translate expectation unchecked: {_where(r_line)}{name} uses the value "
          f"of untranslated code ({_LAST[0]})")
    return "unchecked"


def _where(r_line: int | None) -> str:
    return f"R line {r_line}: " if r_line else ""


def _record(outcome: str, what: str, detail: str = "", r_line: int | None = None) -> bool:
    OUTCOMES[outcome] += 1
    if outcome == "differ":
        print(f"asr_py.translate expectation differs: {_where(r_line)}{what}"
              f"{': ' + detail if detail else ''}")
    return outcome == "agree"


def _values(x: Any) -> np.ndarray:
    """A flat array of the values of a scalar, list, array, Series or DataFrame."""
    if hasattr(x, "to_numpy"):
        x = x.to_numpy()
    return np.asarray(x).ravel()


def _mean_rel_diff(obj: np.ndarray, exp: np.ndarray, tol: float) -> float:
    """R's ``all.equal(object, expected)`` (testthat 2e): over the elements that differ (NA
    pairs dropped), ``sum|object - expected| / sum|object|``; absolute when
    ``mean|object|`` is not above the tolerance. A NA on one side only is a difference."""
    a, b = obj.astype(float), exp.astype(float)
    if np.any(np.isnan(a) != np.isnan(b)):
        return float("inf")
    keep = ~np.isnan(a) & (a != b)
    a, b = a[keep], b[keep]
    if a.size == 0:
        return 0.0
    diff = float(np.mean(np.abs(a - b)))
    scale = float(np.mean(np.abs(a)))
    return diff / scale if np.isfinite(scale) and scale > tol else diff


def expect_equal(object: Any, expected: Any, tolerance: float | None = None,
                 r_line: int | None = None, **_: Any) -> bool:
    """testthat's ``expect_equal``: recorded, never raising (see the module docstring).
    ``r_line``: the expectation's line in the R code, printed with a difference."""
    tol = _TOL if tolerance is None else float(tolerance)
    vals, outcome = _guard("expect_equal", object, expected, r_line=r_line)
    if vals is None:
        return _record(outcome, "expect_equal", r_line=r_line)
    object, expected = vals
    try:
        a, b = _values(object), _values(expected)
    except Exception as exc:  # noqa: BLE001 - an object that is not a vector
        return _record("unchecked", f"expect_equal ({type(exc).__name__})", r_line=r_line)
    if a.size != b.size:
        return _record("differ", "expect_equal", f"length {a.size}, R says {b.size}",
                       r_line)
    num = all(x.dtype.kind in "biuf" for x in (a, b))
    if not num:
        same = [_text(x) for x in a] == [_text(x) for x in b]
        return _record("agree" if same else "differ", "expect_equal",
                       "" if same else f"{a.tolist()[:5]} vs R {b.tolist()[:5]}", r_line)
    d = _mean_rel_diff(a, b, tol)
    if d <= tol:
        return _record("agree", "expect_equal", r_line=r_line)
    return _record("differ", "expect_equal",
                   f"mean relative difference {d:.3g} (tolerance {tol:.3g}); "
                   f"{_first_differences(a, b, tol)}", r_line)


def _text(x: Any) -> str:
    """A value's text for comparison; a formula's (text starting with ``~``) as R compares
    formulae, by their parsed form: spaces and the kind of quotes do not count."""
    t = str(x)
    if t.lstrip().startswith("~"):
        return "".join(t.split()).replace("'", '"')
    return t


def _first_differences(a: np.ndarray, b: np.ndarray, tol: float, n: int = 4) -> str:
    """``got .. R says ..`` at the first ``n`` elements that differ by more than ``tol``
    (relative), with their positions (1-based, as R) when not all are shown."""
    x, y = a.astype(float), b.astype(float)
    with np.errstate(invalid="ignore"):
        off = ~((np.isnan(x) & np.isnan(y)) | (np.abs(x - y) <= tol * np.abs(y)))
    at = np.flatnonzero(off)[:n] if x.size > n else np.arange(x.size)
    pos = "" if x.size <= n else f" at [{', '.join(str(i + 1) for i in at)}] of {x.size}"
    return f"got {x[at]}, R says {y[at]}{pos}"


def _truth(x: Any, want: bool, name: str, r_line: int | None = None) -> bool:
    vals, outcome = _guard(name, x, r_line=r_line)
    if vals is None:
        return _record(outcome, name, r_line=r_line)
    x = vals[0]
    try:
        v = _values(x)
        # text is never TRUE/FALSE (expect_true(all.equal(a, b)) fails on its message)
        ok = v.size > 0 and not any(isinstance(e, str) for e in v) and \
            bool(np.all(v.astype(bool) == want))
    except Exception as exc:  # noqa: BLE001
        return _record("unchecked", f"{name} ({type(exc).__name__})", r_line=r_line)
    return _record("agree" if ok else "differ", name,
                   "" if ok else f"got {v[:6]}", r_line)


def expect_true(object: Any, r_line: int | None = None, **_: Any) -> bool:
    """testthat's ``expect_true`` (recorded)."""
    return _truth(object, True, "expect_true", r_line)


def expect_false(object: Any, r_line: int | None = None, **_: Any) -> bool:
    """testthat's ``expect_false`` (recorded)."""
    return _truth(object, False, "expect_false", r_line)


def expect_error(object: Any, *_: Any, r_line: int | None = None, **__: Any) -> bool:
    """testthat's ``expect_error(expr)`` (recorded): agree when computing ``expr`` raises,
    differ when it does not, unchecked when it touched an untranslated value. The message
    (``regexp``) is not compared: asr_py's messages are not asreml's."""
    uses = _USES[0]
    try:
        value = object() if callable(object) else object
    except Exception:  # noqa: BLE001 - the error testthat expects
        if _USES[0] > uses:
            return _record(_unchecked("expect_error", r_line), "expect_error", r_line=r_line)
        return _record("agree", "expect_error", r_line=r_line)
    if _USES[0] > uses or isinstance(value, Untranslated):
        return _record(_unchecked("expect_error", r_line), "expect_error", r_line=r_line)
    return _record("differ", "expect_error", "no error was raised", r_line)


def _compare(object: Any, expected: Any, op: str, r_line: int | None = None) -> bool:
    vals, outcome = _guard(f"expect {op}", object, expected, r_line=r_line)
    if vals is None:
        return _record(outcome, f"expect {op}", r_line=r_line)
    object, expected = vals
    try:
        a, b = _values(object).astype(float), _values(expected).astype(float)
        ok = bool(np.all({"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]))
    except Exception as exc:  # noqa: BLE001
        return _record("unchecked", f"expect {op} ({type(exc).__name__})", r_line=r_line)
    return _record("agree" if ok else "differ", f"expect {op}", f"{a[:4]} {op} {b[:4]}",
                   r_line)


def expect_lt(object: Any, expected: Any, r_line: int | None = None, **_: Any) -> bool:
    """testthat's ``expect_lt`` (recorded)."""
    return _compare(object, expected, "<", r_line)


def expect_lte(object: Any, expected: Any, r_line: int | None = None, **_: Any) -> bool:
    """testthat's ``expect_lte`` (recorded)."""
    return _compare(object, expected, "<=", r_line)


def expect_gt(object: Any, expected: Any, r_line: int | None = None, **_: Any) -> bool:
    """testthat's ``expect_gt`` (recorded)."""
    return _compare(object, expected, ">", r_line)


def expect_gte(object: Any, expected: Any, r_line: int | None = None, **_: Any) -> bool:
    """testthat's ``expect_gte`` (recorded)."""
    return _compare(object, expected, ">=", r_line)


#: the first line of each error a test_that() block stopped on
_BLOCK_ERRORS: list[str] = []


def r_test_that(block: Any, name: str = "") -> None:
    """testthat's ``test_that(name, { ... })``: run the block; an error in it ends the block,
    is reported (with its traceback) and the script goes on with the next statement, as
    testthat goes on with the file. The script still ends with exit status 1 and that
    error's line (:func:`report`), so a run with one is never counted as complete. Needing
    the value of untranslated code is no R error: it stops the script at once."""
    try:
        block()
    except UntranslatedValueError:
        raise
    except Exception as exc:  # noqa: BLE001 - testthat reports the error and goes on
        first = (str(exc).splitlines() or [""])[0]
        line = f"{type(exc).__module__}.{type(exc).__qualname__}: {first}".removeprefix(
            "builtins.")
        print(f"asr_py.translate test_that error: {name}: {line}")
        traceback.print_exc()
        _BLOCK_ERRORS.append(line)


def report() -> None:
    """Print the tallies (run at exit of a translated script that imports this module);
    after a test_that() block's error, end with exit status 1 and its line."""
    if OUTCOMES:
        print(f"asr_py.translate expectations: {OUTCOMES['agree']} agree, "
              f"{OUTCOMES['differ']} differ, {OUTCOMES['unchecked']} unchecked, "
              f"{OUTCOMES['error']} error")
    if _USES[0]:
        print(f"asr_py.translate untranslated values used: {_USES[0]}", file=sys.stderr)
        if os.environ.get("ASR_PY_UNTRANSLATED_DETAIL"):
            for what, n in _BY_WHAT.most_common():
                print(f"asr_py.translate untranslated: {n} x {what}", file=sys.stderr)
    if _BLOCK_ERRORS:
        sys.stdout.flush()
        print(_BLOCK_ERRORS[0], file=sys.stderr)
        sys.stderr.flush()
        os._exit(1)


atexit.register(report)
