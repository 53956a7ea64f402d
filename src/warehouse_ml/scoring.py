"""Batch scoring with XGBoost's own predict: the reference the SQL scorer must match."""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pandas as pd
import xgboost as xgb

from warehouse_ml.features import long_to_matrix
from warehouse_ml.training import predict_proba

SCORE_COLUMNS = (
    "request_id",
    "campaign_id",
    "model_id",
    "offer_id",
    "class_index",
    "probability",
    "rank",
)


def rank_scores(scores: pd.DataFrame) -> pd.DataFrame:
    """Add ``rank`` (1 = most probable offer of the request; ties by class index)."""
    ordered = scores.sort_values(
        ["request_id", "probability", "class_index"], ascending=[True, False, True]
    )
    ordered["rank"] = ordered.groupby("request_id").cumcount() + 1
    return ordered.reset_index(drop=True)


def score_model_requests(
    model: pd.Series, request_ids: list[str], features: pd.DataFrame
) -> pd.DataFrame:
    """Score one serving model's requests; one row per request and offer.

    ``model`` holds the registry columns ``model_id, campaign_id, booster_json,
    feature_kinds, classes``; ``features`` is the long form
    ``(request_id, feature_index, value)``.
    """
    kinds = json.loads(model["feature_kinds"])
    classes = json.loads(model["classes"])
    offers = sorted(classes, key=classes.get)
    booster = xgb.Booster()
    booster.load_model(bytearray(model["booster_json"].encode()))
    X = long_to_matrix(features.rename(columns={"request_id": "row_id"}), request_ids, kinds)
    proba = predict_proba(booster, X) if len(request_ids) else np.zeros((0, len(offers)))
    n_rows, n_classes = proba.shape
    return pd.DataFrame(
        {
            "request_id": np.repeat(np.asarray(request_ids, dtype=object), n_classes),
            "campaign_id": model["campaign_id"],
            "model_id": model["model_id"],
            "offer_id": np.tile(np.asarray(offers, dtype=object), n_rows),
            "class_index": np.tile(np.arange(n_classes, dtype=np.int32), n_rows),
            "probability": proba.reshape(-1).astype(np.float64),
        }
    )


def score_requests(
    serving: pd.DataFrame,
    requests_of: Callable[[str], tuple[list[str], pd.DataFrame]],
    progress: Callable[[str], None] = print,
) -> pd.DataFrame:
    """Score every serving model's requests (fetched per model to bound memory)."""
    frames = []
    for n, (_, model) in enumerate(serving.sort_values("campaign_id").iterrows(), start=1):
        ids, features = requests_of(model["model_id"])
        progress(f"[warehouse_ml] scoring {len(ids)} requests with model {n}/{len(serving)}")
        frames.append(score_model_requests(model, ids, features))
    if not frames:
        return pd.DataFrame(columns=list(SCORE_COLUMNS))
    return rank_scores(pd.concat(frames, ignore_index=True))[list(SCORE_COLUMNS)]


def duckdb_request_fetcher(assigned, features) -> Callable[[str], tuple[list[str], pd.DataFrame]]:
    """Fetch one model's scorable requests and their long features from DuckDB relations."""
    import duckdb

    def fetch(model_id: str) -> tuple[list[str], pd.DataFrame]:
        rows = assigned.filter(
            (duckdb.ColumnExpression("model_id") == duckdb.ConstantExpression(model_id))
            & duckdb.ColumnExpression("scoring_error").isnull()
        ).project("request_id")
        ids = sorted(r[0] for r in rows.fetchall())
        feats = features.join(rows, "request_id").project("request_id, feature_index, value").df()
        return ids, feats

    return fetch
