"""lubridate's dates, intervals and periods (planting to harvest times of trials).

* ``ymd(x)``, ``mdy(x)``, ``dmy(x)`` (also ``ydm``, ``myd``, ``dym``): text or numbers to dates,
  the day, month and year read in that order from the digit runs of each value
  ("2019-11-21", "2019/11/21", 20191121, "21.11.2019"; month names such as "Nov 21, 2019");
  two-digit years as R's ``%y`` (00-68 -> 20xx, 69-99 -> 19xx); a value that does not parse
  is NA, with lubridate's warning "N failed to parse.";
* ``year()``, ``month()``, ``day()``/``mday()``, ``yday()`` (day of the year, 1 on 1 January),
  ``wday()`` (1 = Sunday, lubridate's default ``week_start = 7``);
* ``interval(start, end)`` and ``start %--% end``; ``int_length()`` in seconds;
  ``time_length(x, unit)``: an interval's length in seconds, minutes, hours, days, weeks
  (fixed lengths), months or years (whole calendar units from the start, then the fraction of
  the next one);
* ``as.period(interval)``: years, months, days, hours, minutes, seconds between the ends,
  counted on the calendar. Units are taken whole from the largest down; when the end's
  day of the month is before the start's, a month is borrowed and the days are those left in
  the month before the end's month plus the end's day (lubridate's ``.int_to_period``:
  2019-11-21 to 2020-03-20 is 3 months 28 days); a negative interval is the negated period
  of the flipped one. The slots (``p@month``, ``p@day``, ...) are read by ``r_slot``.

Dates are pandas Timestamps (a Series of datetime64, as ``as.Date`` gives: rdate.py).
"""

from __future__ import annotations

import calendar
import re
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.warning_classes import AsrWarning

__all__ = ["LUBRIDATE_CALLS", "RInterval", "RPeriod", "r_as_period", "r_date_part", "r_day",
           "r_dmy", "r_dym", "r_int_length", "r_interval", "r_mday", "r_mdy", "r_month",
           "r_myd", "r_parse_date", "r_slot", "r_time_length", "r_wday", "r_yday", "r_ydm",
           "r_year", "r_ymd"]

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_name) if m})


def _year(y: str) -> int:
    v = int(y)
    if len(y) <= 2:
        return 2000 + v if v <= 68 else 1900 + v    # R's %y
    return v


def _one(v: Any, order: str) -> pd.Timestamp:
    """One value read in ``order`` (a permutation of "ymd"); NaT when it does not parse."""
    if v is None or isinstance(v, float) and np.isnan(v) or v is pd.NaT:
        return pd.NaT
    if isinstance(v, pd.Timestamp):
        return v.normalize()
    if isinstance(v, (int, np.integer)) or isinstance(v, (float, np.floating)) and \
            float(v).is_integer():
        v = str(int(v))
    s = str(v).strip()
    parts: dict[str, str] = {}
    month_word = [w for w in re.findall(r"[A-Za-z]+", s) if w.lower() in _MONTHS]
    nums = re.findall(r"\d+", s)
    if month_word:
        rest = [c for c in order if c != "m"]
        if len(nums) != 2:
            return pd.NaT
        parts = dict(zip(rest, nums))
        parts["m"] = str(_MONTHS[month_word[0].lower()])
    elif len(nums) == 3:
        parts = dict(zip(order, nums))
    elif len(nums) == 1 and len(nums[0]) in (6, 8):
        d = nums[0]
        widths = {c: (4 if c == "y" and len(d) == 8 else 2) for c in order}
        at = 0
        for c in order:
            parts[c] = d[at:at + widths[c]]
            at += widths[c]
    else:
        return pd.NaT
    try:
        return pd.Timestamp(year=_year(parts["y"]), month=int(parts["m"]), day=int(parts["d"]))
    except ValueError:
        return pd.NaT


