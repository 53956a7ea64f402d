"""TrainingSettings: what steers training, built from a resolved spec and validated once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from warehouse_ml.registry import TrainingSettings
from warehouse_ml.spec import load_spec_file

OFFER = Path(__file__).resolve().parents[2] / "model_specs" / "offer_conversion.sql"


def test_settings_come_from_the_spec_and_its_var_overrides() -> None:
    settings = TrainingSettings.from_spec(load_spec_file(OFFER))
    assert settings.n_trials == 10 and settings.sample_cap == 5_000_000
    assert settings.search_sample_cap == 100_000 and settings.threads == 0
    assert settings.gate_metric == "hamming_loss" and settings.gate_threshold == 0.40
    tuned = TrainingSettings.from_spec(
        load_spec_file(OFFER, dbt_vars={"hpo_sample_cap": 1000, "training_threads": 3})
    )
    assert tuned.search_sample_cap == 1000 and tuned.nthread == 3
    assert TrainingSettings.from_spec(load_spec_file(OFFER), "trino").dialect == "trino"


def test_zero_threads_means_every_usable_core() -> None:
    assert TrainingSettings(threads=0).nthread == len(os.sched_getaffinity(0))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("search_sample_cap", 0, "hpo_sample_cap"),
        ("threads", -1, "training_threads"),
        ("sample_cap", 0, "training_sample_cap"),
        ("n_trials", 0, "hpo_trials"),
        ("gate_direction", "up", "gate direction"),
    ],
)
def test_bad_values_are_refused_with_the_field_name(field: str, value, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TrainingSettings(**{field: value})


@pytest.mark.parametrize(("value", "expected"), [(True, True), (False, False)])
def test_refit_on_validation_follows_the_spec(value: bool, expected: bool) -> None:
    spec = load_spec_file(OFFER, dbt_vars={"refit_on_validation": value})
    assert TrainingSettings.from_spec(spec).refit_on_validation is expected
