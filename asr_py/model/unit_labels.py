"""The level labels of ``units`` ('1', ..., 'n'), made on demand.

A data set of n records has n ``units`` levels; a tuple of their labels holds n Python
strings (about 60 bytes each: 60 MB at 10⁶ records) that a fit reads only when a table is
printed by unit. :class:`UnitLabels` is the same immutable sequence of strings, each made when
it is asked for (equal to, and hashing like, the tuple it stands for)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import overload


class UnitLabels(Sequence[str]):
    """``('1', '2', ..., str(n))`` without storing it."""

    __slots__ = ("n",)
    #: read by :class:`asr_py.vcov.base.Structure` (keeps it rather than copying to a tuple)
    lazy_labels = True

    def __init__(self, n: int) -> None:
        self.n = int(n)

    def __len__(self) -> int:
        return self.n

    @overload
    def __getitem__(self, i: int) -> str: ...

    @overload
    def __getitem__(self, i: slice) -> tuple[str, ...]: ...

    def __getitem__(self, i: int | slice) -> str | tuple[str, ...]:
        if isinstance(i, slice):
            return tuple(str(k + 1) for k in range(*i.indices(self.n)))
        k = int(i)
        if k < 0:
            k += self.n
        if not 0 <= k < self.n:
            raise IndexError(f"unit {i} out of range (n = {self.n})")
        return str(k + 1)

    def __iter__(self) -> Iterator[str]:
        return (str(k + 1) for k in range(self.n))

    def __contains__(self, x: object) -> bool:
        return isinstance(x, str) and x.isascii() and x.isdigit() and x[0] != "0" \
            and 1 <= int(x) <= self.n

    def __eq__(self, other: object) -> bool:
        if isinstance(other, UnitLabels):
            return self.n == other.n
        if isinstance(other, (tuple, list)):
            return len(other) == self.n and all(a == b for a, b in zip(self, other))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"UnitLabels({self.n})"
