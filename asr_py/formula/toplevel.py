"""Splitting a term label or argument list at separators outside brackets.

``split_top("at(Site, S1):Genotype", ":")`` is ``["at(Site, S1)", "Genotype"]``: a separator
counts only at bracket depth 0, where depth rises at ``(``/``[`` and falls at ``)``/``]``.
"""

from __future__ import annotations


def split_top(text: str, sep: str = ":", *, strip: bool = False) -> list[str]:
    """``text``'s parts between the depth-0 occurrences of the one-character ``sep``
    (always at least one part; ``strip`` strips each)."""
    out, depth, last = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == sep and depth == 0:
            out.append(text[last:i])
            last = i + 1
    out.append(text[last:])
    return [p.strip() for p in out] if strip else out
