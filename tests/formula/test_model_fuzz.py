"""Generative fuzz of the ASReml-R model language: random well-formed asreml() models built
from the structure table must parse, then either fit or stop with an AsrError that points at
the formula (a caret) or says what to do (a hint) — no other exception, no hang.

The models are composed from every variance-model name the function table knows (the ones
asr_py fits and ASReml's others, which must be refused), written as ASReml-R would write
them: random terms of 1–3 ``:``-parts (a factor, or a structure over it, with its order
``k`` where it takes one, ``init =`` sometimes), ``at(f)``/``at(f, level)`` conditioning,
``and()``, ``str()``, ``vm()``/``ide()``, ``spl``/``pol``/``dev``; residual terms of spatial
products, ``idh(site):units`` and ``dsum(~ ... | site)`` sections. Fixed seed, short budget
per model in CPU seconds (a profiling timer fails the test on a hang).
"""

from __future__ import annotations

import random
import signal
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.formula.functions import UNAVAILABLE, functions
from asr_py.vcov.base import structure_syntax

N_MODELS = 50
SEED = 29
BUDGET_S = 20          # CPU seconds per model (not wall time: the load of other jobs)
MAXIT = 6              # iterations per fit: the point is the path, not the optimum


def _data() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(SEED)
    rows = []
    for s, site in enumerate("ABC"):
        for r in range(2):
            for g in range(6):
                plot = r * 6 + g
                rows.append(dict(site=site, rep=f"{site}{r}", gen=f"G{g}",
                                 row=str(plot // 4 + 1), col=str(plot % 4 + 1),
                                 x=float((g + r) % 4 + 1), t=float(plot % 5 + 1),
                                 mother=f"G{(g + 1) % 6}", father=f"G{(g + 2) % 6}",
                                 y=10 + s + rng.normal() + 0.3 * g))
    d = pd.DataFrame(rows)
    ids = [f"G{i}" for i in range(6)]
    k = 0.4 ** np.abs(np.subtract.outer(np.arange(6), np.arange(6))) + 0.1 * np.eye(6)
    return d, pd.DataFrame(k, index=ids, columns=ids)


def _variance_names() -> list[str]:
    return sorted(n for n, s in functions().items() if s.kind == "variance" and n != "own")


def _structure(rng: random.Random, name: str, factor: str) -> str:
    """``name`` over ``factor`` as ASReml-R writes it: coordinates for a metric structure,
    the order for one that takes it, sometimes init = (a value per parameter unknown here:
    left to the compiler's count check)."""
    syn = structure_syntax(name)
    if syn is None:                                   # ASReml's unavailable names
        return f"{name}({factor})"
    if syn.coordinates:
        arg = "x, t" if 2 in syn.dimensions and rng.random() < 0.5 else "x"
        if syn.dimensions == (2,):
            arg = "x, t"
        return f"{name}({arg})"
    if syn.order:
        return f"{name}({factor}, {rng.choice([1, 1, 2])})"
    if rng.random() < 0.15 and "init" in syn.named:
        return f"{name}({factor}, init = {rng.choice(['0.5', 'c(0.3, 1)', '1'])})"
    return f"{name}({factor})"


_FACTORS = ("site", "rep", "gen", "row", "col")


def _random_term(rng: random.Random, names: list[str]) -> str:
    kind = rng.random()
    if kind < 0.1:
        return rng.choice(["spl(x)", "dev(x)", "pol(x, 1):gen", "us(pol(x, 1)):gen",
                           "spl(x):site", "leg(x, 1):gen"])
    if kind < 0.18:
        return rng.choice(["vm(gen, K)", "vm(gen, source = K) + ide(gen)",
                           "us(site):vm(gen, K)", "ide(mother, K)", "fa(site, 1):vm(gen, K)"])
    if kind < 0.28:
        return rng.choice(["mother + and(father)", "mother + and(father, 0.5)",
                           "str(~ gen + gen:x, ~ us(2):id(gen))",
                           "str(form = ~ gen + gen:x, vmodel = ~ corgh(2):id(gen))"])
    n_parts = rng.choice([1, 2, 2, 2, 3])
    factors = rng.sample(_FACTORS, n_parts)
    parts = []
    for f in factors:
        r = rng.random()
        if r < 0.45:
            parts.append(f)
        elif r < 0.55 and f == "site":
            parts.append(rng.choice(["at(site)", "at(site, 'A')", "at(site, c('A', 'C'))",
                                     "at(site, 2)"]))
        else:
            parts.append(_structure(rng, rng.choice(names), f))
    return ":".join(parts)


def _residual(rng: random.Random, names: list[str]) -> str | None:
    r = rng.random()
    if r < 0.3:
        return None
    spatial = [n for n in names if (s := structure_syntax(n)) is not None and s.spatial
               and not s.coordinates] + sorted(n for n in UNAVAILABLE if n.startswith("lvr"))
    a, b = rng.choice(spatial + ["id", "idv"]), rng.choice(spatial + ["id"])
    grid = f"{a}(row):{b}(col)"
    return "~ " + rng.choice([
        f"dsum(~ {grid} | site)", "dsum(~ units | site)", "idh(site):units",
        f"dsum(~ {grid} | site, levels = c('A', 'B', 'C'))", "units", "id(units)",
        "dsum(~ idv(units) | site)", f"site:{grid}" if rng.random() < 0.5 else
        f"id(site):{grid}",
    ])


def models(n: int = N_MODELS, seed: int = SEED) -> list[tuple[str, str | None, str | None]]:
    """``n`` random (fixed, random, residual) models, reproducible from ``seed``."""
    rng = random.Random(seed)
    names = _variance_names()
    out = []
    for _ in range(n):
        k = rng.choice([1, 1, 2, 2, 3])
        terms = [_random_term(rng, names) for _ in range(k)]
        random_f = "~ " + " + ".join(dict.fromkeys(terms)) if rng.random() < 0.9 else None
        fixed = rng.choice(["y ~ site", "y ~ 1", "y ~ site + x", "y ~ site + at(site, 'A'):x"])
        out.append((fixed, random_f, _residual(rng, names)))
    return out


class _Hang(Exception):
    pass


@contextmanager
def _budget(seconds: int) -> Iterator[None]:
    def stop(*_: object) -> None:
        raise _Hang

    old = signal.signal(signal.SIGPROF, stop)
    signal.setitimer(signal.ITIMER_PROF, seconds)   # this process's CPU time
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, old)


