"""Why a model predicted what it did: XGBoost's SHAP contributions per prediction.

For each scored request, the contributions of every input column to the
margin (log-odds) of the class the model chose (multiclass: the most probable
class; binary: the positive class, whose probability is the score), from
``Booster.predict(pred_contribs=True)`` over the same rounds the scorer uses.
The top ``top_k`` columns by contribution (largest first: what pushed the
prediction towards that class most) are kept, with the bias and the margin so
a reader can check ``bias + sum(all contributions) = margin`` and see how much
the columns left out add (``other_contribution``).
"""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pandas as pd
import xgboost as xgb

from warehouse_ml.features import long_to_matrix
from warehouse_ml.scoring import SCORE_COLUMNS

__all__ = [
    "EXPLANATION_COLUMNS",
    "empty_explanations",
    "explain_model_requests",
    "explain_requests",
    "global_importance",
]

#: The score's keys (model, request, group, model id, class), then the explanation.
EXPLANATION_COLUMNS = (
    *SCORE_COLUMNS[:6],
    "feature_rank",
    "feature_name",
    "feature_value",
    "contribution",
    "other_contribution",
    "bias",
    "margin",
)


def empty_explanations() -> pd.DataFrame:
    """No explanations, typed as real ones (an incremental history's first build may
    explain nothing; untyped empty columns would create it with the wrong types)."""
    kinds = {"class_index": np.int32, "feature_rank": np.int32}
    kinds |= dict.fromkeys(EXPLANATION_COLUMNS[-5:], np.float64)
    return pd.DataFrame({c: pd.Series(dtype=kinds.get(c, "string")) for c in EXPLANATION_COLUMNS})


def _contributions(booster: xgb.Booster, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(contributions, margins) shaped (rows, classes, columns + 1) and (rows, classes)."""
    data = xgb.DMatrix(X, missing=np.nan)
    contribs = np.asarray(booster.predict(data, pred_contribs=True), dtype=np.float64)
    margin = np.asarray(booster.predict(data, output_margin=True), dtype=np.float64)
    if contribs.ndim == 2:  # binary: one margin, the positive class's
        contribs, margin = contribs[:, None, :], margin.reshape(-1, 1)
    return contribs, margin


def explain_model_requests(
    model: pd.Series, request_ids: list[str], features: pd.DataFrame, top_k: int = 3
) -> pd.DataFrame:
    """The top ``top_k`` contributions of one serving model's requests (registry row
    ``model``; ``features`` long ``(request_id, feature_index, value)``)."""
    if not request_ids:
        return pd.DataFrame(columns=list(EXPLANATION_COLUMNS))
    kinds = json.loads(model["feature_kinds"])
    names = [str(n) for n in json.loads(model["feature_columns"])]
    by_index = {int(i): label for label, i in json.loads(model["classes"]).items()}
    booster = xgb.Booster()
    booster.load_model(bytearray(model["booster_json"].encode()))
    X = long_to_matrix(features.rename(columns={"request_id": "row_id"}), request_ids, kinds)
    contribs, margin = _contributions(booster, X)
    # The chosen class: the largest margin is the most probable class under softmax.
    chosen = margin.argmax(axis=1) if margin.shape[1] > 1 else np.zeros(len(X), dtype=int)
    rows = np.arange(len(X))
    picked = contribs[rows, chosen, :]  # (rows, columns + 1), the last one the bias
    columns, bias = picked[:, :-1], picked[:, -1]
    k = min(top_k, columns.shape[1])
    # Stable sort on the negated values: ties go to the lower column index.
    order = np.argsort(-columns, axis=1, kind="stable")[:, :k]
    top = np.take_along_axis(columns, order, axis=1)
    class_index = chosen if margin.shape[1] > 1 else np.ones(len(X), dtype=int)
    return pd.DataFrame(
        {
            "model_name": model["model_name"],
            "request_id": np.repeat(np.asarray(request_ids, dtype=object), k),
            "group_id": model["group_id"],
            "model_id": model["model_id"],
            "label_value": np.repeat(
                np.asarray([by_index.get(int(c), str(c)) for c in class_index], dtype=object), k
            ),
            "class_index": np.repeat(class_index.astype(np.int32), k),
            "feature_rank": np.tile(np.arange(1, k + 1, dtype=np.int32), len(X)),
            "feature_name": np.asarray(names, dtype=object)[order].reshape(-1),
            "feature_value": np.take_along_axis(X, order, axis=1).reshape(-1).astype(np.float64),
            "contribution": top.reshape(-1),
            "other_contribution": np.repeat(columns.sum(axis=1) - top.sum(axis=1), k),
            "bias": np.repeat(bias, k),
            "margin": np.repeat(margin[rows, chosen], k),
        }
    )


def explain_requests(
    serving: pd.DataFrame,
    requests_of: Callable[[str, str], tuple[list[str], pd.DataFrame]],
    top_k: int = 3,
) -> pd.DataFrame:
    """Explain every serving model's requests (fetched per model, as scoring does)."""
    frames = []
    for _, model in serving.sort_values(["model_name", "group_id"]).iterrows():
        ids, features = requests_of(model["model_name"], model["model_id"])
        frames.append(explain_model_requests(model, ids, features, top_k))
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty_explanations()
    return pd.concat(frames, ignore_index=True)[list(EXPLANATION_COLUMNS)]


def global_importance(explanations: pd.DataFrame, top_n: int = 10) -> pd.DataFrame:
    """Per model spec, the columns most often among a prediction's top reasons, with the
    mean contribution when they are (the report's global importance)."""
    grouped = explanations.groupby(["model_name", "feature_name"], as_index=False).agg(
        n_predictions=("request_id", "nunique"), mean_contribution=("contribution", "mean")
    )
    grouped = grouped.sort_values(
        ["model_name", "n_predictions", "mean_contribution"], ascending=[True, False, False]
    )
    return grouped.groupby("model_name", group_keys=False).head(top_n).reset_index(drop=True)
