"""Train every campaign, apply the quality gate and produce model-registry rows.

The registry (``ml_models``) is append-only in spirit: a model row is never
deleted. Each build adds one row per campaign (``champion`` when the new model
passes the gate, ``rejected`` otherwise, with the reason) and re-emits the
previous champion as ``retired`` when a new one replaces it. The engine-specific
part is only how a campaign's rows are fetched (:class:`CampaignData`), so the
DuckDB dbt Python model and the Trino runner share all of this.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from warehouse_ml.features import long_to_matrix
from warehouse_ml.metrics import evaluate_multiclass, passes_gate, rare_value_breakdown
from warehouse_ml.sql_compiler import compile_booster_sql
from warehouse_ml.training import TrainingSkipped, predict_proba, train_model

TASK = "offer_conversion"

REGISTRY_COLUMNS = (
    "model_id",
    "campaign_id",
    "task",
    "status",
    "status_reason",
    "fitted_state_id",
    "invocation_id",
    "hyperparameters",
    "feature_columns",
    "feature_kinds",
    "classes",
    "metrics",
    "n_train_rows",
    "n_validation_rows",
    "n_test_rows",
    "best_iteration",
    "booster_json",
    "scoring_sql",
    "trained_at",
)


@dataclass(frozen=True)
class TrainingSettings:
    """The dbt vars that steer training, validated once.

    Example:
        >>> TrainingSettings(n_trials=2).max_hamming_loss
        0.4
    """

    n_trials: int = 10
    seed: int = 13
    num_boost_round: int = 300
    early_stopping_rounds: int = 20
    min_rows: int = 50
    max_hamming_loss: float = 0.40
    sample_cap: int = 5_000_000
    search_sample_cap: int = 100_000
    refit_on_validation: bool = True
    threads: int = 0
    dialect: str = "duckdb"
    pinned_models: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.n_trials < 1:
            raise ValueError(f"hpo_trials must be at least 1, got {self.n_trials}")
        if not 0 < self.max_hamming_loss <= 1:
            raise ValueError(f"max_hamming_loss must be in (0, 1], got {self.max_hamming_loss}")
        if self.sample_cap < 1:
            raise ValueError(f"training_sample_cap must be positive, got {self.sample_cap}")
        if self.search_sample_cap < 1:
            raise ValueError(f"hpo_sample_cap must be positive, got {self.search_sample_cap}")
        if self.threads < 0:
            raise ValueError(f"training_threads must be 0 (all cores) or more, got {self.threads}")

    @property
    def nthread(self) -> int:
        """XGBoost threads: ``threads``, or every core the process may use when 0."""
        if self.threads:
            return self.threads
        try:
            return len(os.sched_getaffinity(0))
        except AttributeError:  # not Linux
            return os.cpu_count() or 1

    @classmethod
    def from_vars(cls, dbt_vars: Mapping[str, Any], dialect: str = "duckdb") -> TrainingSettings:
        """Build settings from the dbt vars (values may arrive as text from YAML)."""
        get = dbt_vars.get
        pinned = get("pinned_models") or {}
        if isinstance(pinned, str):
            pinned = json.loads(pinned)
        return cls(
            n_trials=int(get("hpo_trials")),
            seed=int(get("hpo_seed")),
            num_boost_round=int(get("num_boost_round")),
            early_stopping_rounds=int(get("early_stopping_rounds")),
            min_rows=int(get("min_training_rows")),
            max_hamming_loss=float(get("max_hamming_loss")),
            sample_cap=int(get("training_sample_cap")),
            search_sample_cap=int(get("hpo_sample_cap", cls.search_sample_cap)),
            threads=int(get("training_threads", cls.threads)),
            refit_on_validation=_as_bool(get("refit_on_validation", cls.refit_on_validation)),
            dialect=dialect,
            pinned_models={str(k).lower(): str(v).lower() for k, v in dict(pinned).items()},
        )


@dataclass
class CampaignData:
    """One campaign's training input, as read from the warehouse.

    Attributes:
        labelled: ``event_id, split, class_index`` (one row per kept event),
            and ``has_rare_value`` when known (test metrics are then also
            reported without and with rare values). The fetchers give
            ``event_id`` as an integer key in event-id order (1..n); text ids
            work too.
        features: ``event_id, feature_index, value`` (long form, same keys).
        feature_columns: ``feature_index, feature_name, kind`` of the fitted state.
        classes: ``offer_id, class_index`` of the fitted state.
        fitted_state_id: the fitted state these rows were encoded with.
    """

    labelled: pd.DataFrame
    features: pd.DataFrame
    feature_columns: pd.DataFrame
    classes: pd.DataFrame
    fitted_state_id: str


def _as_bool(value: Any) -> bool:
    """A dbt var that may arrive as text ("true"/"False"/"1") or as a bool."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "1", "yes"}:
        return True
    if text in {"false", "0", "no"}:
        return False
    raise ValueError(f"expected true or false, got {value!r}")


