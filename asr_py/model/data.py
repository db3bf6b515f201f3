"""Reading variables out of the user's DataFrame: columns, factors, covariates, expressions.

R's rules: category/object/string/bool columns are factors, numeric columns are covariates;
``fac(x)``/``factor(x)``/``as.factor(x)`` or ``factors=[...]`` make numbers factors. Factor levels
are the category order for categorical columns, else sorted (numerically for numbers, text in
R's collation: 'a' < 'A' < 'b' < 'B', :mod:`asr_py.model.collate`).
The DataFrame is never modified.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from asr_py.errors import DataError, FormulaError
from asr_py.formula.ast import BinOp, Call, Expr, Name, Number, Paren, UnaryOp
from asr_py.model.collate import collate_sorted

_MATH = {
    "log": np.log,
    "log10": np.log10,
    "log2": np.log2,
    "exp": np.exp,
    "sqrt": np.sqrt,
    "abs": np.abs,
    "as.numeric": lambda x: x,
    "as.double": lambda x: x,
    "I": lambda x: x,
}


@dataclass(frozen=True)
class Factor:
    """A factor over records: integer codes (−1 = missing) and level labels."""

    codes: np.ndarray
    levels: tuple[str, ...]

    @property
    def n_levels(self) -> int:
        return len(self.levels)


def is_factor_column(s: pd.Series) -> bool:
    """True if a column is a factor by R's rules (not numeric, or boolean)."""
    return not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)


def column(data: pd.DataFrame, name: str, where: Expr | None = None, text: str = "",
           formula: str | None = None) -> pd.Series:
    """The column ``name`` of ``data`` or a DataError naming close matches."""
    if name in data.columns:
        return data[name]
    cols = [str(c) for c in data.columns]
    close = [c for c in cols if c.lower() == name.lower()] or difflib.get_close_matches(
        name, cols, n=3, cutoff=0.6)  # 'Y' for 'y': one letter, no difflib ratio
    hint = f"did you mean {', '.join(repr(c) for c in close)}?" if close else (
        "columns are: " + ", ".join(map(str, list(data.columns)[:12]))
        + (" ..." if data.shape[1] > 12 else ""))
    if name == "mv":  # asreml 3's reserved missing-value term
        hint = ("mv is asreml 3's missing-value term: drop it, asr_py estimates missing "
                "responses without it (na_action={'y': 'include'}, the default)")
    if where is not None and where.span is not None and text:
        raise FormulaError.at(f"column '{name}' is not in the data", where.span, text=text,
                              formula=formula, hint=hint)
    raise DataError(f"column '{name}' is not in the data", hint=hint)


