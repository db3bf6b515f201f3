"""asreml's ``s <- summary(fit)`` kept in a variable, then read as ``s$varcomp``,
``s$coef.fixed``, ``s$loglik``...: :func:`r_summary` gives an object whose elements are
those of ``summary(fit)$x`` read directly (the same translation), and which prints as the
fit's summary text. The elements are taken when the summary is made (R's summary is a copy:
a later refit of ``fit`` does not change ``s``)."""
from __future__ import annotations

from typing import Any

from asr_py.errors import AsrError
from asr_py.translate.parser import R

__all__ = ["RSummary", "r_aic", "r_bic", "r_summary", "summary_rhs"]


def _shift(fit: Any) -> float:
    """asreml's log-likelihood minus asr_py's: ½ν log 2π for a Gaussian fit (r_loglik)."""
    from asr_py.translate.runtime import r_loglik

    return r_loglik(fit) - float(fit.loglik)


def r_aic(fit: Any) -> float:
    """asreml's ``summary(fit)$aic``: −2ℓₐ + 2q, ℓₐ asreml's REML log-likelihood
    (``fit$loglik``, without the 2π constant: r_loglik) and q the estimated variance
    parameters (``fit.aic``'s count); ``fit.aic`` is the same with the full ℓ."""
    return float(fit.aic) - 2.0 * _shift(fit)


def r_bic(fit: Any) -> float:
    """asreml's ``summary(fit)$bic``: −2ℓₐ + q log ν, ν = n − rank X (as :func:`r_aic`)."""
    return float(fit.bic) - 2.0 * _shift(fit)


def _parts(fit: Any) -> dict[str, Any]:
    from asr_py.translate.rcoefrandom import r_coef_random
    from asr_py.translate.runtime import r_loglik, r_varcomp

    # asreml 4's coef.fixed names its standard errors 'std error' (coef.random: std.error)
    return {"varcomp": r_varcomp(fit),
            "coef.fixed": fit.coef_fixed.rename(columns={"std.error": "std error"}),
            "coef.random": _Lazy(lambda: r_coef_random(fit)), "loglik": r_loglik(fit),
            "aic": r_aic(fit), "bic": r_bic(fit), "nedf": fit.result.n_minus_p}


class _Lazy:
    """An element formed on first use (coef.random: an fa term's scores need C⁻¹ solves;
    ``summary(m)$varcomp`` alone should not pay for them)."""

    def __init__(self, fn: Any) -> None:
        self.fn = fn


class RSummary:
    """asreml's summary list of a fit (module docstring); ``s["var"]`` matches a prefix
    of one element's name, as R's ``$``."""

    def __init__(self, fit: Any) -> None:
        self._text = fit.summary()
        self._parts = _parts(fit)

    def names(self) -> list[str]:
        """The elements' names (R's ``names(s)``)."""
        return list(self._parts)

    def __getitem__(self, name: str) -> Any:
        hits = [name] if name in self._parts else [
            k for k in self._parts if k.startswith(str(name))]
        if len(hits) == 1:
            v = self._parts[hits[0]]
            if isinstance(v, _Lazy):
                v = self._parts[hits[0]] = v.fn()
            return v
        raise AsrError(f"summary(fit)${name}: asr_py's summary has no element of that name",
                       hint="its elements: " + ", ".join(self._parts))

    def __str__(self) -> str:
        return self._text

    __repr__ = __str__


def r_summary(fit: Any) -> RSummary:
    """``summary(fit)`` of an asreml fit kept in a variable (module docstring)."""
    return RSummary(fit)


def summary_rhs(tr: Any, r: R) -> str | None:
    """``r_summary(fit)`` for ``s <- summary(fit)`` (also ``coef = TRUE``) of a fit; None
    for anything else."""
    if r.kind != "call" or r.value not in ("summary", "summary.asreml"):
        return None
    pos = [a for n, a in r.args if n is None]
    if len(pos) != 1 or not tr.is_fit(pos[0]) or any(
            n not in (None, "coef", "vparameters", "all") for n, _ in r.args):
        return None
    return f"{tr.runtime('r_summary')}({tr.py(pos[0])})"
