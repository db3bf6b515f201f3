"""Python counterparts of R packages asreml-R scripts lean on, built on asr_py's API.

* :mod:`asr_py.compat.asremlplus` (``asr.plus``): asremlPlus's model-selection workflow
  (``as.asrtests``, ``testranfix``, ``changeTerms``, ``rmboundary``, ``REMLRT``,
  ``infoCriteria``, ``getTestPvalue``, ...).
* :mod:`asr_py.compat.dae` (``asr.dae``): the dae factor and matrix helpers the scripts use
  (``fac.combine``, ``mat.I``, ``mat.ar1``, ``mat.dirprod``, ...).

See docs/asremlplus.md for what is covered and how it differs.
"""

from asr_py.compat import asremlplus, dae, emmeans, lme4

__all__ = ["asremlplus", "dae", "emmeans", "lme4"]