def level_labels(values: pd.Series) -> tuple[str, ...]:
    """Level order of a column: categories in their order; numbers, and text columns whose
    values are all numbers ("1", "2", ..., "10"), in numeric order (so ``ar1(Row)`` on a
    text-coded Row runs 1, 2, ..., 10, not 1, 10, 2 as R's text sort would); other text
    in R's collation order (:func:`~asr_py.model.collate.collate_key`: case and accents
    second, so 'a' < 'B' < 'b', as R's ``factor()`` in an en_US locale)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        # the categories in use, as text: Categorical.astype(str) casts the categories and
        # takes them at the codes, so this is set(values.dropna().astype(str)) without a
        # string per record
        cat = values.array
        labels = [str(c) for c in cat.categories.tolist()]
        text = labels if isinstance(cat.categories.dtype, pd.StringDtype) else \
            cat.categories.astype(str).tolist()
        used = np.zeros(len(labels), dtype=bool)
        used[cat.codes[cat.codes >= 0]] = True
        present = {text[i] for i in np.flatnonzero(used)}
        return tuple(lab for lab in labels if lab in present)
    s = values.dropna()
    uniq = pd.unique(s)
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        uniq = np.sort(uniq.astype(float))
        return tuple(_num_label(v) for v in uniq)
    if pd.api.types.is_bool_dtype(s):
        return tuple(str(v).upper() for v in sorted(uniq))
    # the labels the records are coded with (:func:`_unique_labels`): str() of pd.unique's
    # values can differ from them (datetime64: numpy's '2020-01-02T00:00:00.000000' vs the
    # records' '2020-01-02 00:00:00'), which left every record without a level
    labels = list(dict.fromkeys(lab for lab in _unique_labels(s)[1] if lab is not None))
    nums = pd.to_numeric(pd.Series(labels, dtype=object), errors="coerce").to_numpy(float)
    if labels and np.all(np.isfinite(nums)):
        order = np.lexsort((np.array(labels, dtype=object), nums))
        return tuple(labels[i] for i in order)
    return tuple(collate_sorted(labels))


def _num_label(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def _unique_labels(values: pd.Series) -> tuple[np.ndarray, list[str | None]]:
    """(codes, labels): the label of record i is ``labels[codes[i]]``, None (missing) where
    ``codes[i] == -1``. Labels are made once per distinct value (the per-record rules of
    :func:`as_labels`); an object column that is not all text is labelled record by record
    (values that compare equal, such as 1 and 1.0, may print differently)."""
    s = values
    if pd.api.types.is_bool_dtype(s):
        codes, uniq = pd.factorize(s, use_na_sentinel=False)  # NA prints as "<NA>"
        return codes, [str(v).upper() for v in uniq]
    if pd.api.types.is_numeric_dtype(s):
        codes, uniq = pd.factorize(s)
        return codes, [_num_label(v) for v in uniq]
    if s.dtype == object and pd.api.types.infer_dtype(s, skipna=True) not in ("string", "empty"):
        lab = np.array([None if pd.isna(v) else str(v) for v in s], dtype=object)
        codes, uniq = pd.factorize(lab)
        return codes, list(uniq)
    if isinstance(s.dtype, pd.CategoricalDtype):  # its codes already: −1 where missing
        return np.asarray(s.array.codes), [str(v) for v in s.array.categories.tolist()]
    codes, uniq = pd.factorize(s)
    return codes, [str(v) for v in uniq]


def as_labels(values: pd.Series) -> np.ndarray:
    """Column values as label strings (object array), NaN kept as None."""
    codes, labels = _unique_labels(values)
    return np.array([*labels, None], dtype=object)[codes]


def make_factor(values: pd.Series, levels: tuple[str, ...] | None = None) -> Factor:
    """Integer-code a column (levels from :func:`level_labels` unless given)."""
    if levels is None:
        levels = level_labels(values)
    codes, labels = _unique_labels(values)
    index = {lv: i for i, lv in enumerate(levels)}
    to_level = np.array([index.get(v, -1) if v is not None else -1 for v in labels] + [-1],
                        dtype=np.int64)
    return Factor(to_level[codes], tuple(levels))


def _bad_entries(s: pd.Series, conv: pd.Series) -> pd.Series:
    """The present entries of ``s`` that are not numbers."""
    return s[conv.isna().to_numpy() & s.notna().to_numpy()]


def _not_numeric_message(name: str, s: pd.Series, conv: pd.Series) -> str:
    """What is wrong: the column, its non-numeric entries (first few) and their rows."""
    bad = _bad_entries(s, conv)
    shown = ", ".join(f"{v!r} (row {i})" for i, v in list(bad.items())[:3])
    more = f" and {len(bad) - 3} more" if len(bad) > 3 else ""
    return (f"column '{name}' is not numeric (dtype {s.dtype}): {len(bad)} of {s.notna().sum()} "
            f"entries are not numbers: {shown}{more}")


def _not_numeric_hint(s: pd.Series, conv: pd.Series) -> str:
    """How to fix it: missing-value codes read as text, or a factor used as a number."""
    codes = sorted({str(v).strip() for v in _bad_entries(s, conv)})
    if len(codes) <= 3 and all(len(c) <= 3 and not c.isalnum() or c.upper() in
                               ("NA", "N/A", "NAN", "NULL", "MISSING", "") for c in codes):
        lst = ", ".join(repr(c) for c in codes)
        return (f"{lst} looks like a missing-value code: read the file with "
                f"pd.read_csv(..., na_values=[{lst}]) (R: na.strings)")
    return ("a response or covariate must be a number; convert the column "
            "(pd.to_numeric(df[col], errors='coerce') makes non-numbers missing)")


def numeric_value(expr: Expr, data: pd.DataFrame, text: str = "",
                  formula: str | None = None) -> np.ndarray:
    """Evaluate an arithmetic expression of columns (``log(y)``, ``y^(1/3)``, ``adj/6``)."""
    if isinstance(expr, Name):
        s = column(data, expr.name, expr, text, formula)
        if is_factor_column(s) and not pd.api.types.is_bool_dtype(s):
            conv = pd.to_numeric(s, errors="coerce")
            if conv.notna().sum() < s.notna().sum():
                _fail(expr, _not_numeric_message(expr.name, s, conv), text, formula,
                      _not_numeric_hint(s, conv))
            return conv.to_numpy(dtype=float)
        return s.to_numpy(dtype=float, na_value=np.nan)
    if isinstance(expr, Number):
        return np.full(len(data), float(expr.value))
    if isinstance(expr, Paren):
        return numeric_value(expr.expr, data, text, formula)
    if isinstance(expr, UnaryOp) and expr.op == "-":
        return -numeric_value(expr.operand, data, text, formula)
    if isinstance(expr, BinOp) and expr.op in ("+", "-", "*", "/", "^"):
        a = numeric_value(expr.left, data, text, formula)
        b = numeric_value(expr.right, data, text, formula)
        with np.errstate(all="ignore"):
            return {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide,
                    "^": np.power}[expr.op](a, b)
    if isinstance(expr, Call) and expr.func == "scale" and len(expr.args) == 1 and \
            expr.args[0].name is None:
        # R's scale(x): centred on the mean and divided by the standard deviation of the
        # values present (NA kept) - over all rows of the data, as R evaluates it
        x = numeric_value(expr.args[0].value, data, text, formula)
        ok = ~np.isnan(x)
        if ok.sum() < 2 or np.std(x[ok]) == 0:
            _fail(expr, f"'{expr}': scale() needs at least two different values", text,
                  formula, "scale() divides by the standard deviation of the column")
        return (x - x[ok].mean()) / x[ok].std(ddof=1)
    if isinstance(expr, Call) and expr.func in _MATH and len(expr.args) >= 1:
        if expr.func == "log" and len(expr.args) == 2:
            base = numeric_value(expr.args[1].value, data, text, formula)
            with np.errstate(all="ignore"):
                return np.log(numeric_value(expr.args[0].value, data, text, formula)) / np.log(base)
        with np.errstate(all="ignore"):
            return _MATH[expr.func](numeric_value(expr.args[0].value, data, text, formula))
    _fail(expr, f"cannot evaluate '{expr}' as a number", text, formula,
          "use a column name or arithmetic of columns (log, sqrt, exp, I(...), + - * / ^)")
    raise AssertionError  # pragma: no cover


def _fail(expr: Expr, msg: str, text: str, formula: str | None, hint: str) -> None:
    if expr.span is not None and text:
        raise FormulaError.at(msg, expr.span, text=text, formula=formula, hint=hint)
    raise DataError(msg, hint=hint)
