#!/usr/bin/env bash
# Set everything up and run the whole test suite (and the linter).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m ruff check asr_py tests benchmarks examples
.venv/bin/python -m pytest -n 2 "$@"
