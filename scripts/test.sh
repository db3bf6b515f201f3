#!/usr/bin/env bash
# Set everything up and run the whole test suite (and the linter).
set -euo pipefail
cd "$(dirname "$0")/.."
# ASR_PY_SETUP_DONE=1: the caller ran scripts/setup.sh already (.ci/run: one install per run)
[ -n "${ASR_PY_SETUP_DONE:-}" ] || bash scripts/setup.sh
.venv/bin/python -m ruff check asr_py tests benchmarks examples
# one BLAS/OpenMP thread per xdist worker: the 2 workers already keep 2 cores busy, and extra
# OpenBLAS threads spin on cores the other worker needs (tests/api/test_fa_layout.py and
# test_psd_known.py on a loaded 2-core machine: 264 s CPU with the default threads, 22 s with
# one). asr_py still raises its own BLAS limit for large fits (asr_py/threads.py).
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
.venv/bin/python -m pytest -n 2 "$@"
