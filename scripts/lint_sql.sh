#!/usr/bin/env bash
# sqlfluff with the dbt templater needs a built warehouse (models read the
# registry and the file manifest at compile time), so build a tiny one first.
# A file the templater skips (because dbt failed to compile it) fails the step.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export WML_DUCKDB_PATH="$work/lint.duckdb"
export WML_LANDING_DIR="$work/sample/landing"
export WML_REQUESTS_DIR="$work/sample/requests"
export WML_EVENTS_DIR="$work/no_events"
$BIN/wml generate --out "$work/sample" --events 3000 --requests 300 --seed 5 > /dev/null
# The tables are what sqlfluff needs; the unit tests run in the pytest suite.
DBT_EXCLUDE_RESOURCE_TYPES=unit_test $BIN/dbt build --quiet --vars '{hpo_trials: 1, num_boost_round: 20}' > "$work/build.log" 2>&1 \
  || { cat "$work/build.log"; echo "lint: the warehouse build failed, cannot lint"; exit 1; }
set +e
$BIN/sqlfluff lint models python_models analyses tests/dbt --nocolor > "$work/lint.log" 2>&1
status=$?
set -e
cat "$work/lint.log"
if grep -iE "skipp(ed|ing)" "$work/lint.log" | grep -vq "because it is disabled"; then
  echo "lint: sqlfluff skipped files (dbt could not compile them): failing"
  exit 1
fi
exit $status
