"""``setwd(dir)`` and the paths a script writes under that folder.

A translated script runs in the folder it is given (its data beside it), so ``setwd()`` is
dropped. Scripts often also spell their working folder out in full afterwards
(``setwd("~/Documents/GitHub/Trials-2022")`` then ``write.csv(x,
"~/Documents/GitHub/Trials-2022/blues.csv")``): on the author's machine both name the same
folder, so R reads and writes the working folder's ``blues.csv``. Elsewhere R would fail
("cannot open file ... No such file or directory"). The translation keeps the author's
meaning: a text literal that starts with the folder of the script's last literal
``setwd()`` (``~`` and trailing ``/`` as written) becomes the path relative to the working
folder; failing that, one under an earlier literal ``setwd()`` folder (the most recent first)
becomes the path relative to that folder — a script that moves into a subfolder
(``setwd(".../W-2023/Residuals")``) and then writes to its project folder in full
(``".../W-2023/YT blues.csv"``) writes beside its data. Any other absolute path is left as
written.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["note_setwd", "posix_path", "relative_to_wd"]


def _norm(path: str) -> str:
    return path.replace("\\", "/").rstrip("/")


def note_setwd(printer: Any, e: Any) -> None:
    """Remember the folder of ``setwd("dir")`` (a literal; anything else forgets the last
    one; the earlier literal folders are kept in ``setwd_dirs``)."""
    args = [a for n, a in e.args if n in (None, "dir")]
    printer.setwd_dir = _norm(args[0].value) if len(args) == 1 and args[0].kind == "str" \
        and _norm(args[0].value) else None
    if printer.setwd_dir:
        printer.setwd_dirs = [*getattr(printer, "setwd_dirs", []), printer.setwd_dir]


_WINDOWS_PATH = re.compile(r"(?:[A-Za-z]:\\)?(?:[\w.\- ]+\\)+[\w.\- ]+\."
                           r"(?:csv|txt|tsv|dat|rds|rda|RData|rdata|Rdata|xlsx|xls|R|r|ped|"
                           r"grm|giv|json)")


def posix_path(text: str) -> str:
    """A relative file path written with Windows' separators (``"data\\wheat.txt"``, which
    R reads on Windows only) with ``/``, so the translation reads it on any system; any
    other text as it is."""
    if isinstance(text, str) and "/" not in text and _WINDOWS_PATH.fullmatch(text) and \
            not re.match(r"[A-Za-z]:", text):
        return text.replace("\\", "/")
    return text


def relative_to_wd(printer: Any, text: str) -> str:
    """``text`` relative to the working folder when it lies under the last setwd() folder,
    else relative to the most recent earlier setwd() folder it lies under."""
    if not isinstance(text, str):
        return text
    last = getattr(printer, "setwd_dir", None)
    folders = ([last] if last else []) + list(reversed(getattr(printer, "setwd_dirs", [])))
    t = text.replace("\\", "/")
    for wd in folders:
        if t.startswith(wd + "/") and len(t) > len(wd) + 1:
            return t[len(wd) + 1:]
    return text
