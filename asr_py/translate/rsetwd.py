"""``setwd(dir)`` and the paths a script writes under that folder.

A translated script runs in the folder it is given (its data beside it), so ``setwd()`` is
dropped. Scripts often also spell their working folder out in full afterwards
(``setwd("~/Documents/GitHub/Trials-2022")`` then ``write.csv(x,
"~/Documents/GitHub/Trials-2022/blues.csv")``): on the author's machine both name the same
folder, so R reads and writes the working folder's ``blues.csv``. Elsewhere R would fail
("cannot open file ... No such file or directory"). The translation keeps the author's
meaning: a text literal that starts with the folder of the script's last literal
``setwd()`` (``~`` and trailing ``/`` as written) becomes the path relative to the working
folder. Any other absolute path is left as written.
"""

from __future__ import annotations

from typing import Any

__all__ = ["note_setwd", "relative_to_wd"]


def _norm(path: str) -> str:
    return path.replace("\\", "/").rstrip("/")


def note_setwd(printer: Any, e: Any) -> None:
    """Remember the folder of ``setwd("dir")`` (a literal; anything else forgets it)."""
    args = [a for n, a in e.args if n in (None, "dir")]
    printer.setwd_dir = _norm(args[0].value) if len(args) == 1 and args[0].kind == "str" \
        and _norm(args[0].value) else None


def relative_to_wd(printer: Any, text: str) -> str:
    """``text`` relative to the working folder when it lies under the setwd() folder."""
    wd = getattr(printer, "setwd_dir", None)
    if not wd or not isinstance(text, str):
        return text
    t = text.replace("\\", "/")
    if t.startswith(wd + "/") and len(t) > len(wd) + 1:
        return t[len(wd) + 1:]
    return text
