"""Covariance templates: one class per variance-structure family, registered by name.

Importing this package registers every family (``id``, ``idv``, ``diag``/``idh``, ``us``,
``vm``/``giv`` and the correlation families with their 'v'/'h' variants); look them up with
:func:`get_structure`. Composite templates: :class:`Kronecker`, :class:`Subset`,
:class:`DirectSum`; known matrices: :class:`KnownMatrix`.
"""

from asr_py.vcov import identity, known, unstructured  # noqa: F401  (registers families)
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
from asr_py.vcov.identity import Diagonal, Identity, IdentityV
from asr_py.vcov.known import KnownMatrix
from asr_py.vcov.kronecker import Kronecker
from asr_py.vcov.unstructured import Unstructured

__all__ = [
    "KINDS", "CovTemplate", "Matrix", "Structure", "get_structure", "label", "register",
    "register_factory", "registered_names", "to_dense", "to_sparse",
    "DirectSum", "Subset", "Kronecker", "KnownMatrix",
    "Identity", "IdentityV", "Diagonal", "Unstructured",
]
