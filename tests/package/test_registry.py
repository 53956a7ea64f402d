"""warehouse_ml.registry: one group's registry row, retirements, legacy rows, train_all."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb
from sklearn.metrics import roc_auc_score

from warehouse_ml.features import long_to_matrix
from warehouse_ml.registry import (
    REGISTRY_COLUMNS,
    GroupData,
    TrainingSettings,
    model_id_for,
    retire_replaced,
    train_all,
    train_group,
    upgrade_legacy_rows,
)

BINARY = TrainingSettings(
    model_name="clicks",
    label_kind="binary",
    objective="binary:logistic",
    eval_metric="logloss",
    n_trials=2,
    num_boost_round=40,
    early_stopping_rounds=5,
    gate_metric="auc",
    gate_direction="min",
    gate_threshold=0.6,
    threads=1,
)


def group_data(n: int = 900, signal: float = 3.0, seed: int = 0) -> GroupData:
    """A binary group: one numeric input that moves the odds, one noise one-hot."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    y = (rng.random(n) < 1 / (1 + np.exp(-signal * x))).astype(int)
    split = np.where(
        np.arange(n) % 10 < 6, "train", np.where(np.arange(n) % 10 < 8, "validation", "test")
    )
    ids = np.arange(1, n + 1)
    labelled = pd.DataFrame({"entity_id": ids, "split": split, "class_index": y})
    lit = rng.random(n) < 0.5
    features = pd.concat(
        [
            pd.DataFrame({"entity_id": ids, "feature_index": 0, "value": x}),
            pd.DataFrame({"entity_id": ids[lit], "feature_index": 1, "value": 1.0}),
        ],
        ignore_index=True,
    )
    columns = pd.DataFrame(
        {"feature_index": [0, 1], "feature_name": ["x", "flag_a"], "kind": ["numeric", "onehot"]}
    )
    classes = pd.DataFrame({"label_value": ["0", "1"], "class_index": [0, 1]})
    return GroupData(labelled, features, columns, classes, fitted_state_id="state-1")


def test_a_learnable_group_becomes_a_champion_with_sklearn_equal_metrics() -> None:
    data = group_data()
    row = train_group("all", data, BINARY, invocation_id="inv-1")
    assert set(row) == set(REGISTRY_COLUMNS)
    assert row["status"] == "champion" and row["status_code"] == "passed_gate"
    assert row["model_id"] == model_id_for("clicks", "all", "inv-1")
    assert row["campaign_id"] == row["group_id"] == "all" and row["task"] == "clicks"
    booster = xgb.Booster()
    booster.load_model(bytearray(row["booster_json"].encode()))
    test = data.labelled[data.labelled["split"] == "test"].sort_values("entity_id")
    X = long_to_matrix(
        data.features.rename(columns={"entity_id": "row_id"}),
        test["entity_id"].tolist(),
        ["numeric", "onehot"],
    )
    metrics = json.loads(row["metrics"])["test"]
    assert metrics["auc"] == pytest.approx(
        roc_auc_score(test["class_index"], booster.predict(xgb.DMatrix(X)))
    )
    assert row["n_test_rows"] == len(test) and row["scoring_sql"].startswith("with wml_x")


def test_a_group_under_the_gate_is_rejected_with_its_code() -> None:
    row = train_group("all", group_data(signal=0.0), BINARY, invocation_id="inv-1")
    assert row["status"] == "rejected" and row["status_code"] == "failed_gate"
    assert row["booster_json"] is not None  # kept for inspection, never served


def test_an_untrainable_group_keeps_the_skip_code() -> None:
    data = group_data()
    data.classes = data.classes.iloc[:1]
    row = train_group("all", data, BINARY, invocation_id="inv-1")
    assert row["status"] == "rejected" and row["status_code"] == "missing_class"
    assert row["status_reason"].startswith("not trained: ")
    assert row["booster_json"] is None


