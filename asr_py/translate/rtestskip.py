"""testthat's environment skips and snapshot expectations in a translated script.

Skips (testthat reference, ``skip``): inside ``test_that()`` they end the test, silently
and successfully, when their condition holds; the translation writes
``if r_skip_on(kind, ...): return`` in the block's function.

* ``skip_on_ci()``: ``CI`` is true (``isTRUE(as.logical(Sys.getenv("CI", "false")))``);
* ``skip_on_covr()``: ``R_COVR`` is true (covr sets it while measuring coverage);
* ``skip_on_os(os)``: the running system is one of ``os`` ("windows", "mac", "linux",
  "solaris", "emscripten"; ``Sys.info()[["sysname"]]`` lower-cased, "darwin" read "mac",
  "sunos" read "solaris").

Snapshot expectations (``expect_snapshot()``, ``expect_snapshot_output()``,
``expect_snapshot_value()``, ``expect_snapshot_warning()``, vdiffr's
``expect_doppelganger(title, fig)``) compare printed output or a drawn figure with a file
under ``tests/testthat/_snaps/``; a translation runs the code they wrap and says the
comparison is not made (:data:`SNAPSHOT`, :func:`snapshot_subject`).
"""

from __future__ import annotations

import os
import sys
from typing import Any

from asr_py.translate.parser import R, bind_formals

#: testthat's as.logical() of an environment variable: these strings are TRUE
_R_TRUE = {"TRUE", "true", "T", "True"}
#: the snapshot expectations whose wrapped code runs (expect_snapshot_error() is left out:
#: its code must fail)
SNAPSHOT = {"expect_snapshot", "expect_snapshot_output", "expect_snapshot_value",
            "expect_snapshot_warning", "expect_doppelganger"}
#: the skips translated inside a test_that() block
SKIPS = {"skip_on_ci", "skip_on_covr", "skip_on_os"}
_OS = {"windows", "mac", "linux", "solaris", "emscripten"}


def _env_true(name: str) -> bool:
    return os.environ.get(name, "false") in _R_TRUE


def system_os() -> str:
    """testthat's ``system_os()`` for this Python: "windows", "mac", "linux", ..."""
    p = sys.platform
    return "windows" if p.startswith("win") else "mac" if p == "darwin" else \
        "solaris" if p.startswith("sunos") else p.rstrip("0123456789")


def r_skip_on(kind: str, os_names: Any = None) -> bool:
    """Whether testthat's ``skip_on_<kind>()`` skips here (see the module docstring)."""
    if kind == "ci":
        return _env_true("CI")
    if kind == "covr":
        return _env_true("R_COVR")
    if kind == "os":
        names = [os_names] if isinstance(os_names, str) else list(os_names)
        bad = [n for n in names if n not in _OS]
        if bad:
            raise ValueError(f"skip_on_os(): unknown system {bad[0]!r}; testthat knows "
                             f"{sorted(_OS)}")
        return system_os() in names
    raise ValueError(f"r_skip_on(): no testthat skip_on_{kind}()")


#: the formals of each snapshot expectation (testthat 3, vdiffr 1), for R's argument matching
_FORMALS: dict[str, tuple[str, ...]] = {
    "expect_doppelganger": ("title", "fig", "path", "...", "writer", "cran", "variant"),
    "expect_snapshot": ("x", "cran", "error", "transform", "variant", "cnd_class"),
    "expect_snapshot_output": ("x", "cran", "variant"),
    "expect_snapshot_value": ("x", "style", "cran", "tolerance", "...", "variant"),
    "expect_snapshot_warning": ("x", "class", "cran", "variant"),
}


def snapshot_subject(name: str, args: list[tuple[str | None, R]]) -> R | None:
    """The argument a snapshot expectation evaluates, matched as R does (exact name, then
    position): vdiffr's ``expect_doppelganger(title, fig)`` draws ``fig``; testthat's
    evaluate ``x``. None when absent, when the call does not match the formals, or when
    ``expect_snapshot(error = TRUE)`` expects the code to fail."""
    got = bind_formals(_FORMALS[name], args)
    if got is None:
        return None
    err = got.get("error")
    if err is not None and not (err.kind == "name" and err.value in ("FALSE", "F")):
        return None
    return got.get("fig" if name == "expect_doppelganger" else "x")
