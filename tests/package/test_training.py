"""Tests for warehouse_ml.training: determinism, learning, skips and prediction range."""

from __future__ import annotations

import json

import numpy as np
import optuna
import pytest
import xgboost as xgb
from sklearn.metrics import hamming_loss

from warehouse_ml.training import (
    SEARCH_SPACE,
    TrainingSkipped,
    check_trainable,
    predict_proba,
    train_model,
)

FAST = {"num_boost_round": 60, "early_stopping_rounds": 10}
# long enough that early stopping ends the searched trials before the last round
SEARCH = {"num_boost_round": 300, "early_stopping_rounds": 5}


def _synthetic(n: int, seed: int, noise: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """lat, long, 3 one-hot countries; the offer follows country, then latitude."""
    rng = np.random.default_rng(seed)
    lat = rng.uniform(-60, 60, n)
    long = rng.uniform(-180, 180, n)
    lat[rng.random(n) < 0.05] = np.nan  # some missing coordinates
    country = rng.integers(0, 3, n)
    onehot = np.eye(3)[country]
    y = np.where(country == 0, 0, np.where(country == 1, 1, np.where(lat > 0, 2, 1)))
    flip = rng.random(n) < noise
    y[flip] = rng.integers(0, 3, flip.sum())
    return np.column_stack([lat, long, onehot]), y


def fit(data, n_classes=3, **kwargs):
    """train_model on the fixture's train and validation splits."""
    return train_model(
        data["X_train"],
        data["y_train"],
        data["X_valid"],
        data["y_valid"],
        n_classes=n_classes,
        **kwargs,
    )


@pytest.fixture(scope="module")
def data() -> dict[str, np.ndarray]:
    X, y = _synthetic(1500, seed=5)
    return {
        "X_train": X[:1000],
        "y_train": y[:1000],
        "X_valid": X[1000:1250],
        "y_valid": y[1000:1250],
        "X_test": X[1250:],
        "y_test": y[1250:],
    }


@pytest.fixture(scope="module")
def trained(data: dict[str, np.ndarray]):
    return fit(
        data,
        n_trials=3,
        seed=13,
        **SEARCH,
    )


def test_search_space_is_the_seeds() -> None:
    assert {k: (v.low, v.high, v.log, v.integer) for k, v in SEARCH_SPACE.items()} == {
        "alpha": (0.01, 10.0, True, False),
        "eta": (0.01, 0.2, False, False),
        "gamma": (0.0, 0.5, False, False),
        "min_child_weight": (1.0, 10.0, False, False),
        "max_depth": (3, 10, False, True),
        "subsample": (0.5, 1.0, False, False),
    }


def test_result_shape_and_params_within_ranges(trained) -> None:
    assert trained.n_trials == 3 and len(trained.trials) == 3
    assert set(trained.best_params) == set(SEARCH_SPACE)
    for trial in trained.trials:
        for name, value in trial["params"].items():
            spec = SEARCH_SPACE[name]
            assert spec.low <= value <= spec.high
        assert trial["state"] == "COMPLETE"
    assert isinstance(trained.best_params["max_depth"], int)
    assert trained.valid_score == min(t["valid_score"] for t in trained.trials)
    assert trained.xgb_params["objective"] == "multi:softprob"
    assert trained.xgb_params["num_class"] == 3
    assert 0 <= trained.best_iteration < SEARCH["num_boost_round"]


def test_booster_holds_exactly_the_used_rounds(trained) -> None:
    booster = trained.booster
    assert trained.best_iteration < 250  # stopped early, so later rounds existed
    assert booster.num_boosted_rounds() == trained.best_iteration + 1
    assert booster.best_iteration == trained.best_iteration
    reloaded = xgb.Booster()
    reloaded.load_model(bytearray(booster.save_raw("json")))
    assert reloaded.best_iteration == trained.best_iteration


def test_early_stopped_rounds_are_dropped_and_predictions_unchanged(data) -> None:
    """An overfitting setting stops early; the kept trees give the reference's output."""
    fixed = {"eta": 0.6, "max_depth": 8, "min_child_weight": 0.1}
    result = fit(
        data,
        fixed_params=fixed,
        num_boost_round=200,
        early_stopping_rounds=5,
    )
    assert result.best_iteration < 150  # early stopping really happened
    assert result.booster.num_boosted_rounds() == result.best_iteration + 1

    reference = xgb.train(
        result.xgb_params,
        xgb.DMatrix(data["X_train"], label=data["y_train"]),
        num_boost_round=200,
        evals=[(xgb.DMatrix(data["X_valid"], label=data["y_valid"]), "validation")],
        early_stopping_rounds=5,
        verbose_eval=False,
    )
    assert reference.num_boosted_rounds() > result.booster.num_boosted_rounds()
    assert reference.best_iteration == result.best_iteration
    expected = reference.predict(
        xgb.DMatrix(data["X_test"]), iteration_range=(0, reference.best_iteration + 1)
    )
    got = predict_proba(result.booster, data["X_test"], result.best_iteration)
    np.testing.assert_array_equal(got, expected)


def test_same_seed_is_deterministic(data, trained) -> None:
    again = fit(
        data,
        n_trials=3,
        seed=13,
        **SEARCH,
    )
    assert again.best_params == trained.best_params
    assert again.best_iteration == trained.best_iteration
    assert again.valid_score == trained.valid_score
    assert [t["params"] for t in again.trials] == [t["params"] for t in trained.trials]
    X = data["X_test"]
    np.testing.assert_array_equal(
        predict_proba(again.booster, X, again.best_iteration),
        predict_proba(trained.booster, X, trained.best_iteration),
    )
    assert again.booster.save_raw("json") == trained.booster.save_raw("json")


def test_other_seed_explores_other_params(data, trained) -> None:
    other = fit(
        data,
        n_trials=2,
        seed=99,
        **FAST,
    )
    assert other.trials[0]["params"] != trained.trials[0]["params"]


def test_learns_the_rule_far_better_than_majority(data, trained) -> None:
    proba = predict_proba(trained.booster, data["X_test"], trained.best_iteration)
    assert proba.shape == (len(data["y_test"]), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    loss = hamming_loss(data["y_test"], proba.argmax(axis=1))
    majority = np.bincount(data["y_train"]).argmax()
    baseline = hamming_loss(data["y_test"], np.full_like(data["y_test"], majority))
    assert baseline > 0.5
    assert loss < 0.15
    assert loss < baseline / 3


def test_predict_proba_equals_booster_predict_with_iteration_range(data) -> None:
    # no early stop: the booster keeps all rounds, so the range really cuts
    result = fit(
        data,
        fixed_params={"eta": 0.1, "max_depth": 3},
        num_boost_round=30,
        early_stopping_rounds=30,
    )
    booster, X = result.booster, data["X_test"]
    for k in (0, 5, result.best_iteration):
        expected = booster.predict(xgb.DMatrix(X), iteration_range=(0, k + 1))
        np.testing.assert_array_equal(predict_proba(booster, X, k), expected)
    assert not np.array_equal(predict_proba(booster, X, 0), predict_proba(booster, X, 5))
    np.testing.assert_array_equal(predict_proba(booster, X), booster.predict(xgb.DMatrix(X)))
    with pytest.raises(ValueError, match="best_iteration"):
        predict_proba(booster, X, booster.num_boosted_rounds())
    with pytest.raises(ValueError, match="columns"):
        predict_proba(booster, X[:, :3], 0)


def test_fixed_params_skip_the_search(data) -> None:
    fixed = {"eta": 0.2, "max_depth": 4, "subsample": 0.8}
    result = fit(
        data,
        fixed_params=fixed,
        **FAST,
    )
    assert result.n_trials == 1 and result.best_params == fixed
    assert result.xgb_params["max_depth"] == 4
    with pytest.raises(ValueError, match="objective"):
        fit(
            data,
            fixed_params={"objective": "binary:logistic"},
        )


def test_two_offers_use_softprob_with_two_columns() -> None:
    X, y = _synthetic(400, seed=8)
    y = (y == 0).astype(int)
    result = train_model(X[:300], y[:300], X[300:], y[300:], n_classes=2, n_trials=2, **FAST)
    config = json.loads(result.booster.save_config())
    assert config["learner"]["objective"]["name"] == "multi:softprob"
    proba = predict_proba(result.booster, X[300:], result.best_iteration)
    assert proba.shape == (100, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)


def test_feature_names_are_stored_and_used(data) -> None:
    names = ["lat", "long", "country_PL", "country_SE", "country_Mobile%20Safari"]
    result = fit(
        data,
        fixed_params={"max_depth": 3},
        feature_names=names,
        **FAST,
    )
    assert result.booster.feature_names == names
    assert predict_proba(result.booster, data["X_test"], result.best_iteration).shape[1] == 3


def test_optuna_logging_is_restored(data) -> None:
    optuna.logging.set_verbosity(optuna.logging.INFO)
    try:
        fit(
            data,
            n_trials=1,
            num_boost_round=5,
        )
        assert optuna.logging.get_verbosity() == optuna.logging.INFO
    finally:
        optuna.logging.set_verbosity(optuna.logging.WARNING)


@pytest.mark.parametrize(
    ("y_train", "n_classes", "y_valid", "code"),
    [
        (np.zeros(100, dtype=int), 1, np.zeros(10, dtype=int), "single_offer"),
        (np.arange(40) % 2, 2, np.arange(10) % 2, "too_few_rows"),
        (np.arange(100) % 2, 3, np.arange(10) % 3, "missing_class"),
        (np.arange(100) % 2, 2, np.array([], dtype=int), "no_validation_rows"),
    ],
)
def test_training_skipped(y_train, n_classes: int, y_valid, code: str) -> None:
    X_train = np.zeros((len(y_train), 2))
    X_valid = np.zeros((len(y_valid), 2))
    with pytest.raises(TrainingSkipped) as info:
        train_model(X_train, y_train, X_valid, y_valid, n_classes=n_classes, n_trials=1)
    assert info.value.code == code
    assert info.value.reason == str(info.value)


def test_min_rows_is_configurable() -> None:
    check_trainable(np.arange(10) % 2, n_classes=2, min_rows=10)
    with pytest.raises(TrainingSkipped, match="only 9 training rows"):
        check_trainable(np.arange(9) % 2, n_classes=2, min_rows=10)


def test_bad_labels_and_shapes_are_errors_not_skips(data) -> None:
    with pytest.raises(ValueError, match=r"0\.\.2"):
        check_trainable(np.arange(100) % 4, n_classes=3)
    with pytest.raises(ValueError, match="same number of rows"):
        train_model(
            data["X_train"][:-1],
            data["y_train"],
            data["X_valid"],
            data["y_valid"],
            n_classes=3,
            n_trials=1,
        )


def test_search_on_a_sample_then_refit_on_every_row(data, trained) -> None:
    sampled = fit(
        data,
        n_trials=4,
        seed=7,
        search_rows=300,
        **SEARCH,
    )
    assert sampled.search_train_rows == 300
    assert trained.search_train_rows == len(data["y_train"])
    # The returned model is the winner's parameters fitted on all 1000 rows:
    # the same as fitting those parameters directly (training is deterministic).
    refit = fit(
        data,
        fixed_params=sampled.best_params,
        seed=7,
        **SEARCH,
    )
    assert sampled.best_iteration == refit.best_iteration
    assert sampled.valid_score == pytest.approx(refit.valid_score, abs=1e-12)
    assert bytes(sampled.booster.save_raw("json")) == bytes(refit.booster.save_raw("json"))
    # The trials' own scores are on the 300-row validation sample, not the full split.
    best_trial = min(sampled.trials, key=lambda t: t["valid_score"])
    assert best_trial["valid_score"] != pytest.approx(sampled.valid_score, abs=1e-9)


def test_search_rows_at_or_above_the_split_size_changes_nothing(data) -> None:
    kwargs = dict(n_classes=3, n_trials=2, seed=3, **FAST)
    args = (data["X_train"], data["y_train"], data["X_valid"], data["y_valid"])
    plain = train_model(*args, **kwargs)
    capped = train_model(*args, search_rows=len(data["y_train"]), **kwargs)
    assert bytes(plain.booster.save_raw("json")) == bytes(capped.booster.save_raw("json"))
    with pytest.raises(ValueError, match="search_rows"):
        train_model(*args, search_rows=0, **kwargs)


def test_two_threads_train_a_valid_reproducible_model(data) -> None:
    kwargs = dict(n_classes=3, fixed_params={"max_depth": 4}, seed=3, nthread=2, **FAST)
    args = (data["X_train"], data["y_train"], data["X_valid"], data["y_valid"])
    first, second = train_model(*args, **kwargs), train_model(*args, **kwargs)
    assert bytes(first.booster.save_raw("json")) == bytes(second.booster.save_raw("json"))
    assert json.loads(first.booster.save_config())["learner"]["generic_param"]["nthread"] == "2"


def test_refit_on_validation_fits_the_chosen_model_on_both_splits(data) -> None:
    kwargs = dict(n_classes=3, n_trials=3, seed=13, **SEARCH)
    args = (data["X_train"], data["y_train"], data["X_valid"], data["y_valid"])
    chosen = train_model(*args, **kwargs)
    refit = train_model(*args, refit_on_validation=True, **kwargs)
    assert chosen.selected_booster is None and chosen.validation_booster is chosen.booster
    # The model chosen on validation is kept, unchanged, for validation metrics.
    assert bytes(refit.selected_booster.save_raw("json")) == bytes(chosen.booster.save_raw("json"))
    assert refit.valid_score == chosen.valid_score
    # The final model: the same parameters on training + validation rows, for the
    # chosen rounds scaled by 1250 / 1000 rows, checked against xgboost directly.
    rounds = round((chosen.best_iteration + 1) * 1250 / 1000)
    assert refit.best_iteration == rounds - 1
    both = xgb.DMatrix(
        np.vstack([data["X_train"], data["X_valid"]]),
        label=np.concatenate([data["y_train"], data["y_valid"]]),
    )
    expected = xgb.train(chosen.xgb_params, both, num_boost_round=rounds)
    np.testing.assert_array_equal(
        predict_proba(refit.booster, data["X_test"]),
        expected.predict(xgb.DMatrix(data["X_test"])),
    )
    assert refit.booster.num_boosted_rounds() == rounds


def test_no_refit_on_validation_after_a_sampled_search(data) -> None:
    args = (data["X_train"], data["y_train"], data["X_valid"], data["y_valid"])
    result = train_model(
        *args, n_classes=3, n_trials=2, seed=3, search_rows=300, refit_on_validation=True, **FAST
    )
    assert result.selected_booster is None