def r_parse_date(x: Any, order: str, quiet: bool = False) -> Any:
    """lubridate's ``ymd(x)``/``mdy(x)``/``dmy(x)`` ... (``order`` the letters): see the
    module docstring."""
    if isinstance(x, Untranslated):
        return x._use()
    scalar = not isinstance(x, (pd.Series, pd.Index, list, tuple, np.ndarray))
    vals = [x] if scalar else list(x)
    out = [_one(v, order) for v in vals]
    bad = sum(1 for v, o in zip(vals, out) if o is pd.NaT and not pd.isna(v))
    if bad and not quiet:
        warnings.warn(f"{order}(): {bad} failed to parse.", AsrWarning, stacklevel=2)
    if scalar:
        return out[0]
    index = x.index if isinstance(x, pd.Series) else None
    return pd.Series(out, index=index, dtype="datetime64[ns]")


def _dates(x: Any) -> pd.Series:
    if isinstance(x, pd.Series) and pd.api.types.is_datetime64_any_dtype(x):
        return x
    vals = [x] if np.ndim(x) == 0 else list(x)
    return pd.Series(pd.to_datetime(vals, errors="coerce"))


def r_date_part(x: Any, part: str) -> Any:
    """lubridate's ``year(x)``, ``month(x)``, ``day(x)``/``mday(x)``, ``yday(x)``,
    ``wday(x)`` (1 = Sunday): numbers, NA where x is missing."""
    if isinstance(x, Untranslated):
        return x._use()
    d = _dates(x)
    got = {"year": d.dt.year, "month": d.dt.month, "day": d.dt.day, "mday": d.dt.day,
           "yday": d.dt.dayofyear, "wday": (d.dt.dayofweek + 1) % 7 + 1}[part]
    got = got.astype(float)
    if np.ndim(x) == 0:
        v = got.iloc[0]
        return v if np.isnan(v) else int(v)
    if isinstance(x, pd.Series):
        got.index = x.index
    return got


class RInterval:
    """lubridate's Interval: a start and an end per element."""

    def __init__(self, start: pd.Series, end: pd.Series) -> None:
        self.start = start.reset_index(drop=True)
        self.end = end.reset_index(drop=True)

    def __len__(self) -> int:
        return len(self.start)

    def seconds(self) -> np.ndarray:
        return ((self.end - self.start).dt.total_seconds()).to_numpy(float)

    def __repr__(self) -> str:
        return "\n".join(f"{a.date() if a is not pd.NaT else 'NA'}--"
                         f"{b.date() if b is not pd.NaT else 'NA'}"
                         for a, b in zip(self.start, self.end))


def r_interval(start: Any, end: Any) -> RInterval:
    """lubridate's ``interval(start, end)`` / ``start %--% end`` (lengths recycled)."""
    if isinstance(start, Untranslated):
        return start._use()  # type: ignore[no-any-return]
    if isinstance(end, Untranslated):
        return end._use()  # type: ignore[no-any-return]
    a, b = _dates(start), _dates(end)
    if len(a) != len(b):
        if len(a) == 1:
            a = pd.Series([a.iloc[0]] * len(b))
        elif len(b) == 1:
            b = pd.Series([b.iloc[0]] * len(a))
        else:
            raise AsrError(f"interval(): {len(a)} starts and {len(b)} ends",
                           hint="give one end per start (or one of either)")
    return RInterval(a, b)


_SLOTS = ("year", "month", "day", "hour", "minute", "second")


