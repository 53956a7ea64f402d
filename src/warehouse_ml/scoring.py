"""Batch scoring with XGBoost's own predict: the reference the SQL scorer must match."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import xgboost as xgb

from warehouse_ml.calibration import apply_calibrator
from warehouse_ml.features import long_to_matrix
from warehouse_ml.sql_compiler import binary_probability
from warehouse_ml.sql_fetcher import QueryFn, duckdb_query
from warehouse_ml.training import class_probabilities

SCORE_COLUMNS = (
    "model_name",
    "request_id",
    "group_id",
    "model_id",
    "label_value",
    "class_index",
    "probability",
    "rank",
)


def rank_scores(scores: pd.DataFrame) -> pd.DataFrame:
    """Add ``rank`` (1 = most probable class of the request; ties by class index)."""
    ordered = scores.sort_values(
        ["model_name", "request_id", "probability", "class_index"],
        ascending=[True, True, False, True],
    )
    ordered["rank"] = ordered.groupby(["model_name", "request_id"]).cumcount() + 1
    return ordered.reset_index(drop=True)


def model_probabilities(
    booster: xgb.Booster, X: np.ndarray, calibrator: dict[str, Any] | None
) -> np.ndarray:
    """Class probabilities of the rows of ``X`` (rows x classes): XGBoost's predict or,
    for a calibrated binary model, the registry's calibrator applied to the positive
    class's raw probability in double as the SQL scorer computes it (binary_probability).
    The batch scorer and ``wml serve`` both score through here."""
    if calibrator is not None:
        p = apply_calibrator(calibrator, binary_probability(booster, X))
        return np.column_stack([1.0 - p, p])
    return class_probabilities(booster, X)


def score_model_requests(
    model: pd.Series, request_ids: list[str], features: pd.DataFrame
) -> pd.DataFrame:
    """Score one serving model's requests; one row per request and class.

    ``model`` holds the registry columns ``model_id, model_name, group_id,
    booster_json, feature_kinds, classes`` and optionally ``calibration``;
    ``features`` is the long form ``(request_id, feature_index, value)``.
    """
    kinds = json.loads(model["feature_kinds"])
    classes = json.loads(model["classes"])
    by_index = {int(index): label for label, index in classes.items()}
    booster = xgb.Booster()
    booster.load_model(bytearray(model["booster_json"].encode()))
    X = long_to_matrix(features.rename(columns={"request_id": "row_id"}), request_ids, kinds)
    calibration = model.get("calibration")
    calibrator = json.loads(calibration) if isinstance(calibration, str) and calibration else None
    if len(request_ids):
        proba = model_probabilities(booster, X, calibrator)
    else:
        proba = np.zeros((0, max(2, len(by_index))))
    n_rows, n_classes = proba.shape
    labels = [by_index.get(i, str(i)) for i in range(n_classes)]
    return pd.DataFrame(
        {
            "model_name": model["model_name"],
            "request_id": np.repeat(np.asarray(request_ids, dtype=object), n_classes),
            "group_id": model["group_id"],
            "model_id": model["model_id"],
            "label_value": np.tile(np.asarray(labels, dtype=object), n_rows),
            "class_index": np.tile(np.arange(n_classes, dtype=np.int32), n_rows),
            "probability": proba.reshape(-1).astype(np.float64),
        }
    )


def empty_scores() -> pd.DataFrame:
    """No scores, typed as real ones: an incremental history's first build may score
    nothing, and untyped empty columns would create it with the wrong types."""
    kinds = {"class_index": np.int32, "probability": np.float64, "rank": np.int64}
    return pd.DataFrame({c: pd.Series(dtype=kinds.get(c, "string")) for c in SCORE_COLUMNS})


def score_requests(
    serving: pd.DataFrame,
    requests_of: Callable[[str, str], tuple[list[str], pd.DataFrame]],
    progress: Callable[[str], None] = print,
) -> pd.DataFrame:
    """Score every serving model's requests (fetched per model to bound memory)."""
    frames = []
    ordered = serving.sort_values(["model_name", "group_id"])
    for n, (_, model) in enumerate(ordered.iterrows(), start=1):
        ids, features = requests_of(model["model_name"], model["model_id"])
        progress(f"[warehouse_ml] scoring {len(ids)} requests with model {n}/{len(serving)}")
        if ids:
            frames.append(score_model_requests(model, ids, features))
    if not frames:
        return empty_scores()
    return rank_scores(pd.concat(frames, ignore_index=True))[list(SCORE_COLUMNS)]