def _points_at_the_problem(e: asr.AsrError) -> bool:
    """A formula error carries a caret under the call; any other says what to do (a hint)
    or names the term or structure in question."""
    text = str(e)
    if isinstance(e, asr.FormulaError):
        return "^" in text
    return "hint:" in text or "(" in text.splitlines()[0]


def test_models_are_well_formed_and_varied() -> None:
    ms = models()
    assert len(set(ms)) > 0.9 * N_MODELS
    written = " ".join(f"{r} {s}" for _, r, s in ms)
    # the table's structures appear (most of them), with unavailable names among them
    used = {n for n in _variance_names() if f"{n}(" in written}
    assert len(used) >= 0.6 * len(_variance_names())
    assert used & UNAVAILABLE
    for f in ("at(site", "dsum(", "str(", "vm(", "and("):
        assert f in written


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs setitimer (POSIX)")
def test_random_models_parse_then_fit_or_refuse_clearly() -> None:
    d, K = _data()
    outcome: Counter[str] = Counter()
    bad: list[str] = []
    for fixed, rnd, res in models():
        asr.parse_model(fixed, rnd, res)           # every model is well formed
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                with _budget(BUDGET_S):
                    fit = asr.asreml(fixed, rnd, res, data=d, maxit=MAXIT,
                                     **({'K': K} if 'K)' in (rnd or '') else {}))
                assert np.isfinite(fit.loglik)
                outcome["fit"] += 1
            except _Hang:
                bad.append(f"HANG > {BUDGET_S}s: {fixed} | {rnd} | {res}")
            except asr.AsrError as e:
                outcome["refused"] += 1
                if not _points_at_the_problem(e):
                    bad.append(f"unclear {type(e).__name__}: {str(e)[:160]} <- "
                               f"{fixed} | {rnd} | {res}")
            except Exception as e:  # noqa: BLE001 - the point of the test
                bad.append(f"{type(e).__name__}: {str(e)[:160]} <- {fixed} | {rnd} | {res}")
    assert not bad, "\n".join(bad)
    # the generator exercises both outcomes
    assert outcome["fit"] >= N_MODELS // 4 and outcome["refused"] >= 3, outcome
