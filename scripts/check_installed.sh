#!/usr/bin/env bash
# Build the wheel and sdist, install the wheel (with its test extras) into a fresh venv
# outside the checkout and run the installed package from another folder:
# scripts/smoke_installed.py (CHOLMOD present and used, every `asr-py --help` example incl.
# `asr-py demo`) and the tests that need the compiled sparse backend, the [large] extra
# (Dask, Parquet) and the ML/vcm engine, on a copy of tests/.
# Usage: bash scripts/check_installed.sh [DIST_DIR]   (DIST_DIR: reuse a built wheel)
#        bash scripts/check_installed.sh --venv-only DIST_DIR VENV_DIR
#          only make the fresh venv with the wheel installed (.ci/run does this while the
#          suite runs: pip's unpacking is mostly I/O), then
#        ASR_PY_INSTALLED_VENV=VENV_DIR bash scripts/check_installed.sh DIST_DIR
#          runs the checks with that venv instead of making one.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PYTHON:-python3}

make_venv() {  # make_venv WHEEL VENV_DIR: a fresh venv holding the wheel and its [large] extra
  echo "installing $(basename "$1") into a fresh venv in $2"
  "$PY" -m venv "$2"
  # the [large] extra: asr.blup_pcg's Dask and Parquet paths are tested from the install too
  "$2/bin/python" -m pip install --quiet "$1[large]" pytest hypothesis
}

if [ "${1:-}" = "--venv-only" ]; then
  make_venv "$(ls "$2"/asr_py-*.whl)" "$3"
  exit 0
fi
DIST=${1:-}
if [ -z "$DIST" ]; then
  DIST=$ROOT/dist
  rm -rf "$DIST"
  .venv/bin/python -m build --outdir "$DIST" . >/dev/null
fi
WHEEL=$(ls "$DIST"/asr_py-*.whl)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/asr_py_installed.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
VENV=${ASR_PY_INSTALLED_VENV:-}
if [ -z "$VENV" ]; then
  VENV=$WORK/venv
  make_venv "$WHEEL" "$VENV"
fi
cp -r tests "$WORK/tests"
# tests/large simulates its pedigrees with benchmarks/problems.py (the benchmarks' simulators)
mkdir "$WORK/benchmarks" && cp benchmarks/problems.py "$WORK/benchmarks/"
mkdir "$WORK/scripts" && cp scripts/smoke_installed.py "$WORK/scripts/"
cd "$WORK"
"$VENV/bin/python" scripts/smoke_installed.py "$WORK/examples"
"$VENV/bin/python" -m pytest -q -p no:cacheprovider --import-mode=append \
  tests/reml/test_solver_cholmod.py tests/reml/test_selinv_batch.py \
  tests/genetics/test_pedigree.py tests/cli/test_cli_help_examples.py \
  tests/large tests/reml/test_ml.py tests/reml/test_vcm.py