def as_scoring(frame: pd.DataFrame, invocation_id: str | None) -> pd.DataFrame:
    """Tag one build's rows for an append-only scoring history: the dbt invocation and
    one UTC time for all of them (the history's newest scoring of a request is the
    rows sharing its largest ``scored_at``)."""
    return frame.assign(
        invocation_id=pd.Series([invocation_id] * len(frame), index=frame.index, dtype="string"),
        scored_at=pd.Series(
            [pd.Timestamp.now(tz="UTC")] * len(frame),
            index=frame.index,
            dtype="datetime64[us, UTC]",
        ),
    )


def sql_request_fetcher(
    query: QueryFn, requests: str, features: str, history: str | None = None
) -> Callable[[str, str], tuple[list[str], pd.DataFrame]]:
    """Fetch one model's scorable requests and their long features through ``query``.

    ``requests`` and ``features`` name the dbt models ``int_scoring_requests``
    and ``int_scoring_features`` (trusted names). With ``history`` (a relation
    with ``model_name`` and ``request_id``, e.g. an incremental model's own
    table), requests it already holds are left out.
    """
    unseen = (
        ""
        if history is None
        else f" and not exists (select 1 from {history} as history "
        f"where history.model_name = {requests}.model_name "
        f"and history.request_id = {requests}.request_id)"
    )

    def fetch(model_name: str, model_id: str) -> tuple[list[str], pd.DataFrame]:
        scorable = (
            f"select request_id from {requests} "
            f"where model_name = ? and model_id = ? and scoring_error is null{unseen}"
        )
        ids = sorted(str(r) for r in query(scorable, [model_name, model_id])["request_id"])
        feats = query(
            "select features.request_id, features.feature_index, features.value "
            f"from {features} as features inner join ({scorable}) as scorable "
            "on features.request_id = scorable.request_id where features.model_name = ?",
            [model_name, model_id, model_name],
        )
        return ids, feats

    return fetch


__all__: Sequence[str] = [
    "SCORE_COLUMNS",
    "as_scoring",
    "empty_scores",
    "model_probabilities",
    "rank_scores",
    "score_model_requests",
    "score_requests",
    "sql_request_fetcher",
]


def serving_requests(
    session: Any, models: Any, serving: Any, requests: Any, features: Any, history: Any = None
) -> tuple[pd.DataFrame, Callable[[str, str], tuple[list[str], pd.DataFrame]]]:
    """In a dbt Python model (DuckDB), from its ``dbt.ref`` relations of ``ml_models``,
    ``ml_serving_models``, ``int_scoring_requests`` and ``int_scoring_features`` (the
    model must call ``dbt.ref`` itself: dbt reads the dependencies from its source):
    the serving models' registry rows and a fetcher of each one's scorable requests,
    without those already in ``history`` (the model's own table) when given."""
    rows = models.join(serving.project("model_id"), "model_id").df()
    relations = {"wml_scoring_requests": requests, "wml_scoring_features": features}
    if history is not None:
        relations["wml_scoring_history"] = session.sql(f"select * from {history}")
    query = duckdb_query(session, relations)
    return rows, sql_request_fetcher(
        query,
        "wml_scoring_requests",
        "wml_scoring_features",
        None if history is None else "wml_scoring_history",
    )


def history_to_skip(dbt: Any, rescore_requests: Any) -> Any:
    """In an incremental scoring model: its own table when requests it already scored
    are to be skipped, or None on its first build and when the build re-scores every
    request (``rescore_requests``: the model's config of that name, the dbt var as
    YAML config renders it; the model reads it itself, as dbt only passes config keys
    a model's own source asks for)."""
    rescore = str(rescore_requests).lower()
    if rescore not in ("true", "false"):
        raise ValueError(f"var rescore_requests must be true or false, got '{rescore}'")
    return dbt.this if dbt.is_incremental and rescore == "false" else None
