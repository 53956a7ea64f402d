"""TrainingSettings: the dbt vars that steer training, validated once."""

from __future__ import annotations

import os

import pytest

from warehouse_ml.registry import TrainingSettings

VARS = {
    "hpo_trials": "10",
    "hpo_seed": "13",
    "num_boost_round": "300",
    "early_stopping_rounds": "20",
    "min_training_rows": "50",
    "training_sample_cap": "5000000",
    "max_hamming_loss": "0.40",
    "pinned_models": "{}",
}


def test_vars_arrive_as_text_and_new_vars_have_defaults() -> None:
    settings = TrainingSettings.from_vars(VARS)
    assert settings.n_trials == 10 and settings.sample_cap == 5_000_000
    assert settings.search_sample_cap == 100_000 and settings.threads == 0
    tuned = TrainingSettings.from_vars({**VARS, "hpo_sample_cap": "1000", "training_threads": "3"})
    assert tuned.search_sample_cap == 1000 and tuned.nthread == 3


def test_zero_threads_means_every_usable_core() -> None:
    assert TrainingSettings(threads=0).nthread == len(os.sched_getaffinity(0))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("search_sample_cap", 0, "hpo_sample_cap"),
        ("threads", -1, "training_threads"),
        ("sample_cap", 0, "training_sample_cap"),
        ("n_trials", 0, "hpo_trials"),
    ],
)
def test_bad_values_are_refused_with_the_var_name(field: str, value: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TrainingSettings(**{field: value})


@pytest.mark.parametrize(
    ("text", "expected"), [("true", True), ("False", False), (True, True), ("0", False)]
)
def test_refit_on_validation_var_accepts_yaml_and_text_booleans(text, expected) -> None:
    settings = TrainingSettings.from_vars({**VARS, "refit_on_validation": text})
    assert settings.refit_on_validation is expected
    assert TrainingSettings.from_vars(VARS).refit_on_validation is True


def test_refit_on_validation_var_refuses_other_text() -> None:
    with pytest.raises(ValueError, match="true or false"):
        TrainingSettings.from_vars({**VARS, "refit_on_validation": "sometimes"})
