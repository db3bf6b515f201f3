"""Moved to tests/_dense_reml.py (the one shared dense-V REML); kept as a re-export for
test modules written against the old name."""

from _dense_reml import (  # noqa: F401
    LOG2PI,
    bfgs_max,
    chol_entries,
    chol_from,
    lbfgsb_max,
    maximise,
    reml_loglik,
)
