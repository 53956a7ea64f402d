#!/usr/bin/env bash
# Every static check (what `make lint` runs; scripts/test.sh runs it first):
# ruff on the Python, sqlfluff on the SQL, dbt-score on the dbt metadata.
# The first failure stops the run with a non-zero exit.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export PATH="$PWD/$BIN:$PATH"
step() { printf '\n== %s ==\n' "$*"; }

step "ruff (Python lint and format)"
ruff check src tests python_models bench scripts
ruff format --check src tests python_models bench scripts

step "sqlfluff (SQL lint, dbt templater against a built warehouse)"
bash scripts/lint_sql.sh

step "dbt-score (dbt metadata: descriptions, owners, examples; rules in pyproject.toml)"
# dbt-score reads a manifest; `dbt parse` writes one without touching a
# database. Everything goes to a temporary folder, not the project's target/.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export WML_DUCKDB_PATH="$work/parse.duckdb" DBT_TARGET_PATH="$work/target" DBT_LOG_PATH="$work/logs"
dbt parse --quiet > "$work/parse.log" 2>&1 \
  || { cat "$work/parse.log"; echo "lint: dbt parse failed, cannot score the project"; exit 1; }
dbt-score lint --manifest "$work/target/manifest.json" --fail-project-under 9.5
