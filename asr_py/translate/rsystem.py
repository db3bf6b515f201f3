"""Base R's file-system tests, path parts and clock in translated scripts: ``file.exists()``,
``dir.exists()``, ``nzchar()``, ``basename()``, ``dirname()``, ``Sys.time()``, and
parallel's ``detectCores()`` (``os.cpu_count()``).

R semantics kept (R 4 ``?file.exists``, ``?nzchar``, ``?basename``, ``?Sys.time``,
``?difftime``):

* ``file.exists(...)``: one TRUE/FALSE per path given (a file or a directory exists there);
  ``dir.exists(paths)``: TRUE where the path is a directory. One path gives one value.
* ``nzchar(x, keepNA = FALSE)``: TRUE where the text is not empty; NA is TRUE (``keepNA =
  NA`` or ``TRUE``: NA stays NA).
* ``basename(path)``: the part after the last separator, trailing separators removed first
  (``basename("a/b/")`` is ``"b"``); ``dirname(path)``: the part before it, ``"."`` when there
  is none, ``"/"`` for a top-level path.
* ``dir.create(path, showWarnings = TRUE, recursive = FALSE)``: creates the directory and
  gives TRUE; FALSE, with a warning (unless ``showWarnings = FALSE``), when it already
  exists or (not recursive) its parent does not.
* ``proc.time()``: the process's user and system CPU seconds and the elapsed seconds (and
  its children's), a vector named as R names them (R prints it as user/system/elapsed).
* ``Sys.time()``: the current time. Subtracting two times gives a time difference in the
  units R's ``difftime`` chooses ("auto": secs below a minute, then mins, hours, days);
  ``as.numeric()`` and ``paste()`` of it give the number in those units, and it prints as R
  does (``Time difference of 1.5 secs``); ``paste(Sys.time())`` is ``"YYYY-mm-dd HH:MM:SS"``.
"""
from __future__ import annotations

import datetime
import os
import re
import time
from typing import Any

import numpy as np
import pandas as pd

from asr_py.translate.checks import Untranslated

__all__ = ["FUNCS", "RDifftime", "RTime", "r_basename", "r_dir_create", "r_dir_exists",
           "r_dirname", "r_proc_time", "r_detect_cores",
           "r_file_exists", "r_list_files", "r_nzchar", "r_sys_date", "r_sys_time"]

#: R function -> (runtime helper, formals in R's order, packages it may be called from)
FUNCS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "file.exists": ("r_file_exists", ("...",), ("base",)),
    "dir.exists": ("r_dir_exists", ("paths",), ("base",)),
    "nzchar": ("r_nzchar", ("x", "keepNA"), ("base",)),
    "basename": ("r_basename", ("path",), ("base",)),
    "dirname": ("r_dirname", ("path",), ("base",)),
    "Sys.time": ("r_sys_time", (), ("base",)),
    "Sys.Date": ("r_sys_date", (), ("base",)),
    "list.files": ("r_list_files", ("path", "pattern", "all.files", "full.names",
                                    "recursive", "ignore.case"), ("base",)),
    "dir": ("r_list_files", ("path", "pattern", "all.files", "full.names", "recursive",
                             "ignore.case"), ("base",)),
    "proc.time": ("r_proc_time", (), ("base",)),
    "dir.create": ("r_dir_create", ("path", "showWarnings", "recursive", "mode"), ("base",)),
    "detectCores": ("r_detect_cores", ("all.tests", "logical"), ("parallel",)),
}


def _values(x: Any) -> tuple[list[Any], bool]:
    """The elements of an R vector argument, and whether it was one value."""
    if isinstance(x, Untranslated):
        x._use()
    if isinstance(x, pd.Series | pd.Index | np.ndarray | list | tuple):
        return list(np.asarray(list(x), dtype=object).ravel()), False
    return [x], True


def _result(vals: list[Any], one: bool) -> Any:
    return vals[0] if one and len(vals) == 1 else np.array(vals, dtype=object if any(
        v is None for v in vals) else None)


def _path(p: Any) -> str | None:
    return None if p is None or isinstance(p, float) and np.isnan(p) else str(p)


def r_file_exists(*paths: Any) -> Any:
    """``file.exists(...)``: see the module docstring."""
    vals: list[Any] = []
    for p in paths:
        vals += _values(p)[0]
    out = [(q := _path(v)) is not None and os.path.exists(os.path.expanduser(q))
           for v in vals]
    return out[0] if len(out) == 1 else np.array(out, dtype=bool)


def r_dir_exists(paths: Any) -> Any:
    """``dir.exists(paths)``: see the module docstring."""
    vals, one = _values(paths)
    out = [(q := _path(v)) is not None and os.path.isdir(os.path.expanduser(q))
           for v in vals]
    return out[0] if one else np.array(out, dtype=bool)


def r_nzchar(x: Any, keepNA: Any = False) -> Any:  # noqa: N803 - R's name
    """``nzchar(x, keepNA = FALSE)``: see the module docstring."""
    vals, one = _values(x)
    out: list[Any] = []
    for v in vals:
        if _path(v) is None:
            out.append(True if keepNA is False else None)
        else:
            out.append(len(str(v)) > 0)
    return _result(out, one)


def _split(p: str) -> tuple[str, str]:
    q = p.rstrip("/\\") or p[:1]
    head, _, tail = q.replace("\\", "/").rpartition("/")
    return head, tail


