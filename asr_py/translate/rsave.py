"""Base R's ``save()`` and ``saveRDS()`` in translated scripts, so that the translation's
``load()`` / ``readRDS()`` (runtime.load_rdata / read_rds) give the objects back.

R semantics kept (R 4 ``?save``, ``?saveRDS``):

* ``save(..., list = character(), file = , envir = parent.frame())``: the objects named in
  ``...`` (as symbols or character strings) and in ``list`` are written to ``file`` under
  their names; ``load(file)`` restores each under its name. A name with no object is an
  error (``object 'x' not found``), and so is a missing ``file``. Objects are looked up as
  ``exists()`` does: the calling function's variables, then the script's.
* ``saveRDS(object, file)``: one object, unnamed; ``readRDS(file)`` returns it.
* Both give ``NULL`` invisibly (nothing is printed).

File formats: what R could read back is written in R's format - ``save()`` of one data frame
an .RData file and ``saveRDS()`` of a data frame an .rds file (pyreadr, R's row names from
the index). Any other object (several objects in one file, lists, vectors, an asreml fit) has
no R form here: the file then holds asr_py's own format (a header line ``ASR_PY-SAVE 1`` and
a Python pickle of ``{name: object}``), which the translation's ``load()`` / ``readRDS()``
read and R cannot; a warning says so. Only files that start with that header are unpickled.
"""

from __future__ import annotations

import pickle
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from asr_py.errors import AsrError

__all__ = ["FUNCTIONS", "HEADER", "r_save", "r_save_rds", "read_saved", "save_statement",
           "translate"]

#: the calls this module translates (asreml_rules._CALL_MODULES)
FUNCTIONS = frozenset({"save", "saveRDS"})

#: first bytes of a file in asr_py's own save format
HEADER = b"ASR_PY-SAVE 1\n"


def _pyreadr() -> Any:
    try:
        import pyreadr
    except ImportError:  # pragma: no cover - depends on the environment
        return None
    return pyreadr


def _file(file: Any, fn: str) -> str:
    if file is None or (isinstance(file, str) and not file):
        raise AsrError(f"{fn}(): 'file' must be specified",
                       hint=f"give the path: {fn}(..., file = \"out.RData\")")
    if not isinstance(file, str | Path):
        raise AsrError(f"{fn}(): 'file' must be a path (a character string), not "
                       f"{type(file).__name__}", hint="R connections are not translated")
    return str(file)


def _plain(obj: Any) -> Any:
    """An untranslated value stays a placeholder (counted as used: its real value is lost)."""
    from asr_py.translate.checks import Untranslated

    return obj._use() if isinstance(obj, Untranslated) else obj


def _dumps(obj: Any) -> bytes | None:
    """obj pickled (cloudpickle when installed: fits hold closures), None when it cannot be."""
    try:
        import cloudpickle
        dump = cloudpickle.dumps
    except ImportError:  # pragma: no cover - depends on the environment
        dump = pickle.dumps
    try:
        return dump(obj, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - any object pickle refuses
        return None


def _write_own(path: str, objs: dict[str, Any], fn: str) -> None:
    from asr_py.translate.checks import Untranslated

    kept: dict[str, Any] = {}
    for k, v in objs.items():
        if _dumps(v) is None:          # not writable: a placeholder saying so, loaded back
            warnings.warn(f"{fn}(): {k or 'the object'} ({type(v).__name__}) cannot be "
                          "written; load() gives a placeholder for it", UserWarning,
                          stacklevel=3)
            v = Untranslated(f"{fn}() of {k or 'an object'} ({type(v).__name__})", k)
        kept[k] = v
    with open(path, "wb") as fh:
        fh.write(HEADER)
        fh.write(_dumps(kept) or b"")
    kinds = ", ".join(f"{k or 'object'} ({type(v).__name__})" for k, v in objs.items())
    warnings.warn(f"{fn}(): {kinds} written to {path!r} in asr_py's own format, which the "
                  "translated load()/readRDS() read back; R cannot read this file",
                  UserWarning, stacklevel=3)


def r_save(names: list[Any], file: Any = None, scope: dict[str, Any] | None = None,
           list_: Any = None) -> None:
    """R's ``save(<names>, list = list_, file = file)``: ``names`` are the R names written in
    ``...``; ``scope`` the variables visible where save() is called (module docstring)."""
    from asr_py.translate.printer import pyname

    path = _file(file, "save")
    wanted = [str(n) for n in names]
    if list_ is not None:
        extra = [list_] if isinstance(list_, str) else list(pd.Series(list_, dtype=object))
        wanted += [str(n) for n in extra]
    scope = scope or {}
    objs: dict[str, Any] = {}
    for n in wanted:
        if pyname(n) not in scope:
            raise AsrError(f"save(): object '{n}' not found",
                           hint="save() names objects the script has already created")
        objs[n] = _plain(scope[pyname(n)])
    rd = _pyreadr()
    if rd is not None and len(objs) == 1:
        (name, obj), = objs.items()
        if isinstance(obj, pd.DataFrame):
            rd.write_rdata(path, obj, df_name=name)
            return None
    _write_own(path, objs, "save")
    return None


def r_save_rds(object: Any, file: Any = None, *_: Any, **__: Any) -> None:
    """R's ``saveRDS(object, file)`` (module docstring); compression options are ignored."""
    path = _file(file, "saveRDS")
    obj = _plain(object)
    rd = _pyreadr()
    if rd is not None and isinstance(obj, pd.DataFrame):
        rd.write_rds(path, obj)
        return None
    _write_own(path, {"": obj}, "saveRDS")
    return None


def read_saved(path: str) -> dict[str, Any] | None:
    """The objects of a file in asr_py's own save format ({name: object}; an saveRDS()
    object under ""), or None when the file is not in that format (an R file)."""
    with open(path, "rb") as fh:
        if fh.read(len(HEADER)) != HEADER:
            return None
        got = pickle.load(fh)  # noqa: S301 - only files carrying asr_py's own header
    return dict(got)


def save_statement(tr: Any, e: Any) -> str:
    """The Python statement for an R ``save(...)`` / ``saveRDS(...)`` call ``e`` (``tr``: the
    translator); raises the translator's Untranslatable for forms R would reject."""
    from asr_py.translate.parser import Untranslatable

    if e.value == "saveRDS":
        args = tr.kwargs(e.args)
        return f"{tr.runtime('r_save_rds')}({', '.join(args)})"
    names: list[str] = []
    kw: list[str] = []
    for n, a in e.args:
        if n is None and a.kind in ("name", "str"):
            names.append(a.value)
        elif n == "file":
            kw.append(f"file={tr.py(a)}")
        elif n == "list":
            kw.append(f"list_={tr.py(a)}")
        elif n in ("envir", "ascii", "version", "compress", "compression_level", "eval.promises",
                   "precheck", "safe"):
            continue          # how R writes the file: nothing asr_py's files need
        elif n is None:
            raise Untranslatable("save(): its objects are named by symbols or strings")
        else:
            raise Untranslatable(f"save({n} = ): not an argument of save()")
    if not any(k.startswith("file=") for k in kw):
        # R: save()'s file follows ... and must be named; without it R stops
        raise Untranslatable("save() without file =")
    return (f"{tr.runtime('r_save')}({names!r}, {', '.join(kw)}, "
            "scope={**globals(), **locals()})")


def translate(tr: Any, e: Any) -> str | None:
    """``save()`` / ``saveRDS()`` where R uses their (NULL) value: a function's last
    statement, an argument (asreml_rules._CALL_MODULES)."""
    return save_statement(tr, e) if e.args else None