def model_id_for(campaign_id: str, invocation_id: str) -> str:
    """A deterministic model id: the same build of the same campaign gets the same id."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"warehouse_ml:{campaign_id}:{invocation_id}"))


def _split_rows(data: CampaignData, split: str) -> pd.DataFrame:
    """A split's labelled rows in event-id order: the row order of every per-split array."""
    return data.labelled[data.labelled["split"] == split].sort_values("event_id")


def _matrices(data: CampaignData) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Dense (X, y) per split, rows in event-id order so results do not depend on read order."""
    columns = data.feature_columns.sort_values("feature_index")
    kinds = columns["kind"].tolist()
    if columns["feature_index"].tolist() != list(range(len(kinds))):
        raise ValueError("feature columns of the fitted state are not numbered 0..n-1")
    long = data.features.rename(columns={"event_id": "row_id"})
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for split in ("train", "validation", "test"):
        rows = _split_rows(data, split)
        ids = rows["event_id"].to_numpy()
        X = long_to_matrix(long, ids, kinds)
        out[split] = (X, rows["class_index"].to_numpy(dtype=np.int64))
    return out


def _has_rare_value(data: CampaignData, split: str) -> np.ndarray | None:
    """The split's ``has_rare_value`` flags in :func:`_matrices` row order, if fetched."""
    if "has_rare_value" not in data.labelled.columns:
        return None
    return _split_rows(data, split)["has_rare_value"].astype(bool).to_numpy()


def train_campaign(
    campaign_id: str,
    data: CampaignData,
    settings: TrainingSettings,
    *,
    invocation_id: str,
    trained_at: datetime | None = None,
) -> dict[str, Any]:
    """Train, evaluate and gate one campaign; return its registry row.

    A campaign that cannot be trained (one offer, too few rows, a class absent
    from training) gets a ``rejected`` row whose ``status_reason`` says why,
    so the build goes on for the other campaigns.
    """
    trained_at = trained_at or datetime.now(UTC)
    classes = data.classes.sort_values("class_index")
    labels = classes["offer_id"].astype(str).tolist()
    columns = data.feature_columns.sort_values("feature_index")
    row: dict[str, Any] = {
        "model_id": model_id_for(campaign_id, invocation_id),
        "campaign_id": campaign_id,
        "task": TASK,
        "status": "rejected",
        "status_reason": None,
        "fitted_state_id": data.fitted_state_id,
        "invocation_id": invocation_id,
        "hyperparameters": None,
        "feature_columns": json.dumps(columns["feature_name"].tolist()),
        "feature_kinds": json.dumps(columns["kind"].tolist()),
        "classes": json.dumps({offer: i for i, offer in enumerate(labels)}),
        "metrics": None,
        "n_train_rows": 0,
        "n_validation_rows": 0,
        "n_test_rows": 0,
        "best_iteration": None,
        "booster_json": None,
        "scoring_sql": None,
        "trained_at": trained_at,
    }
    matrices = _matrices(data)
    (X_train, y_train), (X_valid, y_valid), (X_test, y_test) = (
        matrices["train"],
        matrices["validation"],
        matrices["test"],
    )
    row.update(n_train_rows=len(y_train), n_validation_rows=len(y_valid), n_test_rows=len(y_test))
    try:
        if len(labels) < 2:
            raise TrainingSkipped(f"campaign has {len(labels)} offer(s) in training; needs 2+")
        if len(y_test) == 0:
            raise TrainingSkipped("test split is empty; cannot evaluate the model")
        result = train_model(
            X_train,
            y_train,
            X_valid,
            y_valid,
            n_classes=len(labels),
            n_trials=settings.n_trials,
            seed=settings.seed,
            num_boost_round=settings.num_boost_round,
            early_stopping_rounds=settings.early_stopping_rounds,
            min_rows=settings.min_rows,
            nthread=settings.nthread,
            search_rows=settings.search_sample_cap,
            refit_on_validation=settings.refit_on_validation,
        )
    except TrainingSkipped as skipped:
        row["status_reason"] = f"not trained: {skipped}"
        return row

    booster = result.booster
    # The baseline guesses the training split's majority offer, as a deployed
    # majority-class rule would.
    majority = int(np.bincount(y_train, minlength=len(labels)).argmax())
    test_proba = predict_proba(booster, X_test)
    test_metrics = evaluate_multiclass(y_test, test_proba, labels, baseline_class=majority)
    # The reference for prediction drift: the distribution of the winning
    # probability on the test split (Hivemall fits a Gaussian to it).
    top = test_proba.max(axis=1).astype(np.float64)
    test_metrics["top_probability_mean"] = float(top.mean())
    test_metrics["top_probability_std"] = float(top.std())
    test_rare = _has_rare_value(data, "test")
    if test_rare is not None:
        test_metrics.update(rare_value_breakdown(y_test, test_proba, test_rare))
    # Judged with the model chosen on validation, which never trained on it.
    valid_metrics = evaluate_multiclass(
        y_valid, predict_proba(result.validation_booster, X_valid), labels, baseline_class=majority
    )
    passed, reason = passes_gate(test_metrics, settings.max_hamming_loss)
    row.update(
        status="champion" if passed else "rejected",
        status_reason=reason,
        hyperparameters=json.dumps(result.best_params, sort_keys=True),
        metrics=json.dumps({"test": test_metrics, "validation": valid_metrics}, default=float),
        best_iteration=int(result.best_iteration),
        booster_json=bytes(booster.save_raw("json")).decode(),
    )
    try:
        row["scoring_sql"] = compile_booster_sql(
            booster, columns["kind"].tolist(), dialect=settings.dialect
        )
    except ValueError as too_big:
        # A model too large for one SQL statement still serves through XGBoost;
        # the SQL scorer skips it and says so here.
        row["status_reason"] = f"{reason}; no SQL scorer: {too_big}"
    return row


