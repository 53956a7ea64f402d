#!/usr/bin/env bash
# The whole test suite (what `make test` and CI run). Each step says what it
# checks; the first failure stops the run with a non-zero exit.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export PATH="$PWD/$BIN:$PATH"
step() { printf '\n== %s ==\n' "$*"; }

step "ruff (Python lint and format)"
ruff check src tests python_models bench scripts
ruff format --check src tests python_models bench scripts

step "pytest: package, dbt pipeline on DuckDB, ingestion of broken records"
# The dbt tests build into their own temporary DuckDB files.
pytest -q -p no:cacheprovider tests/package tests/pipeline

step "sqlfluff (SQL lint, dbt templater against a built warehouse)"
bash scripts/lint_sql.sh

if [[ "${WML_SKIP_TRINO:-0}" != "1" ]]; then
  step "Trino: provision a local server, build the pipeline on it, check parity"
  bash scripts/test_trino.sh
fi

step "benchmark smoke run (tiny N)"
python bench/run.py --smoke
