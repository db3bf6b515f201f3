"""R's named list as returned by asremlPlus functions: a dict whose ``[name]`` also takes a
unique prefix of a name, as R's ``x$name`` does (``pdata$pvalue`` is ``pdata$pvalues``)."""

from __future__ import annotations

import copy
from typing import Any


class RList(dict):  # type: ignore[type-arg]
    """A dict with R's partial matching of ``$`` names (exact match first, then the one
    name the key is a prefix of; several or none: KeyError)."""

    def __missing__(self, key: Any) -> Any:
        if isinstance(key, str):
            hits = [k for k in self if isinstance(k, str) and k.startswith(key)]
            if len(hits) == 1:
                return dict.__getitem__(self, hits[0])
        raise KeyError(key)

    def dropna(self, *args: Any, **kwargs: Any) -> RList:
        """R's ``na.omit`` of a list (translated as ``.dropna()``): a list is not atomic,
        so R returns it unchanged (here a shallow copy of the same class)."""
        return copy.copy(self)


class RNullList(RList):
    """An R list whose ``$`` gives NULL (None) for a name it does not hold or that is the
    prefix of several (R's ``$`` on a list): the lists asremlPlus returns are read so
    (``x$`0.2,0``` of a pair not formed; ``exploreLSDs(...)$falsepos`` is NULL, the element
    being ``false.pos``)."""

    def __missing__(self, key: Any) -> Any:
        if isinstance(key, str):
            hits = [k for k in self if isinstance(k, str) and k.startswith(key)]
            return dict.__getitem__(self, hits[0]) if len(hits) == 1 else None
        raise KeyError(key)
