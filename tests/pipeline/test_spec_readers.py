"""Both readers of model specs agree: dbt's macros (macros/specs/) and warehouse_ml.spec.

The SQL layer and ml_model_specs get their specs from the macros; tools and
tests use the Python reader. Both apply model_specs/_schema.sql, so for the
same files and vars they must give the same resolved specs, and refuse the
same bad specs naming the same file and field.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import DBT, ROOT, Warehouse, copy_project

from warehouse_ml.generator import GeneratorConfig, write_sample
from warehouse_ml.spec import load_specs, spec_file_text

pytestmark = pytest.mark.dbt

RENDER = "{{ tojson(warehouse_ml.model_specs()) }}"

#: A second, binary spec over the offer events (one model for every row).
BINARY = {
    "name": "converts_on_mobile_offer",
    "source": "stg_landing__conversions",
    "entity_key": "event_id",
    "label": {"column": "dtype", "kind": "binary", "positive": "mobile"},
    "features": {"numeric": ["lat", "long"], "categorical": ["country", "dos"]},
    "gate": {"metric": "auc", "threshold": 0.5},
}


def render_specs(project: Path, dbt_vars: dict | None = None) -> list[dict]:
    """The specs as dbt resolves them (compiled in memory, nothing built)."""
    args = [DBT, "compile", "--quiet", "--output", "json", "--inline", RENDER]
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars)]
    env = {
        **os.environ,
        "WML_TARGET": "duckdb",
        "WML_DUCKDB_PATH": ":memory:",
        "DBT_TARGET_PATH": str(project / "target"),
        "DBT_LOG_PATH": str(project / "logs"),
    }
    proc = subprocess.run(args, cwd=project, env=env, capture_output=True, text=True)
    if proc.returncode:
        raise AssertionError(f"dbt compile failed:\n{proc.stdout[-3000:]}\n{proc.stderr}")
    start = proc.stdout.find("{")
    compiled, _ = json.JSONDecoder().raw_decode(proc.stdout[start:])
    return json.loads(compiled["compiled"])


def dbt_error(project: Path, *args: str) -> str:
    env = {
        **os.environ,
        "WML_TARGET": "duckdb",
        "WML_DUCKDB_PATH": str(project / "parse.duckdb"),
        "DBT_TARGET_PATH": str(project / "target"),
        "DBT_LOG_PATH": str(project / "logs"),
    }
    proc = subprocess.run(
        [DBT, *(args or ("parse",))], cwd=project, env=env, capture_output=True, text=True
    )
    assert proc.returncode != 0, "dbt accepted a bad spec"
    return proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def two_spec_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("two_specs"))
    path = project / "model_specs" / f"{BINARY['name']}.sql"
    path.write_text(spec_file_text(BINARY["name"], yaml.safe_dump(BINARY, sort_keys=False)))
    return project


@pytest.mark.parametrize(
    "dbt_vars",
    [
        None,
        {"hpo_trials": 2, "rare_value_handling": "bucket", "max_hamming_loss": 0.5},
        {"campaigns": ["0A1B2C3D-0000-4000-8000-000000000001"], "split_seed": 7},
        {"model_specs": ["converts_on_mobile_offer"], "training_threads": 1},
    ],
)
def test_dbt_and_python_resolve_the_same_specs(two_spec_project: Path, dbt_vars) -> None:
    from_dbt = render_specs(two_spec_project, dbt_vars)
    from_python = load_specs(two_spec_project, dbt_vars=dbt_vars or {})
    assert [s["name"] for s in from_dbt] == [s["name"] for s in from_python]
    # JSON both ways: YAML ints that are numbers in the schema are floats on both sides.
    assert json.loads(json.dumps(from_python)) == from_dbt


def test_the_repository_specs_resolve_the_same_in_both_readers() -> None:
    assert render_specs(ROOT) == json.loads(json.dumps(load_specs(ROOT)))


EVENTS = {
    "source": "stg_events__stream",
    "points": {"every": "1 day"},
    "outcome": {"event_types": ["purchase"], "horizon": "1 day"},
}
#: Replaces the binary spec's fields: an event spec must not write them.
EVENT_SPEC = {"source": None, "entity_key": None, "label": None, "features": None}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"colour": "blue"}, "unknown field 'colour'"),
        ({"training": {"hpo_trials": "ten"}}, "field 'training.hpo_trials' must be a whole number"),
        ({"label": {"column": "dtype", "kind": "binary"}}, "'label.positive' is required"),
        ({"split": {"train_fraction": 0.9, "validation_fraction": 0.2}}, "sum to less than 1"),
        # Event specs: a look-back window cannot reach past t, and derived fields are refused.
        (EVENT_SPEC | {"events": EVENTS | {"windows": ["-1 hour"]}}, "'events.windows[0]'"),
        (EVENT_SPEC | {"events": EVENTS | {"outcome": {"horizon": "1 day"}}}, "event_types and"),
        (EVENT_SPEC | {"events": EVENTS | {"group_rates": {"columns": ["city"]}}}, "'city', which"),
        (EVENT_SPEC | {"events": EVENTS, "entity_key": "event_id"}, "'entity_key' is derived"),
    ],
)
def test_dbt_refuses_a_bad_spec_naming_file_and_field(
    tmp_path: Path, change: dict, message: str
) -> None:
    project = copy_project(tmp_path / "project")
    (project / "model_specs" / "bad.sql").write_text(
        spec_file_text("bad", yaml.safe_dump({**BINARY, "name": "bad", **change}, sort_keys=False))
    )
    output = dbt_error(project)
    assert "model_specs/bad.sql" in output and message in output, output[-3000:]


def test_a_feature_the_source_lacks_fails_the_build_naming_the_field(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    bad = {**BINARY, "name": "bad", "features": {"numeric": ["lat", "altitude"]}}
    (project / "model_specs" / "bad.sql").write_text(
        spec_file_text("bad", yaml.safe_dump(bad, sort_keys=False))
    )
    sample = tmp_path / "sample"
    write_sample(sample, GeneratorConfig(n_events=2_000, n_requests=100, seed=3))
    wh = Warehouse(tmp_path / "w.duckdb", sample / "landing", sample / "requests", project=project)
    proc = wh.dbt("run", "--select", "+int_training_examples", check=False)
    assert proc.returncode != 0
    output = proc.stdout + proc.stderr
    assert "model_specs/bad.sql: field 'features.numeric' names column 'altitude'" in output
