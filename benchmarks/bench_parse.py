"""Parse-time benchmark for the formula front end (times are CPU time per call).

Run: ``python benchmarks/bench_parse.py``. Reports the uncached parse time of a typical
three-line formula (goal: under 1 ms) and of a 7 kB, 700-term formula, plus expansion and
validation times. Best of several repeats, to be robust on a shared machine.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from asr_py.formula import expand, parse_model  # noqa: E402
from asr_py.formula.parser import get_parser, parse_formula_uncached  # noqa: E402

TYPICAL = (
    "yield ~ Site + Site:Rep + at(Site):Block\n"
    "  + fa(Site, 2):vm(Genotype, K) + ide(Genotype)   # genetic part\n"
    "  + spl(Days, k = 6) + pol(Days, 2)"
)

FIXED = "yield ~ Site + Site:Rep + lin(Row) + pol(Days, 2)"
RANDOM = "~ fa(Site, 2):vm(Genotype, K) + ide(Genotype) + at(Site):Block + spl(Days, k = 6)"
RESIDUAL = "~ dsum(~ ar1(Row):ar1(Col) | Site)"


def big_formula(n_terms: int = 700) -> str:
    """About 10 characters per term: ``x123:B7`` and ``at(S, 'L1'):x`` mixed."""
    terms = []
    for i in range(n_terms):
        terms.append(f"x{i}:f{i % 9}" if i % 3 else f"at(S,{i}):z")
    return "y ~ " + " + ".join(terms)


def best_of(fn, number: int, repeat: int = 5) -> float:
    """CPU seconds per call (process time, so other jobs on a shared machine do not count):
    the best of ``repeat`` runs of ``number`` calls."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        for _ in range(number):
            fn()
        best = min(best, (time.process_time() - t0) / number)
    return best


def wall_per_call(fn, number: int) -> float:
    """Wall-clock seconds per call (includes waiting for a busy CPU)."""
    t0 = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - t0) / number


def main() -> None:
    t0 = time.perf_counter()
    get_parser()
    print(f"grammar load + LALR table build (once per process): "
          f"{(time.perf_counter() - t0) * 1e3:.1f} ms")

    t = best_of(lambda: parse_formula_uncached(TYPICAL), 500)
    w = wall_per_call(lambda: parse_formula_uncached(TYPICAL), 500)
    print(f"typical 3-line formula ({len(TYPICAL)} chars): parse {t * 1e3:.3f} ms CPU "
          f"(goal < 1 ms: {'ok' if t < 1e-3 else 'MISSED'}); wall {w * 1e3:.3f} ms")
    f = parse_formula_uncached(TYPICAL)
    t = best_of(lambda: expand(f), 500)
    print(f"  expand {t * 1e3:.3f} ms")
    t = best_of(lambda: parse_model(FIXED, random=RANDOM, residual=RESIDUAL), 200)
    print(f"  parse_model of a fixed/random/residual set (parse cached after the first call, "
          f"+ validation) {t * 1e3:.3f} ms")

    big = big_formula()
    t = best_of(lambda: parse_formula_uncached(big), 5, repeat=3)
    print(f"700-term formula ({len(big) / 1000:.1f} kB): parse {t * 1e3:.1f} ms CPU")
    fb = parse_formula_uncached(big)
    t = best_of(lambda: expand(fb), 5, repeat=3)
    print(f"  expand {t * 1e3:.1f} ms ({len(expand(fb).terms)} terms)")
    t = best_of(lambda: str(fb), 5, repeat=3)
    print(f"  print {t * 1e3:.1f} ms")

    deep = "y ~ " + "(" * 500 + "a" + ")" * 500
    t = best_of(lambda: parse_formula_uncached(deep), 5, repeat=3)
    print(f"500 nested parentheses: parse {t * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
