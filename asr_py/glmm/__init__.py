"""Generalized linear mixed models: families, links and their PQL fit."""

from asr_py.glmm.family import (
    Family,
    Link,
    as_family,
    asr_binomial,
    asr_Gamma,
    asr_gaussian,
    asr_inverse_gaussian,
    asr_negative_binomial,
    asr_poisson,
)

__all__ = ["Family", "Link", "as_family", "asr_Gamma", "asr_binomial", "asr_gaussian",
           "asr_inverse_gaussian", "asr_negative_binomial", "asr_poisson"]
