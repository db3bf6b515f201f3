"""The arguments a fit was made with, as R's ``fit$call`` reads them."""

from __future__ import annotations

from typing import Any


class CallArgs(dict):  # type: ignore[type-arg]
    """A dict of the fit's arguments where an argument that was not given reads as ``None``,
    as R's ``fit$call$x`` is NULL for an argument the call did not name (asremlPlus scripts
    test ``is.null(obj$call$setvparameters)``); ``in``, ``.get`` and iteration see only the
    arguments given."""

    def __missing__(self, key: Any) -> None:
        if isinstance(key, str):
            return None
        raise KeyError(key)
