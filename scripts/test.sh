#!/usr/bin/env bash
# Set everything up and run the whole test suite (and the linter).
set -euo pipefail
cd "$(dirname "$0")/.."
# ASR_PY_SETUP_DONE=1: the caller ran scripts/setup.sh already (.ci/run: one install per run)
[ -n "${ASR_PY_SETUP_DONE:-}" ] || bash scripts/setup.sh
.venv/bin/python -m ruff check asr_py tests benchmarks examples
.venv/bin/python -m pytest -n 2 "$@"
