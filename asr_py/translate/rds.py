"""R objects pyreadr cannot read (R lists, asremlPlus's ``alldiffs`` objects, files librdata
refuses), read with the pure-Python ``rdata`` package when it is installed (optional extra
``asr_py[rdata]``): data frames stay data frames, matrices become labelled DataFrames, an
alldiffs list becomes :class:`asr_py.compat.alldiffs.Alldiffs` with R's attributes, other
lists dicts."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

#: asremlPlus/asreml classes that are data frames underneath
_FRAME_CLASSES = ("asremlPredict", "predictions.frame", "asreml.predict", "asrtests.frame",
                  "wald.tab", "tbl_df", "tbl", "data.table")


def available() -> bool:
    """Whether the ``rdata`` package is installed."""
    try:
        import rdata  # noqa: F401
    except ImportError:
        return False
    return True


def _scalar(v: Any) -> Any:
    """R's length-1 vectors as Python scalars; longer ones as lists."""
    if isinstance(v, np.ndarray | list | tuple) and not isinstance(v, str):
        vals = [x.item() if isinstance(x, np.generic) else x for x in np.ravel(v)]
        return vals[0] if len(vals) == 1 else vals
    return v.item() if isinstance(v, np.generic) else v


def _py(obj: Any) -> Any:
    """rdata's converted objects as asr_py uses them (module docstring)."""
    if isinstance(obj, pd.DataFrame):   # R's automatic row names 1..n -> a default index
        auto = [str(i) for i in obj.index] == [str(i + 1) for i in range(len(obj))]
        out = obj.reset_index(drop=True) if auto else obj.set_axis(
            [str(i) for i in obj.index], axis=0)
        out.attrs = dict(obj.attrs.get("_r_attrs", {}))   # R's attributes (data_frame)
        return out
    if type(obj).__name__ == "DataArray" and getattr(obj, "ndim", 0) == 2:
        idx = [list(np.asarray(obj.coords[d]).astype(str)) if d in obj.coords else None
               for d in obj.dims]
        return pd.DataFrame(np.asarray(obj.values), index=idx[0], columns=idx[1])
    if type(obj).__name__ == "DataArray":
        vals = np.asarray(obj.values)
        return vals.item() if vals.size == 1 else vals
    if isinstance(obj, Mapping) and not hasattr(obj, "attrs"):   # an Alldiffs stays one
        from asr_py.compat.rlist import RList

        return RList({str(k): _py(v) for k, v in obj.items()})
    if isinstance(obj, np.ndarray) and obj.size == 1 and obj.dtype != object:
        return obj.item()
    return obj


def _value(v: Any) -> Any:
    """An R attribute's value: a named vector as a Series, a length-1 one as a scalar."""
    if type(v).__name__ == "DataArray" and getattr(v, "ndim", 0) == 1 and v.dims and \
            v.dims[0] in v.coords:
        return pd.Series(np.asarray(v.values), index=[str(i) for i in
                                                      np.asarray(v.coords[v.dims[0]])])
    if type(v).__name__ == "DataArray":
        v = np.asarray(v.values)
    return _scalar(v)


def _frame_attrs(attrs: Mapping[str, Any] | None) -> dict[str, Any]:
    """A data frame's R attributes beyond names/row.names (its class as ``r_class``), with
    asremlPlus's renaming of old attributes (``meanLSD`` -> ``LSDvalues``, dropped without
    ``LSDtype``; ``meanLSD.type`` -> ``LSDtype``), which its functions apply on reading."""
    out: dict[str, Any] = {}
    for k, v in (attrs or {}).items():
        if k in ("names", "row.names"):
            continue
        val = _value(v)
        if k == "class":
            out["r_class"] = [val] if isinstance(val, str) else list(val)
        elif k == "heading" and isinstance(val, str):
            out[k] = [val]
        else:
            out[str(k)] = val
    from asr_py.compat.rattrs import box

    return {k: box(v) for k, v in _renamed(out).items()}


def _renamed(a: dict[str, Any]) -> dict[str, Any]:
    """asremlPlus's renameDiffsAttr (R/alldiffs.v5.r 340-356) on one attribute set."""
    if a.get("LSDtype") is None and "meanLSD" in a and "meanLSD.type" not in a:
        a.pop("meanLSD")
    if "meanLSD.type" in a:
        a["LSDtype"] = a.pop("meanLSD.type")
    if "meanLSD" in a:
        a["LSDvalues"] = a.pop("meanLSD")
    return a


def _alldiffs(obj: Any, attrs: Mapping[str, Any]) -> Any:
    from asr_py.compat.alldiffs import Alldiffs

    comps = {str(k): _py(v) for k, v in dict(obj).items()}
    meta = _renamed({str(k): _scalar(v) for k, v in attrs.items()
                     if k not in ("names", "class")})
    meta.pop("LSDvalues", None)     # renameDiffsAttr drops an alldiffs object's meanLSD
    meta.setdefault("alpha", 0.05)     # asremlPlus's default when an object lacks it
    if isinstance(meta.get("LSDby"), str):
        meta["LSDby"] = [meta["LSDby"]]
    for k in ("predictions", "vcov", "differences", "p.differences", "sed", "LSD",
              "backtransforms"):
        comps.setdefault(k, None)
    return Alldiffs(comps, attrs=meta)


def _flat_columns(obj: Any) -> Any:
    """A data frame's matrix columns (``d$x <- scale(x)``: n × 1) as R's data frame holds
    them for ``d$x``: an n × 1 matrix is the vector; an n × k one becomes columns x.1 ...
    x.k (R's names when it is written out)."""
    if not isinstance(obj, Mapping):
        return obj
    out: dict[Any, Any] = {}
    for k, v in obj.items():
        vals = np.asarray(getattr(v, "values", v))
        if vals.ndim == 2 and vals.shape[1] == 1:
            out[k] = vals[:, 0]
        elif vals.ndim == 2:
            for j in range(vals.shape[1]):
                out[f"{k}.{j + 1}"] = vals[:, j]
        else:
            out[k] = v
    return out


def _constructors() -> dict[str, Any]:
    from rdata.conversion import DEFAULT_CLASS_MAP

    cons = dict(DEFAULT_CLASS_MAP)
    frame = DEFAULT_CLASS_MAP["data.frame"]

    def data_frame(obj: Any, attrs: Any) -> Any:
        out = frame(_flat_columns(obj), attrs)
        out.attrs = {"_r_attrs": _frame_attrs(attrs)}
        return out

    cons["data.frame"] = data_frame
    for c in _FRAME_CLASSES:
        cons[c] = data_frame
    cons["alldiffs"] = _alldiffs
    return cons


def read(path: str, rds: bool) -> Any:
    """The object of an .rds file (``rds``) or the objects of an .rda/.RData file by name."""
    import rdata

    with warnings.catch_warnings():   # "Missing constructor for R class ...": handled here
        warnings.simplefilter("ignore", UserWarning)
        if rds:
            return _py(rdata.read_rds(path, constructor_dict=_constructors()))
        return {str(k): _py(v) for k, v in rdata.read_rda(
            path, constructor_dict=_constructors()).items()}
