"""Requests encoded and scored as the batch path does, on a small trained model."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb

from warehouse_ml.scoring import score_model_requests
from warehouse_ml.serve.encoding import encode_record, parse_vector
from warehouse_ml.serve.models import ServingModel, _model
from warehouse_ml.serve.records import RequestError

COLUMNS = ["long", "lat", "country_SE", "country_TH", "country___other__", "dos_Android"]
KINDS = ["numeric", "numeric", "onehot", "onehot", "onehot", "onehot"]
LEVELS = [
    ("country", "SE", 2),
    ("country", "TH", 3),
    ("country", "__other__", 4),
    ("dos", "Android", 5),
]


def registry_row(handling: str = "drop") -> dict:
    rng = np.random.default_rng(3)
    X = rng.random((300, len(COLUMNS)))
    X[:, 2:] = X[:, 2:] > 0.5
    y = (X[:, 0] + X[:, 2] * 2 + X[:, 5]).round().astype(int) % 3
    booster = xgb.train(
        {"objective": "multi:softprob", "num_class": 3, "max_depth": 3},
        xgb.DMatrix(X, label=y),
        num_boost_round=15,
    )
    spec = {
        "features": {
            "numeric": ["long", "lat"],
            "categorical": ["country", "dos"],
            "rare_values": {"handling": handling},
        }
    }
    return {
        "model_name": "offer_conversion",
        "group_id": "c1",
        "model_id": "m1",
        "booster_json": bytes(booster.save_raw("json")).decode(),
        "feature_kinds": json.dumps(KINDS),
        "classes": json.dumps({"offer-a": 0, "offer-b": 1, "offer-c": 2}),
        "feature_columns": json.dumps(COLUMNS),
        "calibration": None,
        "spec_json": json.dumps(spec),
    }


@pytest.fixture(scope="module")
def model() -> ServingModel:
    return _model(registry_row(), LEVELS)


def test_kept_levels_light_their_column_and_numerics_sit_at_their_positions(
    model: ServingModel,
) -> None:
    x, unseen = encode_record(model, {"long": 18.0, "lat": 59.0, "country": "TH", "dos": "Android"})
    assert x.tolist() == [18.0, 59.0, 0.0, 1.0, 0.0, 1.0] and unseen == []


def test_unseen_values_light_nothing_and_absent_numerics_are_missing(model: ServingModel) -> None:
    x, unseen = encode_record(model, {"country": "NZ", "dos": "android"})
    assert math.isnan(x[0]) and math.isnan(x[1])
    assert x[2:].tolist() == [0.0, 0.0, 0.0, 0.0] and unseen == ["country", "dos"]


def test_bucket_mode_lights_the_other_level() -> None:
    bucketed = _model(registry_row("bucket"), LEVELS)
    x, unseen = encode_record(bucketed, {"country": "NZ", "dos": "iOS"})
    # dos has no __other__ level in this fitted state, so nothing is lit for it.
    assert x[2:].tolist() == [0.0, 0.0, 1.0, 0.0] and unseen == ["country", "dos"]


def test_explicit_vectors_follow_the_batch_checks(model: ServingModel) -> None:
    x = parse_vector(model, " 18.5, ,1,0,0, 1e0")
    assert x[0] == 18.5 and math.isnan(x[1]) and x[2:].tolist() == [1.0, 0.0, 0.0, 1.0]
    with pytest.raises(RequestError, match="input has 2 values, the model expects 6"):
        parse_vector(model, "1,2")
    with pytest.raises(RequestError, match="input value 3 is not a number"):
        parse_vector(model, "1,2,inf,0,0,x")
    with pytest.raises(RequestError, match="input value 6 is not a number"):
        parse_vector(model, "1,2,0,0,0,1_0")


def test_probabilities_equal_the_batch_scorer(model: ServingModel) -> None:
    rows = [
        {"long": 18.0, "lat": 59.0, "country": "SE"},
        {"dos": "Android", "country": "NZ"},
        {"lat": -3.5},
    ]
    batch = score_model_requests(
        pd.Series(registry_row()),
        [str(i) for i in range(len(rows))],
        pd.DataFrame(
            [
                (str(i), j, v)
                for i, r in enumerate(rows)
                for j, v in enumerate(encode_record(model, r)[0])
                if not (math.isnan(v) or (KINDS[j] == "onehot" and v == 0))
            ],
            columns=["request_id", "feature_index", "value"],
        ),
    )
    for i, r in enumerate(rows):
        served = model.probabilities(encode_record(model, r)[0])
        expected = batch[batch["request_id"] == str(i)].sort_values("class_index")["probability"]
        assert np.array_equal(served, expected.to_numpy())
    assert model.labels == ["offer-a", "offer-b", "offer-c"]