class RPeriod:
    """lubridate's Period: calendar units per element (slots year ... second; ``.Data`` the
    seconds). A column of periods holds one-element RPeriods (``np.asarray``)."""

    def __init__(self, **units: Iterable[float]) -> None:
        self.units = {k: np.asarray(list(units[k]), dtype=float) for k in _SLOTS}

    def __len__(self) -> int:
        return len(self.units["second"])

    def r_slot(self, name: str) -> np.ndarray:
        key = "second" if name == ".Data" else name
        if key not in self.units:
            raise AsrError(f"a Period has no slot {name!r}",
                           hint="its slots: " + ", ".join(_SLOTS) + ", .Data")
        return self.units[key]

    def __getitem__(self, key: Any) -> Any:
        """A slot by name (``p$month`` as translated), else elements by position."""
        if isinstance(key, str):
            return self.r_slot(key)
        if isinstance(key, (int, np.integer)):
            key = slice(int(key), int(key) + 1 or None)
        return RPeriod(**{k: v[key] for k, v in self.units.items()})

    def __iter__(self) -> Any:
        return (self[i] for i in range(len(self)))

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        out = np.empty(len(self), dtype=object)
        for i in range(len(self)):
            out[i] = self[i]
        return out

    def _text(self, i: int) -> str:
        u = {k: v[i] for k, v in self.units.items()}
        if any(np.isnan(x) for x in u.values()):
            return "NA"
        lead = [("y", "year"), ("m", "month"), ("d", "day")]
        first = next((j for j, (_, k) in enumerate(lead) if u[k] != 0), len(lead))
        bits = [f"{u[k]:g}{s}" for s, k in lead[first:]]
        return " ".join(bits + [f"{u['hour']:g}H", f"{u['minute']:g}M", f"{u['second']:g}S"])

    def __repr__(self) -> str:
        return " ".join(self._text(i) for i in range(len(self)))

    __str__ = __repr__


def _days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _period_of(a: pd.Timestamp, b: pd.Timestamp) -> tuple[float, ...]:
    """(year, month, day, hour, minute, second) from a to b (module docstring)."""
    if a is pd.NaT or b is pd.NaT or pd.isna(a) or pd.isna(b):
        return (np.nan,) * 6
    if b < a:
        return tuple(0.0 - v for v in _period_of(b, a))
    sec = b.second - a.second
    mnt = b.minute - a.minute
    hr = b.hour - a.hour
    day = b.day - a.day
    mon = b.month - a.month
    yr = b.year - a.year
    if sec < 0:
        sec, mnt = sec + 60, mnt - 1
    if mnt < 0:
        mnt, hr = mnt + 60, hr - 1
    borrow_day = hr < 0
    if hr < 0:
        hr += 24
    if day < 0:
        prev = b.month - 1 if b.month > 1 else 1      # January borrows 31 days too
        day = max(_days_in_month(b.year, prev) - a.day, 0) + b.day
        mon -= 1
    if borrow_day:
        day -= 1
    if mon < 0:
        mon, yr = mon + 12, yr - 1
    return (float(yr), float(mon), float(day), float(hr), float(mnt), float(sec))


def r_as_period(x: Any, unit: str | None = None) -> RPeriod:
    """lubridate's ``as.period(interval)`` (``unit = "month"``: years as 12 months)."""
    if isinstance(x, Untranslated):
        return x._use()  # type: ignore[no-any-return]
    if isinstance(x, RPeriod):
        return x
    if not isinstance(x, RInterval):
        raise AsrError(f"as.period(): a {type(x).__name__} is not translated",
                       hint="as.period() of an interval (interval(start, end))")
    rows = [_period_of(a, b) for a, b in zip(x.start, x.end)]
    cols = dict(zip(_SLOTS, zip(*rows))) if rows else {k: () for k in _SLOTS}
    if unit is not None and unit.rstrip("s") == "month":
        cols["month"] = tuple(m + 12 * y for m, y in zip(cols["month"], cols["year"]))
        cols["year"] = tuple(0.0 for _ in cols["year"])
    return RPeriod(**cols)


_FIXED = {"second": 1.0, "minute": 60.0, "hour": 3600.0, "day": 86400.0, "week": 604800.0}


def _add_months(a: pd.Timestamp, n: int) -> pd.Timestamp:
    y, m = divmod(a.month - 1 + n, 12)
    year, month = a.year + y, m + 1
    return a.replace(year=year, month=month, day=min(a.day, _days_in_month(year, month)))


