"""Fixtures for the Trino suite: a server connection (skip, or fail under
WML_TRINO_REQUIRED, when none answers) and a throw-away schema pair."""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from reference.frames import normalised

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REQUIRED = os.environ.get("WML_TRINO_REQUIRED", "").strip().lower() not in ("", "0", "false", "no")


def run(cmd: list[str], env: dict[str, str], what: str) -> subprocess.CompletedProcess:
    """Run a command in the project; on failure show the end of its output."""
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if proc.returncode:
        raise AssertionError(
            f"{what} failed ({proc.returncode}):\n{proc.stdout[-8000:]}\n{proc.stderr[-3000:]}"
        )
    return proc


@pytest.fixture(scope="session")
def trino_settings():
    """Connection settings from WML_TRINO_* (the suite's server), or skip / fail."""
    from warehouse_ml.trino_client import TrinoClient, TrinoSettings

    settings = TrinoSettings.from_env()
    try:
        with TrinoClient(settings) as client:
            client.execute("select 1")
    except Exception as exc:
        reason = f"no Trino answers at {settings.host}:{settings.port} ({type(exc).__name__})"
        if REQUIRED:
            pytest.fail(f"WML_TRINO_REQUIRED is set but {reason}", pytrace=False)
        pytest.skip(
            f"{reason}; start one with `.venv/bin/python scripts/trino/trino_local.py start`"
        )
    return settings


#: Modules whose set-up builds the pipeline on both engines (about 10 minutes each):
#: collected first so scripts/test_trino.sh's two xdist workers start one each.
SLOW_MODULES = ("test_parity.py", "test_parity_events.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slow modules first; every module's tests keep their order (a stable sort)."""
    rank = {name: i for i, name in enumerate(SLOW_MODULES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


class ServerLock:
    """A module's hold on the suite's Trino server. scripts/test_trino.sh runs
    the modules on two xdist workers against one server: every module holds
    the lock shared while it runs, and a test that restarts the server gives
    its own hold up and takes the lock exclusively (:meth:`exclusive`), so the
    restart waits for the other worker's module and the next one waits for it."""

    def __init__(self) -> None:
        host = os.environ.get("WML_TRINO_HOST", "127.0.0.1")
        port = os.environ.get("WML_TRINO_PORT", "8080")
        self.path = Path(tempfile.gettempdir()) / f"wml_trino_{host}_{port}.lock"
        self._shared = self.path.open("a")
        fcntl.flock(self._shared, fcntl.LOCK_SH)

    def release(self) -> None:
        if not self._shared.closed:
            self._shared.close()  # closing the file drops its lock

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        self.release()
        with self.path.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield


@pytest.fixture(scope="module", autouse=True)
def server_lock() -> Iterator[ServerLock]:
    lock = ServerLock()
    yield lock
    lock.release()


class TrinoWarehouse:
    """A fresh target schema (and its landing schema) on the suite's Trino server."""

    def __init__(self, settings) -> None:
        from warehouse_ml.trino_client import TrinoClient

        name = f"wml_pytest_{uuid.uuid4().hex[:10]}"
        self.settings = dataclasses.replace(settings, schema=name, landing="")
        self.client = TrinoClient(self.settings)

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, **self.settings.env()}

    def frame(self, sql: str, params: list | None = None) -> pd.DataFrame:
        return self.client.frame(sql, params)

    def drop(self) -> None:
        s = self.settings
        schemas = [(s.catalog, s.schema), (s.catalog, s.landing_schema)]
        if s.reads_lake:
            # External tables only: dropping them leaves the landing files alone.
            schemas.append((s.lake_catalog, s.landing_schema))
        for catalog, schema in schemas:
            self.client.execute(f"drop schema if exists {catalog}.{schema} cascade")
        self.client.close()


@pytest.fixture(scope="module")
def trino_warehouse(trino_settings) -> Iterator[TrinoWarehouse]:
    wh = TrinoWarehouse(trino_settings)
    yield wh
    wh.drop()


def folders_env(landing: Path, requests: Path, events: Path) -> dict[str, str]:
    """The WML_* variables naming the three landing folders."""
    return {
        "WML_LANDING_DIR": str(landing),
        "WML_REQUESTS_DIR": str(requests),
        "WML_EVENTS_DIR": str(events),
    }


def duck_frame(con, sql: str) -> pd.DataFrame:
    """A query's rows on the DuckDB side, normalised for comparison."""
    return normalised(con.execute(sql).df())


def trino_frame(wh, sql: str) -> pd.DataFrame:
    """A query's rows on the Trino side, normalised for comparison."""
    return normalised(wh.frame(sql))


def assert_same(duck, trino, sql: str, **kwargs) -> pd.DataFrame:
    """Both engines give the same rows for ``sql`` (kwargs go to assert_frame_equal); the rows."""
    left, right = duck_frame(duck, sql), trino_frame(trino, sql)
    pd.testing.assert_frame_equal(left, right, check_dtype=False, **kwargs)
    return left


@pytest.fixture(scope="module")
def parity_vars(request) -> str:
    """The dbt vars both engines build with: the test module's ``VARS``."""
    return request.module.VARS


@pytest.fixture(scope="module")
def duck(folders: dict[str, str], parity_vars: str, tmp_path_factory):
    """`dbt build` of the module's folders (fixture ``folders``) and vars (its
    ``VARS``, fixture ``parity_vars``) into a new DuckDB file; a read-only connection to it."""
    import duckdb

    path = tmp_path_factory.mktemp("duck") / "warehouse.duckdb"
    env = {**os.environ, "WML_TARGET": "duckdb", "WML_DUCKDB_PATH": str(path), **folders}
    # The DuckDB suite runs the unit tests; here DuckDB is only the reference.
    env.update(DBT_PARTIAL_PARSE="true", DBT_EXCLUDE_RESOURCE_TYPES="unit_test")
    run([str(BIN / "dbt"), "build", "--vars", parity_vars], env, "dbt build on DuckDB")
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def trino(folders: dict[str, str], parity_vars: str, trino_warehouse, request) -> TrinoWarehouse:
    """`wml run --target trino` of the same folders and vars into a fresh schema
    (its log in ``.log``). The unit tests run on Trino unless the module says
    ``UNIT_TESTS = False`` (one module running them is enough)."""
    env = {**trino_warehouse.env, **folders}
    if not getattr(request.module, "UNIT_TESTS", True):
        env["DBT_EXCLUDE_RESOURCE_TYPES"] = "unit_test"
    proc = run(
        [str(BIN / "wml"), "run", "--target", "trino", "--vars", parity_vars],
        env,
        "wml run --target trino",
    )
    trino_warehouse.log = proc.stdout
    return trino_warehouse