def r_basename(path: Any) -> Any:
    """``basename(path)``: see the module docstring."""
    vals, one = _values(path)
    out = [None if (q := _path(v)) is None else _split(q)[1] for v in vals]
    return _result(out, one)


def r_dirname(path: Any) -> Any:
    """``dirname(path)``: see the module docstring."""
    vals, one = _values(path)
    out: list[Any] = []
    for v in vals:
        q = _path(v)
        if q is None:
            out.append(None)
            continue
        head, _ = _split(q)
        q2 = q.replace("\\", "/").rstrip("/")
        out.append("/" if q2.startswith("/") and head == "" else head or ".")
    return _result(out, one)


def r_dir_create(path: Any, showWarnings: Any = True,  # noqa: N803 - R's names
                 recursive: Any = False, mode: Any = "0777") -> bool:
    """``dir.create(path, showWarnings, recursive)``: see the module docstring."""
    import warnings

    q = os.path.expanduser(str(_values(path)[0][0]))
    parent = os.path.dirname(q.rstrip("/\\")) or "."
    why = ("already exists" if os.path.exists(q) else
           "cannot create dir: its parent does not exist" if not recursive and
           not os.path.isdir(parent) else "")
    if why:
        if showWarnings:
            warnings.warn(f"dir.create(): '{q}' {why}", stacklevel=2)
        return False
    os.makedirs(q) if recursive else os.mkdir(q)
    return True


class RDifftime(float):
    """R's ``difftime``: a number in ``units`` (secs, mins, hours, days)."""

    units: str

    def __new__(cls, value: float, units: str) -> RDifftime:
        obj = super().__new__(cls, value)
        obj.units = units
        return obj

    def __repr__(self) -> str:
        return f"Time difference of {float(self):.7g} {self.units}"

    __str__ = __repr__


class RTime:
    """R's ``POSIXct`` from ``Sys.time()`` (seconds since 1970-01-01 UTC): ``paste()`` and
    ``format()`` give ``"YYYY-mm-dd HH:MM:SS"``, ``print()`` adds the time zone,
    ``as.numeric()`` the seconds, ``t1 - t0`` an :class:`RDifftime`."""

    __slots__ = ("secs",)

    def __init__(self, secs: float) -> None:
        self.secs = float(secs)

    def __float__(self) -> float:
        return self.secs

    def __sub__(self, other: Any) -> Any:
        if isinstance(other, RTime):
            secs = self.secs - other.secs
            size = abs(secs)
            for units, per, below in (("secs", 1.0, 60.0), ("mins", 60.0, 3600.0),
                                      ("hours", 3600.0, 86400.0)):
                if size < below:
                    return RDifftime(secs / per, units)
            return RDifftime(secs / 86400.0, "days")
        return RTime(self.secs - float(other))

    def __add__(self, other: Any) -> RTime:
        return RTime(self.secs + float(other))

    def __str__(self) -> str:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.secs))

    def __repr__(self) -> str:
        return time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(self.secs))


def r_detect_cores(all_tests: Any = False, logical: Any = True) -> int:
    """parallel's ``detectCores()``: the number of CPU cores (logical ones; the machine's
    count, as R, not the cores free to this process)."""
    return int(os.cpu_count() or 1)


def r_proc_time() -> pd.Series:
    """``proc.time()``: CPU seconds of this process (user, system), wall-clock seconds
    (elapsed), and of its finished children, named as R names them; differences of two are
    the times spent between them (``(proc.time() - pt)["elapsed"]``, ``proc.time()[3]``)."""
    t = os.times()
    return pd.Series([t.user, t.system, t.elapsed, t.children_user, t.children_system],
                     index=["user.self", "sys.self", "elapsed", "user.child", "sys.child"])


def r_sys_time() -> RTime:
    """``Sys.time()``: see the module docstring."""
    return RTime(time.time())


def r_list_files(path: Any = ".", pattern: Any = None, all_files: bool = False,
                 full_names: bool = False, recursive: bool = False,
                 ignore_case: bool = False) -> list[str]:
    """``list.files(path, pattern, all.files, full.names, recursive, ignore.case)``: the
    names in the folder(s) (files and folders; with ``recursive`` the files below, as
    relative paths), those matching the regular expression ``pattern``, hidden ones
    (``.name``) only with ``all.files``; ``full.names`` prefixes the folder; sorted as R
    sorts text (asr_py.model.collate). A folder that does not exist gives none."""
    from asr_py.model.collate import collate_sorted

    out: list[str] = []
    for folder in _values(path)[0]:
        root = str(folder)
        if not os.path.isdir(root):
            continue
        if recursive:
            names = [os.path.relpath(os.path.join(d, f), root)
                     for d, _, files in os.walk(root) for f in files]
        else:
            names = os.listdir(root)
        rx = re.compile(str(pattern), re.IGNORECASE if ignore_case else 0) \
            if pattern is not None else None
        for n in names:
            base = os.path.basename(n)
            if base.startswith(".") and not all_files:
                continue
            if rx is not None and not rx.search(base):
                continue
            out.append(os.path.join(root, n) if full_names else n)
    return collate_sorted(out)


def r_sys_date() -> datetime.date:
    """``Sys.Date()``: today's date in the local time zone (R's Date: its text, as paste()
    gives it, is "YYYY-mm-dd")."""
    return datetime.date.today()