def test_only_the_same_model_and_groups_champion_is_retired() -> None:
    previous = pd.DataFrame(
        [
            {"model_id": "a", "model_name": "clicks", "group_id": "all", "status": "champion"},
            {"model_id": "b", "model_name": "offers", "group_id": "all", "status": "champion"},
            {"model_id": "c", "model_name": "clicks", "group_id": "x", "status": "champion"},
            {"model_id": "d", "model_name": "clicks", "group_id": "all", "status": "rejected"},
        ]
    )
    new = [{"model_name": "clicks", "group_id": "all", "status": "champion"}]
    retired = retire_replaced(new, previous)
    assert retired["model_id"].tolist() == ["a"]
    assert retired["status"].tolist() == ["retired"] and retired["status_code"].tolist() == [
        "replaced"
    ]
    assert retire_replaced([{**new[0], "status": "rejected"}], previous).empty


def test_pre_spec_rows_are_upgraded_once() -> None:
    previous = pd.DataFrame(
        [
            {"model_id": "a", "campaign_id": "c1", "status": "champion"},
            {"model_id": "b", "campaign_id": "c2", "status": "rejected"},
            {
                "model_id": "n",
                "campaign_id": "all",
                "model_name": "clicks",
                "group_id": "all",
                "status": "champion",
                "status_code": "passed_gate",
            },
        ]
    )
    filled, upgraded = upgrade_legacy_rows(previous)
    assert upgraded["model_id"].tolist() == ["a", "b"]
    assert upgraded["model_name"].tolist() == ["offer_conversion"] * 2
    assert upgraded["group_id"].tolist() == ["c1", "c2"]
    assert upgraded["status_code"].tolist() == ["passed_gate", "failed_gate"]
    assert filled.loc[filled["model_id"] == "n", "model_name"].item() == "clicks"
    assert upgrade_legacy_rows(filled)[1].empty


class FakeFetcher:
    def __init__(self, groups: dict[str, dict[str, GroupData]]) -> None:
        self.data = groups

    def groups(self, model_name: str) -> list[str]:
        return sorted(self.data.get(model_name, {}))

    def fetch(self, model_name: str, group_id: str, sample_cap: int) -> GroupData:
        return self.data[model_name][group_id]


def spec(name: str, threshold: float) -> dict:
    return {
        "name": name,
        "label": {"kind": "binary"},
        "training": {
            "objective": "binary:logistic",
            "eval_metric": "logloss",
            "search_space": {},
            "hpo_trials": 2,
            "hpo_seed": 13,
            "num_boost_round": 30,
            "early_stopping_rounds": 5,
            "min_training_rows": 50,
            "refit_on_validation": True,
            "training_threads": 1,
        },
        "gate": {"metric": "auc", "direction": "min", "threshold": threshold},
        "sampling": {"training_sample_cap": 5_000_000, "hpo_sample_cap": 100_000},
        "groups": [],
    }


def test_train_all_keeps_each_specs_champions_apart() -> None:
    fetcher = FakeFetcher({"good": {"all": group_data()}, "strict": {"all": group_data(seed=1)}})
    previous = pd.DataFrame(
        [
            {"model_id": "old-good", "model_name": "good", "group_id": "all", "status": "champion"},
            {
                "model_id": "old-strict",
                "model_name": "strict",
                "group_id": "all",
                "status": "champion",
            },
        ]
    ).reindex(columns=list(REGISTRY_COLUMNS))
    rows = train_all(
        [spec("good", 0.6), spec("strict", 0.9999)],
        fetcher,
        invocation_id="inv-2",
        previous=previous,
        progress=lambda _: None,
    )
    status = dict(zip(rows["model_id"], rows["status"], strict=True))
    assert status[model_id_for("good", "all", "inv-2")] == "champion"
    assert status[model_id_for("strict", "all", "inv-2")] == "rejected"
    assert status["old-good"] == "retired" and "old-strict" not in status
