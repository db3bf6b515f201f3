"""Base R's ``commandArgs(trailingOnly = TRUE)`` in translated scripts (R 4 ``?commandArgs``):
"If trailingOnly = TRUE, a character vector of those arguments (if any) supplied after
--args", i.e. what ``Rscript script.R a b`` passes after the script: for the translation run
as ``python script.py a b``, ``["a", "b"]`` (an empty vector with no arguments, so the
script's ``if (length(args) == 0)`` defaults apply). ``commandArgs()`` with
``trailingOnly = FALSE`` is R's whole command line (its executable, ``--no-echo``,
``--file=``, ...), which a Python run does not have: an error saying so, never made-up text.
"""
from __future__ import annotations

import sys

from asr_py.errors import AsrError

__all__ = ["FUNCS", "r_command_args"]

#: R function -> (runtime helper, formals in R's order, packages it may be called from)
FUNCS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "commandArgs": ("r_command_args", ("trailingOnly",), ("base",)),
}


def r_command_args(trailingOnly: bool = False) -> list[str]:  # noqa: N803 - R's name
    """The arguments after the script's name (``sys.argv[1:]``), as text."""
    if not trailingOnly:
        raise AsrError("commandArgs(trailingOnly = FALSE) is R's own command line (R's "
                       "executable and options), which this Python run does not have",
                       hint="read the script's arguments with commandArgs(trailingOnly = "
                            "TRUE), i.e. sys.argv[1:]")
    return [str(a) for a in sys.argv[1:]]
