"""Which of ASReml-R 4's variance structures parse, compile and fit: one small fit per name.

Every variance-structure name of the formula function table (the implemented ones and
ASReml's others, which must be refused with a caret error) is written into a random term on
simulated data (3 sites x 12 genotypes x 2 reps, a transect position t, field coordinates
x, y) and fitted; the table says, per name, whether it fits (converged or not, ℓ), or is
refused (the error's first line), or fails otherwise (a bug: the exception's type).

    python benchmarks/language_coverage.py [--markdown]

Timings are not the point; a run takes about a minute on one core.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

import numpy as np
import pandas as pd


def _data() -> pd.DataFrame:
    rng = np.random.default_rng(2020)
    rows = []
    for s, site in enumerate(["A", "B", "C"]):
        for r in range(2):
            for g in range(12):
                t = (g + 3 * r) % 6 + 1
                rows.append(dict(site=site, rep=f"{site}{r}", gen=f"G{g:02d}", t=float(t),
                                 tf=str(t), x=float(g % 4) + 0.5 * r, y=float(g // 4) + s,
                                 z=10 + s + 0.5 * np.sin(t) + rng.normal(0, 1)))
    return pd.DataFrame(rows)


def _term(name: str) -> str:
    from asr_py.vcov.base import structure_syntax

    s = structure_syntax(name)
    if name == "own":  # the user's function: σ² ρ^|i−j| (_own_ar1)
        return 'own(site, "fun", c(1, 0.1), c("V", "R")):gen'
    if s is None:  # an ASReml name asr_py does not implement
        return f"{name}(site):gen"
    if s.coordinates:
        return f"{name}(x, y)" if 2 in getattr(s, "dimensions", (1,)) else f"{name}(t)"
    if s.spatial:
        return f"{name}(tf):site"
    if s.order:
        return f"{name}(site, 1):gen"
    return f"{name}(site):gen"


def _own_ar1(order: int, kappa: np.ndarray) -> list[np.ndarray]:
    """own()'s function for the table: [σ² ρ^h, ∂/∂σ², ∂/∂ρ] with h = |i − j|."""
    h = np.abs(np.subtract.outer(np.arange(order), np.arange(order))).astype(float)
    s2, r = kappa
    return [s2 * r**h, r**h, s2 * h * np.where(h > 0, r ** np.maximum(h - 1, 0), 0.0)]


def run(markdown: bool = False) -> list[tuple[str, str, str]]:
    import asr_py as asr
    from asr_py.formula.functions import functions

    d = _data()
    names = sorted(n for n, s in functions().items() if s.kind == "variance")
    out = []
    for nm in names:
        term = _term(nm)
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                extra = {"own": {"fun": _own_ar1}} if nm == "own" else {}
                fit = asr.asreml("z ~ site", random=f"~ {term}", data=d, maxit=50, **extra)
                status = (f"fits ({'converged' if fit.converged else 'not converged'}, "
                          f"ℓ {fit.loglik:.3f})")
            except asr.AsrError as e:
                status = "refused: " + str(e).splitlines()[0][:90]
            except Exception as e:  # noqa: BLE001 - the point is to report it
                status = f"FAILS: {type(e).__name__}: {str(e)[:80]}"
        out.append((nm, term, status + f" [{time.perf_counter() - t0:.1f}s]"))
    if markdown:
        print("| name | written | result |\n|---|---|---|")
        for nm, term, st in out:
            print(f"| `{nm}` | `{term}` | {st} |")
    else:
        for nm, term, st in out:
            print(f"{nm:8s} {term:22s} {st}")
    fits = sum(st.startswith("fits") for _, _, st in out)
    bad = sum(st.startswith("FAILS") for _, _, st in out)
    print(f"\n{len(out)} names: {fits} fit, {len(out) - fits - bad} refused, {bad} fail",
          file=sys.stderr)
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--markdown", action="store_true")
    run(ap.parse_args().markdown)
