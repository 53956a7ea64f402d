#!/usr/bin/env bash
# The Trino suite (called by scripts/test.sh): start a local Trino cluster
# (scripts/trino/trino_local.py downloads Trino from Maven Central once into the
# git-ignored .cache/trino), run tests/trino against it with
# WML_TRINO_REQUIRED=1 (no server is a failure, not a skip), and stop the server
# again even when a test fails. A server this script did not start (already
# running from .cache/trino) is used and left running.
# Extra arguments go to pytest, e.g. `bash scripts/test_trino.sh -k parity`.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
LOCAL="$BIN/python scripts/trino/trino_local.py"
export WML_TRINO_HOST="${WML_TRINO_HOST:-127.0.0.1}"
export WML_TRINO_PORT="${WML_TRINO_PORT:-8080}"
# The local cluster's persistent catalog (Iceberg tables on disk), as users build into;
# its restart test (test_parity.py) needs tables that outlive the server.
export WML_TRINO_CATALOG=iceberg
export WML_TRINO_REQUIRED=1
# The JDK AOT cache halves later starts, but the run that creates it pays
# 15-60 s when the server stops: use a cache an earlier start left, never make
# one here (a fresh CI machine would pay for it and throw it away).
cache="${WML_TRINO_CACHE:-.cache/trino}"
if [[ -z "${WML_TRINO_AOT:-}" ]]; then
  if compgen -G "$cache/aot/*.aot" > /dev/null; then export WML_TRINO_AOT=1; else export WML_TRINO_AOT=0; fi
fi

started_here=0
stop_server() {
  if [[ $started_here == 1 ]]; then
    $LOCAL stop || echo "test_trino: could not stop the Trino server (see $cache/trino.log)" >&2
  fi
}
trap stop_server EXIT

t0=$SECONDS
if $LOCAL status > /dev/null 2>&1; then
  echo "[test_trino] using the Trino server already running on $WML_TRINO_HOST:$WML_TRINO_PORT"
else
  started_here=1
  $LOCAL start
fi
echo "[test_trino] server ready after $((SECONDS - t0))s"
# The local cluster authenticates with a password over HTTPS (WML_TRINO_AUTH=none turns
# that off): point every client (dbt, the Python client, the tests) at what start wrote.
if [[ "${WML_TRINO_AUTH:-password}" != none ]]; then
  set -a
  # shellcheck source=/dev/null
  source "$cache/secrets/credentials.env"
  set +a
fi
# Two xdist workers: a Trino build is mostly round trips to the coordinator, so two
# modules side by side take little longer than one. Each worker runs whole modules in
# collection order (the two parity builds first, one each); the restart test waits for
# the other worker's module (tests/trino/conftest.py: ServerLock).
$BIN/pytest -q -p no:cacheprovider -n "${WML_TRINO_PYTEST_WORKERS:-2}" --dist loadfile \
  --no-loadscope-reorder --durations=25 tests/trino "$@"
echo "[test_trino] suite finished in $((SECONDS - t0))s"
