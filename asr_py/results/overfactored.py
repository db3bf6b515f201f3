"""Factor-analytic structures with more parameters than an unstructured matrix.

fa(f, k) over n levels, Σ = ΛΛ' + Ψ, has n·k loadings less the k(k − 1)/2 structural zeros
plus n specific variances; an unstructured n x n matrix has n(n + 1)/2. When

    n + n·k − k(k − 1)/2 > n(n + 1)/2,   i.e.  (n − k)² < n + k   (Ledermann's bound),

Λ and Ψ are not identifiable: the same Σ is reached along a ridge (fa(site, 2) over 4 sites:
11 parameters for 10 entries), and the AI iteration crawls along it (the session-30 hunt's
4-site fa2 METs, seeds 6001 and 6035, ended unconverged at maxit 50, with ℓ differing in the
7th digit by row order). :func:`overfactored_notes` names each such term; the fit says so
with an ``IdentifiabilityWarning`` (as asreml's singular-information messages do).
"""

from __future__ import annotations

from collections.abc import Iterable

from asr_py.vcov.base import CovTemplate


def _leaves(templates: Iterable[CovTemplate]) -> list[CovTemplate]:
    out: list[CovTemplate] = []
    for t in templates:
        out += [lf for lf, _ in t.leaves()]
    return out


def overfactored_notes(templates: Iterable[CovTemplate]) -> list[str]:
    """A note for each fa leaf (not rr, whose Ψ is held at zero) with more parameters than
    an unstructured matrix over its levels (module docstring)."""
    notes = []
    for lf in _leaves(templates):
        if getattr(lf, "family", None) != "fa" or type(lf).__name__ != "FactorAnalytic":
            continue
        n, k = int(lf.n), int(getattr(lf, "order", 0))
        npar = n + n * k - k * (k - 1) // 2
        if (n - k) ** 2 >= n + k:
            continue
        best = max((j for j in range(1, k) if (n - j) ** 2 >= n + j), default=0)
        what = f"fa({lf.name or 'f'}, {k})"
        use = (f"use at most {best} factor{'s' if best > 1 else ''} or us({lf.name or 'f'})"
               if best else f"use us({lf.name or 'f'}) or a diagonal model")
        notes.append(
            f"{what} over {n} levels has {npar} parameters, more than the {n * (n + 1) // 2} "
            f"of an unstructured {n} x {n} matrix ((n − k)² < n + k): its loadings and "
            f"specific variances are not identifiable (the same covariance matrix along a "
            f"ridge of equal likelihood, where the fit may crawl and not converge); {use}")
    return notes


__all__ = ["overfactored_notes"]