def r_time_length(x: Any, unit: str = "second") -> Any:
    """lubridate's ``time_length(interval, unit)`` (module docstring)."""
    if isinstance(x, Untranslated):
        return x._use()
    if not isinstance(x, RInterval):
        raise AsrError("time_length(): only of an interval is translated",
                       hint="time_length(interval(start, end), unit)")
    u = unit.lower().rstrip("s")
    if u in _FIXED:
        return x.seconds() / _FIXED[u]
    if u not in ("month", "year"):
        raise AsrError(f"time_length(): unit {unit!r}",
                       hint="second, minute, hour, day, week, month or year")
    step = 12 if u == "year" else 1
    out = []
    for a, b in zip(x.start, x.end):
        if pd.isna(a) or pd.isna(b):
            out.append(np.nan)
            continue
        sign, (lo, hi) = (1.0, (a, b)) if b >= a else (-1.0, (b, a))
        n = 0
        while _add_months(lo, (n + 1) * step) <= hi:
            n += 1
        here, nxt = _add_months(lo, n * step), _add_months(lo, (n + 1) * step)
        out.append(sign * (n + (hi - here) / (nxt - here)))
    return np.asarray(out, dtype=float)


def r_slot(x: Any, name: str) -> Any:
    """R's ``x@name`` (an S4 slot): a Period's units, of a column of periods too; other
    objects as ``x[name]``."""
    if hasattr(x, "r_slot"):
        return x.r_slot(name)
    if isinstance(x, pd.Series) and len(x) and all(hasattr(v, "r_slot") for v in x):
        return pd.Series(np.concatenate([np.asarray(v.r_slot(name), dtype=float) for v in x]),
                         index=x.index)
    return x[name]


def _parser(order: str) -> Any:
    def parse(x: Any, quiet: bool = False) -> Any:
        return r_parse_date(x, order, quiet=quiet)
    parse.__name__ = f"r_{order}"
    parse.__doc__ = f"lubridate's ``{order}(x)``: see the module docstring."
    return parse


def _part(part: str) -> Any:
    def get(x: Any) -> Any:
        return r_date_part(x, part)
    get.__name__ = f"r_{part}"
    get.__doc__ = f"lubridate's ``{part}(x)``: see the module docstring."
    return get


r_ymd, r_mdy, r_dmy, r_ydm, r_myd, r_dym = (_parser(o) for o in
                                            ("ymd", "mdy", "dmy", "ydm", "myd", "dym"))
r_year, r_month, r_mday, r_yday, r_wday = (_part(p) for p in
                                           ("year", "month", "mday", "yday", "wday"))
r_day = r_mday


def r_int_length(x: Any) -> Any:
    """lubridate's ``int_length(interval)``: seconds from start to end."""
    if isinstance(x, Untranslated):
        return x._use()
    if not isinstance(x, RInterval):
        raise AsrError("int_length(): the argument is not an interval",
                       hint="int_length(interval(start, end))")
    return x.seconds()


#: R function -> (runtime helper, formals, packages), merged into rpkgcalls.CALLS
LUBRIDATE_CALLS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    **{o: (f"r_{o}", ("x", "quiet"), ("lubridate",))
       for o in ("ymd", "mdy", "dmy", "ydm", "myd", "dym")},
    **{p: (f"r_{p}", ("x",), ("lubridate", "data.table"))
       for p in ("year", "month", "mday", "yday", "wday")},
    "day": ("r_day", ("x",), ("lubridate",)),
    "interval": ("r_interval", ("start", "end"), ("lubridate",)),
    "as.period": ("r_as_period", ("x", "unit"), ("lubridate",)),
    "time_length": ("r_time_length", ("x", "unit"), ("lubridate",)),
    "int_length": ("r_int_length", ("x",), ("lubridate",)),
}