def retire_replaced(new_rows: Iterable[Mapping[str, Any]], previous: pd.DataFrame) -> pd.DataFrame:
    """Previous champions replaced by a new champion, re-emitted as ``retired``."""
    new_champions = {r["campaign_id"] for r in new_rows if r["status"] == "champion"}
    if previous is None or previous.empty or not new_champions:
        return pd.DataFrame(columns=list(REGISTRY_COLUMNS))
    mask = (previous["status"] == "champion") & previous["campaign_id"].isin(new_champions)
    retired = previous.loc[mask, list(REGISTRY_COLUMNS)].copy()
    retired["status"] = "retired"
    retired["status_reason"] = "replaced by a newer champion"
    return retired


def train_all(
    campaign_ids: Iterable[str],
    fetch: Callable[[str], CampaignData],
    settings: TrainingSettings,
    *,
    invocation_id: str,
    previous: pd.DataFrame | None = None,
    progress: Callable[[str], None] = print,
) -> pd.DataFrame:
    """Train each campaign (fetched one at a time to bound memory) and return
    the registry rows to upsert by ``model_id``: the new rows plus retirements."""
    rows: list[dict[str, Any]] = []
    campaigns = sorted(set(campaign_ids))
    for n, campaign_id in enumerate(campaigns, start=1):
        progress(f"[warehouse_ml] training campaign {n}/{len(campaigns)}: {campaign_id}")
        row = train_campaign(campaign_id, fetch(campaign_id), settings, invocation_id=invocation_id)
        progress(f"[warehouse_ml]   -> {row['status']}: {row['status_reason']}")
        rows.append(row)
    new = pd.DataFrame(rows, columns=list(REGISTRY_COLUMNS))
    retired = retire_replaced(rows, previous if previous is not None else pd.DataFrame())
    frames = [f for f in (new, retired) if not f.empty]
    out = pd.concat(frames, ignore_index=True) if frames else new
    for col in ("n_train_rows", "n_validation_rows", "n_test_rows", "best_iteration"):
        out[col] = out[col].astype("Int64")
    out["trained_at"] = pd.to_datetime(out["trained_at"], utc=True)
    return out


def duckdb_campaign_fetcher(
    labelled: Any,
    features: Any,
    feature_columns: Any,
    classes: Any,
    settings: TrainingSettings,
) -> Callable[[str], CampaignData]:
    """Fetch one campaign at a time from DuckDB relations (what dbt-duckdb's
    ``dbt.ref`` returns), capping each split at ``settings.sample_cap`` rows by
    a deterministic hash so larger inputs do not blow up memory."""
    import duckdb

    def where_campaign(rel: Any, campaign_id: str) -> Any:
        return rel.filter(
            duckdb.ColumnExpression("campaign_id") == duckdb.ConstantExpression(campaign_id)
        )

    def fetch(campaign_id: str) -> CampaignData:
        rows = where_campaign(labelled, campaign_id)
        n_train = rows.filter("split = 'train'").aggregate("count(*)").fetchall()[0][0]
        if n_train > settings.sample_cap:
            rows = rows.filter(
                duckdb.ColumnExpression("sample_fraction")
                < duckdb.ConstantExpression(settings.sample_cap / n_train)
            )
        # An integer key in event-id order stands in for the 36-character id on
        # the way to pandas: the same row order, ~5x less memory and no string
        # matching when the long rows are pivoted (long_to_matrix).
        keyed = rows.project(
            "event_id, fitted_state_id, split, class_index, has_rare_value, "
            "row_number() over (order by event_id) as event_key"
        )
        labelled_df = keyed.project(
            "event_key as event_id, fitted_state_id, split, class_index, has_rare_value"
        ).df()
        state = labelled_df["fitted_state_id"].iloc[0] if len(labelled_df) else ""
        keys = keyed.project("event_id as key_event_id, event_key")
        feats = (
            features.join(keys, "event_id = key_event_id")
            .project("event_key as event_id, feature_index, value")
            .df()
        )

        def of_state(rel: Any) -> pd.DataFrame:
            return (
                where_campaign(rel, campaign_id)
                .filter(
                    duckdb.ColumnExpression("fitted_state_id") == duckdb.ConstantExpression(state)
                )
                .df()
            )

        return CampaignData(
            labelled=labelled_df,
            features=feats,
            feature_columns=of_state(feature_columns),
            classes=of_state(classes),
            fitted_state_id=state,
        )

    return fetch
