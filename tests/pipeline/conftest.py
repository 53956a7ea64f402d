"""Fixtures that run the real dbt project against temporary DuckDB files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest
import yaml

from warehouse_ml.dbt_project import copy_dbt_project
from warehouse_ml.dbt_runner import (
    PARSE_STATE,
    STALE_SPECS_MESSAGE,
    keep_parse_state,
    seed_parse_state,
)
from warehouse_ml.generator import GeneratorConfig, write_sample
from warehouse_ml.spec import spec_file_text

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
DBT = str(Path(sys.executable).with_name("dbt"))
# dbt's partial-parse state. Warehouses over the same project start from the first
# one's: dbt itself checks the state against the files, vars and env vars it was
# parsed with and parses again what differs (the folders each warehouse reads).
_PARSED = Path(tempfile.mkdtemp(prefix="wml_parse_")) / PARSE_STATE
# Small but real: few HPO trials and rounds keep each build to seconds.
FAST_VARS = "{hpo_trials: 2, num_boost_round: 60, early_stopping_rounds: 10}"
# The offer model's training examples (spec model_specs/offer_conversion.sql) in the
# seed's shape: the split from int_training_examples, the raw inputs from staging
# (not from the spec layer's own unpivoted tables, so references stay independent).
OFFER_EXAMPLES = """
    select
        examples.entity_id as event_id,
        examples.group_id as campaign_id,
        examples.label_value as offer_id,
        examples.split,
        staged.country, staged.dos, staged.dtype, staged.dbrowser,
        staged.city, staged.isp, staged.network, staged.dos_version, staged.dbrowser_version,
        staged.long, staged.lat
    from int_training_examples as examples
    inner join stg_landing__conversions as staged
        on examples.entity_id = staged.event_id and staged.reject_reason is null
    where examples.model_name = 'offer_conversion'
