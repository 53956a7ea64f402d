#!/usr/bin/env bash
# The whole test suite (what `make test` and CI run). Each step says what it
# checks; the first failure stops the run with a non-zero exit.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export PATH="$PWD/$BIN:$PATH"
# XGBoost (OpenMP) must not spin beside DuckDB in the same dbt build (see dbt_runner).
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
step() { printf '\n== %s ==\n' "$*"; }

step "lint: ruff, sqlfluff and dbt-score (scripts/lint.sh, the same as make lint)"
bash scripts/lint.sh

step "set-up: headless Chromium for the report render test (Debian's chromium)"
if ! command -v chromium > /dev/null 2>&1 && command -v apt-get > /dev/null 2>&1; then
  sudo=""
  [[ "$(id -u)" -ne 0 ]] && sudo="sudo"
  $sudo apt-get install -y -q chromium > /dev/null 2>&1 \
    || { $sudo apt-get update -q > /dev/null && $sudo apt-get install -y -q chromium > /dev/null; }
fi
# With a browser installed the render test must run: a missing one fails it, not skips it.
if command -v chromium > /dev/null 2>&1; then export WML_REQUIRE_CHROMIUM=1; fi

step "pytest: package, dbt pipeline on DuckDB, ingestion of broken records"
# The dbt tests build into their own temporary DuckDB files, so two xdist workers can run
# modules side by side (dbt's single-threaded parse and Python leave a core idle otherwise).
# --dist loadfile keeps a module's tests on one worker, in order: its module fixtures are
# built once and tests that build on an earlier test's state see it. --no-loadscope-reorder
# keeps the collection order (slow modules first, tests/pipeline/conftest.py) instead of
# xdist's default of modules with the most tests first.
pytest -q -p no:cacheprovider -n "${WML_PYTEST_WORKERS:-2}" --dist loadfile --no-loadscope-reorder \
  --durations=25 tests/package tests/pipeline

if [[ "${WML_SKIP_TRINO:-0}" != "1" ]]; then
  step "Trino: provision a local server, build the pipeline on it, check parity"
  bash scripts/test_trino.sh
fi

step "benchmark smoke run (tiny N)"
python bench/run.py --smoke
