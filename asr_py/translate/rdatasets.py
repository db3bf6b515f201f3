"""R's built-in data sets (the data frames of R's ``datasets`` package) in translated scripts.

R attaches ``datasets`` in every session, so a script may read ``iris``, ``Orange``,
``ChickWeight``, ``CO2``, ``warpbreaks`` ... by bare name or through ``data(iris)``,
``data("iris")``, ``data(iris, package = "datasets")`` or ``datasets::iris`` without any file.
Their 44 data frames are bundled in ``asr_py/data/r_datasets.json`` (recorded from R by
``scripts/record_r_datasets.R``): each column with R's type (double, integer, character, or a
factor with its levels in R's order, ordered factors as pandas' ordered categoricals:
``ChickWeight$Chick``, ``CO2$Plant``), and the row names that carry data (``mtcars``'s car
names, ``USArrests``'s states) as the index, named ``rownames`` as a read .rda's; R's
automatic row names 1..n are the default index. An integer column with NA (``airquality``)
is float, as pandas reads such a column from a file.

The small data frames of the mixed-model packages lme4 and nlme (``sleepstudy``,
``Penicillin``, ``Orthodont``, ``Oats``, ``Rail`` ...; ``asr_py/data/r_pkg_datasets.json``,
recorded by ``scripts/record_r_pkg_datasets.R``) are found the same way by
:func:`package_dataset`: R finds them once the package is attached.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd


@cache
def _bundle() -> dict[str, Any]:
    text = resources.files("asr_py.data").joinpath("r_datasets.json").read_text("utf-8")
    return json.loads(text)["datasets"]  # type: ignore[no-any-return]


@cache
def _pkg_bundle() -> dict[str, dict[str, Any]]:
    text = resources.files("asr_py.data").joinpath("r_pkg_datasets.json").read_text("utf-8")
    return json.loads(text)["packages"]  # type: ignore[no-any-return]


@cache
def names() -> frozenset[str]:
    """The names of R's ``datasets`` data frames."""
    return frozenset(_bundle())


def is_dataset(name: str) -> bool:
    """Whether ``name`` is a data frame of R's ``datasets`` package."""
    return name in names()


def _column(c: dict[str, Any]) -> pd.Series:
    if c["type"] == "factor":
        codes = np.array([-1 if k is None else k - 1 for k in c["codes"]], dtype=np.int64)
        return pd.Series(pd.Categorical.from_codes(codes, categories=c["levels"],
                                                   ordered=bool(c["ordered"])))
    vals = c["values"]
    if c["type"] == "integer":
        if any(v is None for v in vals):
            return pd.Series([np.nan if v is None else float(v) for v in vals])
        return pd.Series(vals, dtype=np.int64)
    if c["type"] == "double":
        return pd.Series([np.nan if v is None else float(v) for v in vals], dtype=np.float64)
    if c["type"] == "logical":
        return pd.Series(vals, dtype=object if None in vals else bool)
    return pd.Series(vals, dtype=object)


def dataset(name: str) -> pd.DataFrame:
    """A fresh copy of R's ``datasets::<name>`` as a pandas data frame."""
    return _frame(_bundle()[name])


def package_dataset(name: str, package: str | None = None) -> pd.DataFrame | None:
    """A fresh copy of ``<package>::<name>`` for lme4's and nlme's data sets (the first
    package holding ``name`` when ``package`` is None), or None when none has it."""
    bundle = _pkg_bundle()
    for pkg in ([package] if package else sorted(bundle)):
        spec = bundle.get(pkg, {}).get(name)
        if spec is not None:
            return _frame(spec)
    return None


def _frame(spec: dict[str, Any]) -> pd.DataFrame:
    d = pd.DataFrame({n: _column(c) for n, c in zip(spec["names"], spec["columns"])})
    if spec["row_names"] is not None:
        d.index = pd.Index(spec["row_names"], dtype=object, name="rownames")
    return d