"""


@dataclass
class Warehouse:
    """A DuckDB file built by dbt from given landing and requests folders."""

    path: Path
    landing: Path
    requests: Path
    meta: dict = field(default_factory=dict)
    #: The dbt project dbt runs in (a copy when a test adds model specs).
    project: Path = ROOT
    #: The event log folder (var events_dir); None: an empty one, so no event spec trains.
    events: Path | None = None
    #: Run dbt's unit tests in builds. They check SQL logic on fixed inputs, not the
    #: warehouse's data, so the shared full build (fixture ``generated``) runs them and
    #: other warehouses leave them out (a quarter of a small build's time).
    unit_tests: bool = False

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DBT_PARTIAL_PARSE": "true",
            **({} if self.unit_tests else {"DBT_EXCLUDE_RESOURCE_TYPES": "unit_test"}),
            "WML_TARGET": "duckdb",
            "WML_DUCKDB_PATH": str(self.path),
            "WML_LANDING_DIR": str(self.landing),
            "WML_REQUESTS_DIR": str(self.requests),
            "WML_EVENTS_DIR": str(self.events or self.path.parent / "no_events"),
            # Each warehouse compiles into its own target/ so runs never clobber each other.
            "DBT_TARGET_PATH": str(self.path.parent / "target"),
            "DBT_LOG_PATH": str(self.path.parent / "logs"),
        }

    def dbt(
        self, *args: str, check: bool = True, reparse: bool = True
    ) -> subprocess.CompletedProcess:
        """Run dbt in the project; on failure show its output in the assertion.
        ``reparse``: run again with a full parse when a spec changed since the last."""
        target = self.path.parent / "target"
        shared_parse = self.project == ROOT and not (target / PARSE_STATE).exists()
        if shared_parse:
            seed_parse_state(target, _PARSED)
        proc = subprocess.run(
            [DBT, *args], cwd=self.project, env=self.env, capture_output=True, text=True
        )
        if reparse and proc.returncode and STALE_SPECS_MESSAGE in proc.stdout:
            # A spec file changed since the last parse: what wml's runner does too.
            proc = subprocess.run(
                [DBT, *args, "--no-partial-parse"],
                cwd=self.project,
                env=self.env,
                capture_output=True,
                text=True,
            )
        if shared_parse and not _PARSED.exists():
            keep_parse_state(target, _PARSED)
        if check and proc.returncode != 0:
            raise AssertionError(
                f"dbt {' '.join(args)} failed:\n{proc.stdout[-6000:]}\n{proc.stderr}"
            )
        return proc

    def build(self, *args: str, vars_: str = FAST_VARS) -> subprocess.CompletedProcess:
        return self.dbt("build", "--vars", vars_, *args)

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.path), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def frame(self, sql: str, params: list | None = None):
        with duckdb.connect(str(self.path), read_only=True) as con:
            return con.execute(sql, params or []).df()


def copy_project(dest: Path) -> Path:
    """A copy of the dbt project in ``dest``, for tests that add or change model specs."""
    return copy_dbt_project(ROOT, dest)


def write_jsonl(path: Path, records: list[dict]) -> None:
    """JSON lines, one record a line (the event logs' landed format)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


def event_spec_warehouse(base: Path, spec: dict, records: list[dict]) -> Warehouse:
    """A warehouse over a copy of the project with one more (event) spec and one
    hand-written event log, ``records``; no offers are landed."""
    for folder in ("landing", "requests"):
        (base / folder).mkdir()
    write_jsonl(base / "events" / "log.json", records)
    project = copy_project(base / "project")
    (project / "model_specs" / f"{spec['name']}.sql").write_text(
        spec_file_text(spec["name"], yaml.safe_dump(spec, sort_keys=False))
    )
    return Warehouse(
        base / "w.duckdb",
        base / "landing",
        base / "requests",
        project=project,
        events=base / "events",
    )


def sample_warehouse(make: Callable[..., Warehouse], name: str, **config) -> Warehouse:
    """A fresh warehouse whose landing and requests folders hold a generated sample."""
    from warehouse_ml.generator import GeneratorConfig, write_sample

    wh = make(name)
    write_sample(wh.path.parent / "sample", GeneratorConfig(**config))
    wh.landing = wh.path.parent / "sample" / "landing"
    wh.requests = wh.path.parent / "sample" / "requests"
    return wh


@pytest.fixture(scope="session")
def make_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Warehouse]:
    """Factory: a fresh DuckDB path with its own landing and requests folders."""

    def make(name: str) -> Warehouse:
        base = tmp_path_factory.mktemp(name)
        (base / "landing").mkdir()
        (base / "requests").mkdir()
        return Warehouse(base / "warehouse.duckdb", base / "landing", base / "requests")

    return make


@pytest.fixture(scope="session")
def generated(make_warehouse: Callable[..., Warehouse]) -> Warehouse:
    """The generated sample built end to end once (shared by read-only tests)."""
    wh = make_warehouse("generated")
    meta = write_sample(
        wh.path.parent / "sample", GeneratorConfig(n_events=12_000, n_requests=1_200, seed=5)
    )
    wh.landing = wh.path.parent / "sample" / "landing"
    wh.requests = wh.path.parent / "sample" / "requests"
    wh.meta = meta
    wh.unit_tests = True
    wh.build()
    results = json.loads((wh.path.parent / "target" / "run_results.json").read_text())
    wh.meta["unit_tests_passed"] = sum(
        r["unique_id"].startswith("unit_test.") and r["status"] == "pass"
        for r in results["results"]
    )
    return wh


# The modules that build several warehouses, slowest first (pytest --durations in
# CI). xdist hands modules out in collection order (--dist loadfile): started
# first, they overlap the many short ones instead of running alone at the end.
SLOW_MODULES = (
    "test_report.py",
    "test_monitoring.py",
    "test_registry_lifecycle.py",
    "test_two_specs.py",
    "test_partial_builds.py",
    "test_prediction_log.py",
    "test_event_propensity.py",
    "test_realised_outcomes.py",
    "test_registry_upgrade.py",
    "test_offer_golden.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slow modules first; every module's tests keep their order (a stable sort)."""
    rank = {name: i for i, name in enumerate(SLOW_MODULES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))
