"""REML engine: mixed model equations, AI-REML iterations, solver backends."""

from asr_py.reml.ai import fit_reml, loglik_at, score_ai_at
from asr_py.reml.eigen import fit_reml_eigen as fit_reml_eigen
from asr_py.reml.mme import MME, MMEState
from asr_py.reml.problem import MixedProblem, RandomBlock
from asr_py.reml.result import RemlResult
from asr_py.reml.solver import DenseFactor, Factor, SparseFactor, factorize

__all__ = [
    "MME", "MMEState", "MixedProblem", "RandomBlock", "RemlResult", "fit_reml", "loglik_at",
    "score_ai_at", "Factor", "DenseFactor", "SparseFactor", "factorize",
]
