"""Covariance templates: one class per variance-structure family, registered by name.

Importing this package registers every family (``id``, ``idv``, ``diag``/``idh``, ``us``,
``vm``/``giv``, ``fa``/``facv``, ``rr`` and the correlation families ``cor``, ``corg``,
``corb``, ``ar1``, ``ar2``, ``ar3``, ``ma1``, ``ma2``, ``exp``, ``gau`` with their 'v'/'h'
variants); look them up with
:func:`get_structure`. Composite templates: :class:`Kronecker`, :class:`Subset`,
:class:`DirectSum`; known matrices: :class:`KnownMatrix`.
"""

from asr_py.vcov import (  # noqa: F401  (importing a family module registers it)
    anisotropic,
    ante,
    arma,
    autoregressive,
    chol,
    correlation,
    distance,
    factor_analytic,
    identity,
    isotropic,
    known,
    matern,
    own,
    range_models,
    unstructured,
)
from asr_py.vcov.autoregressive import AR1, AR2, AR3, MA1, MA2
from asr_py.vcov.base import (
    KINDS,
    CovTemplate,
    Matrix,
    Structure,
    get_structure,
    label,
    register,
    register_factory,
    registered_names,
    to_dense,
    to_sparse,
)
from asr_py.vcov.composite import DirectSum, Subset
from asr_py.vcov.correlation import (
    BandedCorrelation,
    CompoundSymmetry,
    CorrelationStructure,
    GeneralCorrelation,
    register_correlation,
)
from asr_py.vcov.distance import Exponential, Gaussian
from asr_py.vcov.factor_analytic import FactorAnalytic, ReducedRank
from asr_py.vcov.identity import Diagonal, Identity, IdentityV
from asr_py.vcov.known import KnownMatrix
from asr_py.vcov.kronecker import Kronecker
from asr_py.vcov.unstructured import Unstructured

__all__ = [
    "KINDS", "CovTemplate", "Matrix", "Structure", "get_structure", "label", "register",
    "register_factory", "registered_names", "to_dense", "to_sparse",
    "DirectSum", "Subset", "Kronecker", "KnownMatrix",
    "Identity", "IdentityV", "Diagonal", "Unstructured",
    "CorrelationStructure", "register_correlation", "CompoundSymmetry", "GeneralCorrelation",
    "BandedCorrelation", "AR1", "AR2", "AR3", "MA1", "MA2", "Exponential", "Gaussian",
    "FactorAnalytic", "ReducedRank",
]
