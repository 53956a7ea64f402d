"""Partial builds, layer by layer, on a fresh DuckDB file.

Folders are not a topological order here: int_scoring_requests,
int_scoring_features and int_serving_label_classes (models/intermediate)
depend on the registry (ml_models), so the intermediate layer is built in two
parts around training; and training reads the resolved specs from
ml_model_specs (models/marts/registry), so the registry folder is built in two
parts around it too.
"""

from __future__ import annotations

import pytest

from warehouse_ml.generator import GeneratorConfig, write_sample

LAYERS = [
    # Reference data first: the scoring marts join the name seeds (and their unit
    # tests read the seed tables' columns).
    ["--select", "path:seeds"],
    ["--select", "path:models/ingestion"],
    ["--select", "path:models/staging"],
    ["--select", "path:models/intermediate", "--exclude", "ml_models+"],
    ["--select", "path:models/marts/registry", "--exclude", "ml_models+"],
    ["--select", "path:python_models/training"],
    ["--select", "path:models/marts/registry"],
    ["--select", "path:models/intermediate,ml_models+"],
    ["--select", "path:python_models/scoring"],
    ["--select", "path:models/marts/scoring"],
    ["--select", "path:models/marts/propensity"],
    ["--select", "path:models/marts/ingestion"],
    ["--select", "path:models/monitoring"],
]


@pytest.fixture()
def fresh(make_warehouse):
    wh = make_warehouse("partial")
    sample = wh.path.parent / "sample"
    write_sample(sample, GeneratorConfig(n_events=3_000, n_requests=200, seed=3))
    wh.landing, wh.requests = sample / "landing", sample / "requests"
    return wh


def test_each_layer_builds_after_its_parents(fresh):
    for args in LAYERS:
        proc = fresh.build(*args)  # raises with dbt's output on failure
        assert "ERROR=0" in proc.stdout
    # A staging build does not run the singular test that reaches offer_predictions.
    staging = fresh.build("--select", "path:models/staging")
    assert "assert_offer_predictions_one_row_per_accepted_request" not in staging.stdout


def test_eager_selection_fails_on_a_fresh_database(fresh):
    """The check can fail: dbt's default selection runs tests of later layers."""
    fresh.build("--select", "path:models/ingestion", "--indirect-selection", "buildable")
    proc = fresh.dbt(
        "build", "--select", "path:models/staging", "--indirect-selection", "eager", check=False
    )
    assert proc.returncode != 0
    assert "offer_predictions" in proc.stdout
