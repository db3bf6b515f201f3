"""The trait factor: the response dimension of a multivariate model.

``cbind(y1, ..., yt) ~ trait + ...``: asreml creates a factor ``trait`` whose levels are the
response names (ASReml-R reference manual, "Multivariate analysis": "asreml creates a factor
trait ... with the names of the response variates as levels"); each data row gives t records,
trait within row. ``trait`` there is a property of the records, not a data column, so a data
column of that name would be hidden by it: that is an error (:func:`check_trait_column`).

In a univariate model ``trait`` is an ordinary name. A data column ``trait`` (long-format
data: ``y ~ trait + env``, ``diag(trait):gen``) is read as any other column, as asreml reads
it (the ASReml-S reference manual, 3.15.1, describes such data "expanded into a univariate
form outside asreml", where ``trait`` is the data's own factor). Without such a column
``trait`` stands for the one-level trait factor of the single response.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from asr_py.errors import FormulaError

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterable

    from asr_py.model.records import Records

#: the name of the trait factor
TRAIT = "trait"


def is_response_trait(name: object, records: Records) -> bool:
    """``name`` is the response-dimension factor of ``records`` (not a data column): it is
    ``trait`` and the model is multivariate, or univariate without a data column ``trait``."""
    return name == TRAIT and (records.multivariate or TRAIT not in records.frame.columns)


def check_trait_column(columns: Iterable[object], response_names: list[str], span: object = None,
                       text: str = "") -> None:
    """A FormulaError when a multivariate (cbind) response meets a data column ``trait``:
    the model's ``trait`` is the factor asreml creates from the responses, which would
    silently shadow the column (``span``: the response's place in ``text``)."""
    if len(response_names) < 2 or TRAIT not in set(columns):
        return
    raise FormulaError.at(
        "the data have a column 'trait', but in a multivariate model (cbind response: "
        f"{', '.join(response_names)}) 'trait' is the factor asreml creates from the "
        "responses (its levels the response names), so the column would be hidden",
        span, text=text, formula="fixed",
        hint="rename the data column, e.g. d = d.rename(columns={'trait': 'Trait'}), or, for "
             "long-format data (one response column and a trait column), fit the "
             "univariate model y ~ trait + ..., where trait reads the column")
