"""asr_py: ASReml-R model formulas in Python, fitted by AI-REML.

Public API (everything else is internal):

* :func:`asreml` - fit a model; :func:`lrt` - likelihood-ratio test of nested random models
* :func:`blup_pcg` - BLUP of a large (multivariate) animal model with given variance
  components, by PCG iterating on the data (in memory, Parquet, or on Dask);
  :func:`reml_mc` - its variance components (univariate) by Monte Carlo AI-REML, by PCG
* :func:`compile_model` - formulas + data -> X, Z, covariance templates
* :func:`vcm_lm` - a ``vcm=`` constraint matrix from a start-values table (ASReml's vcm.lm)
* :func:`parse_formula`, :func:`parse_model`, :func:`expand` - the formula front end
* :func:`ainverse`, :func:`amatrix`, :func:`gmatrix`, :func:`ginverse`, :func:`hinverse`
  (single-step H-inverse), :class:`RelMatrix`,
  :func:`read_plink` (PLINK .bed/.bim/.fam markers for gmatrix)
* :func:`asr_binomial`, :func:`asr_poisson`, :func:`asr_Gamma`, :func:`asr_gaussian`,
  :func:`asr_negative_binomial`, :func:`asr_inverse_gaussian` - the ``family=`` of a
  generalized linear mixed model (fitted by PQL, as ASReml)
* :func:`variogram`, :func:`plot_variogram` - empirical semivariogram of spatial residuals
* :mod:`plus <asr_py.compat.asremlplus>` - asremlPlus's model-selection workflow
  (``as_asrtests``, ``testranfix``, ``changeTerms``, ``REMLRT``, ``infoCriteria``, ...);
  :mod:`dae <asr_py.compat.dae>` - dae's ``fac.combine`` and ``mat.*`` helpers;
  :mod:`lme4 <asr_py.compat.lme4>` - lme4's ``lmer`` (and lme4breeding's ``lmebreed``) with
  lme4's accessors; :mod:`emmeans <asr_py.compat.emmeans>` - ``emmeans``/``pairs``/``contrast``
* errors: :class:`AsrError`, :class:`FormulaError`, :class:`FormulaSyntaxError`,
  :class:`DataError`, :class:`MatrixError`, :class:`ModelError`, :class:`PedigreeError`
* warnings: :class:`AsrWarning`, :class:`ConvergenceWarning` (a fit did not converge),
  :class:`IdentifiabilityWarning` (variance parameters the data cannot separate),
  :class:`PerformanceWarning` (a slower path than intended, e.g. CHOLMOD missing)
"""

from asr_py.errors import (
    AsrError,
    DataError,
    FormulaError,
    FormulaSyntaxError,
    MatrixError,
    ModelError,
    PedigreeError,
)

# explain/translate are bound eagerly: they share their modules' names, and a lazily bound
# function would be shadowed by the submodule once anything imports asr_py.explain.
from asr_py.explain import explain
from asr_py.translate import translate
from asr_py.warning_classes import (
    AsrWarning,
    ConvergenceWarning,
    IdentifiabilityWarning,
    PerformanceWarning,
)

__version__ = "0.1.0"

_LAZY = {
    "asreml": ("asr_py.api", "asreml"),
    "blup_pcg": ("asr_py.large", "blup_pcg"),
    "reml_mc": ("asr_py.large", "reml_mc"),
    "lrt": ("asr_py.api", "lrt"),
    "compile_model": ("asr_py.model.spec", "compile_model"),
    "vcm_lm": ("asr_py.model.vcm", "vcm_lm"),
    "parse_formula": ("asr_py.formula", "parse_formula"),
    "parse_model": ("asr_py.formula", "parse_model"),
    "expand": ("asr_py.formula", "expand"),
    "ainverse": ("asr_py.genetics", "ainverse"),
    "amatrix": ("asr_py.genetics", "amatrix"),
    "gmatrix": ("asr_py.genetics", "gmatrix"),
    "ginverse": ("asr_py.genetics", "ginverse"),
    "hinverse": ("asr_py.genetics", "hinverse"),
    "RelMatrix": ("asr_py.genetics", "RelMatrix"),
    "read_plink": ("asr_py.genetics", "read_plink"),
    "variogram": ("asr_py.results.variogram", "variogram"),
    "plot_variogram": ("asr_py.results.variogram", "plot_variogram"),
    "asr_binomial": ("asr_py.glmm.family", "asr_binomial"),
    "asr_poisson": ("asr_py.glmm.family", "asr_poisson"),
    "asr_Gamma": ("asr_py.glmm.family", "asr_Gamma"),
    "asr_gaussian": ("asr_py.glmm.family", "asr_gaussian"),
    "asr_negative_binomial": ("asr_py.glmm.family", "asr_negative_binomial"),
    "asr_inverse_gaussian": ("asr_py.glmm.family", "asr_inverse_gaussian"),
    "plus": ("asr_py.compat", "asremlplus"),
    "dae": ("asr_py.compat", "dae"),
    "lme4": ("asr_py.compat", "lme4"),
    "emmeans": ("asr_py.compat", "emmeans"),
}

__all__ = [
    "AsrError", "DataError", "FormulaError", "FormulaSyntaxError", "MatrixError", "ModelError",
    "PedigreeError", "AsrWarning", "ConvergenceWarning", "IdentifiabilityWarning",
    "PerformanceWarning", "__version__", "explain", "translate", *_LAZY,
]


def __getattr__(name: str):  # PEP 562: import heavy pieces on first use
    if name in _LAZY:
        import importlib

        mod, attr = _LAZY[name]
        return getattr(importlib.import_module(mod), attr)
    raise AttributeError(f"module 'asr_py' has no attribute {name!r}{_hint(name)}")


_FAMILIES = ("asr_binomial", "asr_poisson", "asr_Gamma", "asr_gaussian",
             "asr_negative_binomial", "asr_inverse_gaussian")


def _hint(name: str) -> str:
    """A pointer for a name asr_py lacks: R's family names (binomial(), asreml::asr_binomial
    spelled without asr_) lead to asreml's asr_* family functions; a misspelling to the nearest
    public names."""
    bare = name.lower().removeprefix("asr_").removeprefix("asr.")
    fam = [f for f in _FAMILIES if f.lower().removeprefix("asr_") == bare]
    if fam:
        return (f"; the family of a GLMM is asreml's {fam[0]}(...) (R's asreml::{fam[0]}), e.g. "
                f"asr.asreml(..., family=asr.{fam[0]}()); asr_py's families: "
                + ", ".join(_FAMILIES))
    import difflib

    near = difflib.get_close_matches(name, sorted(set(__all__)), n=3, cutoff=0.75)
    return f"; did you mean {' or '.join(near)}?" if near else ""


def __dir__() -> list[str]:
    """The module's names, the lazily imported ones (:data:`_LAZY`) included."""
    return sorted(set(globals()) | set(_LAZY))
