"""The fixed cost of a small fit (s33small): CPU per ``asr.asreml()`` fit of four small
models, this checkout against ``--old-ref`` (main when s33small started) in the same run.

    python benchmarks/bench_small_fit.py [--old-ref 960b0249] [--reps 10] [--rounds 3]

Users fit small models in loops (cross-validation folds, one fit per trial, simulations;
asremlPlus's test42Parallel.r refits the chickpea model 1 000 times), where the costs that do
not grow with the data (model compilation, pre-fit checks, post-passes) matter. The models
are bench_small_fits.py's ``plain`` (100 records, ``y ~ x``, ``random = ~ g``), ``us2``
(240 records, ``us(Site):Geno`` with a ``dsum`` residual), ``field`` (300 plots,
``ar1(Row):ar1(Col)`` residual) and ``chickpea`` (1 010 records, 528 fixed-effect columns,
two random terms, ``dsum`` of ``ar1 x ar1``); each runs in a child process on one BLAS
thread with the old tree (``git archive``, first on PYTHONPATH) and this checkout, and the
largest relative differences of ℓ, θ, their SEs, the effects and the predictions (and SEs)
are printed beside the CPU: a speed-up must leave them at round-off.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_small_fits  # noqa: E402

#: main when s33small started
OLD_REF = "960b0249"
MODELS = "plain,us2,field,chickpea"


def main() -> None:
    args = sys.argv[1:]
    if not any(a.startswith("--old-ref") for a in args):
        args += ["--old-ref", OLD_REF]
    if not any(a.startswith("--workloads") for a in args):
        args += ["--workloads", MODELS]
    if not any(a.startswith("--reps") for a in args):
        args += ["--reps", "10"]
    sys.argv = [str(Path(bench_small_fits.__file__))] + args
    bench_small_fits.main()


if __name__ == "__main__":
    main()
