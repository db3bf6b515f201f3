#!/usr/bin/env bash
# Build the wheel and sdist, install the wheel (with its test extras) into a fresh venv
# outside the checkout and run the installed package from another folder:
# scripts/smoke_installed.py (CHOLMOD present and used, every `asr-py --help` example incl.
# `asr-py demo`) and the tests that need the compiled sparse backend, the [large] extra
# (Dask, Parquet) and the ML/vcm engine, on a copy of tests/.
# Usage: bash scripts/check_installed.sh [DIST_DIR]   (DIST_DIR: reuse a built wheel)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PYTHON:-python3}
DIST=${1:-}
if [ -z "$DIST" ]; then
  DIST=$ROOT/dist
  rm -rf "$DIST"
  .venv/bin/python -m build --outdir "$DIST" . >/dev/null
fi
WHEEL=$(ls "$DIST"/asr_py-*.whl)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/asr_py_installed.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
echo "installing $(basename "$WHEEL") into a fresh venv in $WORK"
"$PY" -m venv "$WORK/venv"
# the [large] extra: asr.blup_pcg's Dask and Parquet paths are tested from the install too
"$WORK/venv/bin/python" -m pip install --quiet "$WHEEL[large]" pytest hypothesis
cp -r tests "$WORK/tests"
# tests/large simulates its pedigrees with benchmarks/problems.py (the benchmarks' simulators)
mkdir "$WORK/benchmarks" && cp benchmarks/problems.py "$WORK/benchmarks/"
mkdir "$WORK/scripts" && cp scripts/smoke_installed.py "$WORK/scripts/"
cd "$WORK"
"$WORK/venv/bin/python" scripts/smoke_installed.py "$WORK/examples"
"$WORK/venv/bin/python" -m pytest -q -p no:cacheprovider --import-mode=append \
  tests/reml/test_solver_cholmod.py tests/reml/test_selinv_batch.py \
  tests/genetics/test_pedigree.py tests/cli/test_cli_help_examples.py \
  tests/large tests/reml/test_ml.py tests/reml/test_vcm.py
