"""Warning classes of asr_py (exported as ``asr.AsrWarning`` etc.).

Every condition a user should see but that does not stop the fit is a Python warning of one
of these classes (filterable with :mod:`warnings`) and, for a fit, also a line of
``m.diagnostics``.
"""

from __future__ import annotations


class AsrWarning(UserWarning):
    """Base class of asr_py's warnings."""


class ConvergenceWarning(AsrWarning):
    """The REML iterations stopped before convergence (maxit reached or no progress)."""


class IdentifiabilityWarning(AsrWarning):
    """Variance parameters the data cannot separate (e.g. a genetic effect with one record
    per level beside a units residual): the AI matrix is singular at the estimates."""


class PerformanceWarning(AsrWarning):
    """A slower code path is used than the one intended (e.g. CHOLMOD is missing)."""


def user_stacklevel() -> int:
    """The ``stacklevel`` for ``warnings.warn`` called by the caller of this function that
    names the first frame outside the asr_py package: the user's line (``asr.asreml(...)``
    in their script), whatever the depth of the call inside asr_py."""
    import os
    import sys

    pkg = os.path.dirname(os.path.abspath(__file__)) + os.sep
    frame = sys._getframe(1)          # the function that will call warnings.warn
    level = 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(pkg):
        frame = frame.f_back
        level += 1
    return level
