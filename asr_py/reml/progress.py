"""Progress lines for long phases of a fit (trace=True), without threading a callback.

The engine announces a phase with :func:`phase` ("symbolic analysis and first factorization
of C", "final pass: standard errors ..."); whoever wants to show them installs a reporter for
the duration of a fit with :func:`reporting` (``asreml(trace=True)`` prints them on stderr
with the wall-clock time since the fit started). Without a reporter :func:`phase` does
nothing.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator

_REPORTER: contextvars.ContextVar[Callable[[str], None] | None] = contextvars.ContextVar(
    "asr_py_phase_reporter", default=None)


#: phases of problems smaller than this (equations, levels) are too short to announce
LONG_PHASE_SIZE = 1000


def phase(text: str, size: int | None = None) -> None:
    """Announce the start of a phase of the fit; with ``size`` (equations or levels) only
    when it is at least :data:`LONG_PHASE_SIZE` (a phase that may take a while)."""
    reporter = _REPORTER.get()
    if reporter is not None and (size is None or size >= LONG_PHASE_SIZE):
        reporter(text)


@contextlib.contextmanager
def reporting(reporter: Callable[[str], None] | None) -> Iterator[None]:
    """Send :func:`phase` announcements to ``reporter`` inside the block (None: nowhere)."""
    token = _REPORTER.set(reporter)
    try:
        yield
    finally:
        _REPORTER.reset(token)
