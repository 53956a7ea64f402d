"""The model store reports, rather than raises, a warehouse it cannot read; a served
model scores one row exactly as the batch scorer does."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pytest
import xgboost as xgb

from warehouse_ml.serve.models import ModelStore, ServingModel
from warehouse_ml.training import class_probabilities


def test_no_file_and_no_registry_tables_are_reported_in_health(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    store = ModelStore(path)
    assert store.refresh() is False
    assert store.health()["status"] == "no models"
    assert store.last_error is not None and "no warehouse file" in store.last_error
    duckdb.connect(str(path)).close()
    assert store.refresh() is False
    assert store.last_error is not None and "ml_serving_models" in store.last_error
    assert store.current is None and store.health()["models"] == {}


@pytest.mark.parametrize(
    ("objective", "n_classes"), [("multi:softprob", 3), ("binary:logistic", 2)]
)
def test_one_row_probabilities_equal_the_batch_scorers_bit_for_bit(
    objective: str, n_classes: int
) -> None:
    rng = np.random.default_rng(7)
    X = rng.normal(size=(400, 6))
    X[rng.random(X.shape) < 0.1] = np.nan  # missing values take XGBoost's default branch
    y = rng.integers(0, n_classes, size=400)
    params = {"objective": objective, "max_depth": 4, "nthread": 1, "seed": 3}
    if n_classes > 2:
        params["num_class"] = n_classes
    booster = xgb.train(params, xgb.DMatrix(X, label=y), num_boost_round=20)
    model = ServingModel(
        model_name="m",
        group_id="all",
        model_id="id",
        feature_columns=[f"f{i}" for i in range(6)],
        feature_kinds=["numeric"] * 6,
        labels=[str(i) for i in range(n_classes)],
        booster=booster,
        numeric=[],
        categorical=[],
        levels={},
        other={},
    )
    batch = class_probabilities(booster, X).astype(np.float64)
    served = np.vstack([model.probabilities(row) for row in X])
    assert served.shape == (400, n_classes)
    np.testing.assert_array_equal(served, batch)
