"""Train every model spec's groups, apply each spec's gate, produce registry rows.

The registry (``ml_models``) is append-only in spirit: a model row is never
deleted. Each build adds one row per (model name, group) (``champion`` when the
new model passes its spec's gate, ``rejected`` otherwise, with the reason) and
re-emits the previous champion of the same model name and group as ``retired``
when a new one replaces it; another spec's champions are never touched. The
engine-specific part is only how a group's rows are read (a query function for
:class:`warehouse_ml.sql_fetcher.SqlTrainingFetcher`), so the DuckDB dbt Python
model and the Trino runner share all of this.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from warehouse_ml.calibration import apply_calibrator, calibrator_sql, fit_calibrator
from warehouse_ml.features import long_to_matrix
from warehouse_ml.metrics import (
    evaluate_binary,
    evaluate_multiclass,
    passes_gate,
    rare_value_breakdown,
)
from warehouse_ml.sql_node_scorer import model_scoring_sql
from warehouse_ml.training import (
    ParamRange,
    TrainingSkipped,
    class_probabilities,
    search_space_from_spec,
    train_model,
)

REGISTRY_COLUMNS = (
    "model_id",
    "model_name",
    "group_id",
    "campaign_id",
    "task",
    "status",
    "status_reason",
    "status_code",
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
    "calibration",
)


@dataclass(frozen=True)
class TrainingSettings:
    """What steers training, the gate and the compiled scorer for one spec.

    Built from a resolved spec (:func:`warehouse_ml.spec.load_spec_file`, or
    the JSON dbt renders) by :meth:`from_spec`; the defaults are the offer
    model's.

    Example:
        >>> TrainingSettings(n_trials=2).gate_threshold
        0.4
    """

    model_name: str = "offer_conversion"
    label_kind: str = "multiclass"
    objective: str = "multi:softprob"
    eval_metric: str = "mlogloss"
    search_space: Mapping[str, ParamRange] | None = None
    n_trials: int = 10
    seed: int = 13
    num_boost_round: int = 300
    early_stopping_rounds: int = 20
    min_rows: int = 50
    gate_metric: str = "hamming_loss"
    gate_direction: str = "max"
    gate_threshold: float = 0.40
    sample_cap: int = 5_000_000
    search_sample_cap: int = 100_000
    refit_on_validation: bool = True
    threads: int = 0
    dialect: str = "duckdb"
    groups: Sequence[str] = field(default_factory=tuple)
    calibration: str = "none"
    imbalance: str = "none"
    sql_formulation: str = "auto"

    def __post_init__(self) -> None:
        if self.n_trials < 1:
            raise ValueError(f"hpo_trials must be at least 1, got {self.n_trials}")
        if self.sample_cap < 1:
            raise ValueError(f"training_sample_cap must be positive, got {self.sample_cap}")
        if self.search_sample_cap < 1:
            raise ValueError(f"hpo_sample_cap must be positive, got {self.search_sample_cap}")
        if self.threads < 0:
            raise ValueError(f"training_threads must be 0 (all cores) or more, got {self.threads}")
        if self.label_kind not in ("multiclass", "binary"):
            raise ValueError(f"label kind must be multiclass or binary, got {self.label_kind!r}")
        if self.gate_direction not in ("max", "min"):
            raise ValueError(f"gate direction must be max or min, got {self.gate_direction!r}")

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
    def from_spec(cls, spec: Mapping[str, Any], dialect: str = "duckdb") -> TrainingSettings:
        """Settings of one resolved spec (dbt vars already applied)."""
        training, gate, sampling = spec["training"], spec["gate"], spec["sampling"]
        return cls(
            model_name=spec["name"],
            label_kind=spec["label"]["kind"],
            objective=training["objective"],
            eval_metric=training["eval_metric"],
            search_space=search_space_from_spec(training["search_space"]),
            n_trials=int(training["hpo_trials"]),
            seed=int(training["hpo_seed"]),
            num_boost_round=int(training["num_boost_round"]),
            early_stopping_rounds=int(training["early_stopping_rounds"]),
            min_rows=int(training["min_training_rows"]),
            gate_metric=gate["metric"],
            gate_direction=gate["direction"],
            gate_threshold=float(gate["threshold"]),
            sample_cap=int(sampling["training_sample_cap"]),
            search_sample_cap=int(sampling["hpo_sample_cap"]),
            refit_on_validation=_as_bool(training["refit_on_validation"]),
            threads=int(training["training_threads"]),
            dialect=dialect,
            groups=tuple(spec.get("groups") or ()),
            calibration=spec.get("calibration", "none"),
            imbalance=training.get("imbalance", "none"),
            sql_formulation=spec.get("scoring", {}).get("sql_formulation", "auto"),
        )


@dataclass
class GroupData:
    """One (model name, group)'s training input, as read from the warehouse.

    Attributes:
        labelled: ``entity_id, split, class_index`` (one row per kept
            example), and ``has_rare_value`` when known (test metrics are then
            also reported without and with rare values). The fetcher gives
            ``entity_id`` as an integer key in entity-id order (1..n); text ids
            work too.
        features: ``entity_id, feature_index, value`` (long form, same keys).
        feature_columns: ``feature_index, feature_name, kind`` of the fitted state.
        classes: ``label_value, class_index`` of the fitted state.
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


def model_id_for(model_name: str, group_id: str, invocation_id: str) -> str:
    """A deterministic model id: the same build of the same spec and group gets the same id."""
    key = f"warehouse_ml:{model_name}:{group_id}:{invocation_id}"
    return str(uuid.uuid5(uuid.NAMESPACE_URL, key))


def _split_rows(data: GroupData, split: str) -> pd.DataFrame:
    """A split's labelled rows in event-id order: the row order of every per-split array."""
    return data.labelled[data.labelled["split"] == split].sort_values("entity_id")


def _matrices(data: GroupData) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Dense (X, y) per split, rows in entity-id order so results do not depend on read order."""
    columns = data.feature_columns.sort_values("feature_index")
    kinds = columns["kind"].tolist()
    if columns["feature_index"].tolist() != list(range(len(kinds))):
        raise ValueError("feature columns of the fitted state are not numbered 0..n-1")
    long = data.features.rename(columns={"entity_id": "row_id"})
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for split in ("train", "validation", "test"):
        rows = _split_rows(data, split)
        ids = rows["entity_id"].to_numpy()
        X = long_to_matrix(long, ids, kinds)
        out[split] = (X, rows["class_index"].to_numpy(dtype=np.int64))
    return out


def _has_rare_value(data: GroupData, split: str) -> np.ndarray | None:
    """The split's ``has_rare_value`` flags in :func:`_matrices` row order, if fetched."""
    if "has_rare_value" not in data.labelled.columns:
        return None
    return _split_rows(data, split)["has_rare_value"].astype(bool).to_numpy()


def _evaluate(
    settings: TrainingSettings,
    y: np.ndarray,
    proba: np.ndarray,
    labels: list[str],
    majority: int,
) -> dict[str, Any]:
    """Test or validation metrics for the spec's label kind."""
    if settings.label_kind == "binary":
        return evaluate_binary(y, proba[:, 1])
    return evaluate_multiclass(y, proba, labels, baseline_class=majority)


def _imbalance_params(imbalance: str, y_train: np.ndarray) -> dict[str, Any]:
    """XGBoost parameters of the spec's imbalance handling (binary labels 0/1)."""
    if imbalance == "scale_pos_weight":
        positives = int(np.sum(y_train == 1))
        return {"scale_pos_weight": (len(y_train) - positives) / max(positives, 1)}
    if imbalance == "max_delta_step":
        return {"max_delta_step": 1}
    return {}


def _calibrated(calibrator: dict[str, Any] | None, proba: np.ndarray) -> np.ndarray:
    """Two-class probabilities with the positive class calibrated."""
    if calibrator is None:
        return proba
    p = apply_calibrator(calibrator, proba[:, 1])
    return np.column_stack([1.0 - p, p])


def _prefixed(metrics: dict[str, Any]) -> dict[str, Any]:
    """Metrics before calibration, named ``uncalibrated_<metric>`` beside the calibrated ones."""
    return {f"uncalibrated_{k}": v for k, v in metrics.items() if k != "n_bins"}


def calibrated_scoring_sql(scoring_sql: str, calibrator: dict[str, Any] | None) -> str:
    """The compiled scorer with the calibrator applied to the positive class (binary)."""
    if calibrator is None:
        return scoring_sql
    positive = calibrator_sql(calibrator, "raw.probability")
    negative = calibrator_sql(calibrator, "(1.0 - raw.probability)")
    return (
        "select raw.request_id, raw.class_index, case when raw.class_index = 1 then "
        f"{positive} else 1.0 - ({negative}) end as probability from ({scoring_sql}) as raw"
    )


def train_group(
    group_id: str,
    data: GroupData,
    settings: TrainingSettings,
    *,
    invocation_id: str,
    trained_at: datetime | None = None,
) -> dict[str, Any]:
    """Train, evaluate and gate one (model name, group); return its registry row.

    A group that cannot be trained (one class, too few rows, a class absent
    from training) gets a ``rejected`` row whose ``status_reason`` says why and
    whose ``status_code`` is :class:`TrainingSkipped`'s code, so the build goes
    on for the other groups and specs.
    """
    trained_at = trained_at or datetime.now(UTC)
    classes = data.classes.sort_values("class_index")
    labels = classes["label_value"].astype(str).tolist()
    columns = data.feature_columns.sort_values("feature_index")
    row: dict[str, Any] = {
        "model_id": model_id_for(settings.model_name, group_id, invocation_id),
        "model_name": settings.model_name,
        "group_id": group_id,
        "campaign_id": group_id,
        "task": settings.model_name,
        "status": "rejected",
        "status_reason": None,
        "status_code": None,
        "fitted_state_id": data.fitted_state_id,
        "invocation_id": invocation_id,
        "hyperparameters": None,
        "feature_columns": json.dumps(columns["feature_name"].tolist()),
        "feature_kinds": json.dumps(columns["kind"].tolist()),
        "classes": json.dumps(dict(zip(labels, classes["class_index"].astype(int), strict=True))),
        "metrics": None,
        "n_train_rows": 0,
        "n_validation_rows": 0,
        "n_test_rows": 0,
        "best_iteration": None,
        "booster_json": None,
        "scoring_sql": None,
        "trained_at": trained_at,
        "calibration": None,
    }
    matrices = _matrices(data)
    (X_train, y_train), (X_valid, y_valid), (X_test, y_test) = (
        matrices["train"],
        matrices["validation"],
        matrices["test"],
    )
    row.update(n_train_rows=len(y_train), n_validation_rows=len(y_valid), n_test_rows=len(y_test))
    binary = settings.label_kind == "binary"
    n_classes = 2 if binary else len(labels)
    try:
        if binary and sorted(classes["class_index"].astype(int)) != [0, 1]:
            raise TrainingSkipped(
                f"the training split holds only class(es) {labels}; a binary model needs both",
                code="missing_class",
            )
        if len(labels) < 2:
            raise TrainingSkipped(
                f"group has {len(labels)} class(es) in training; needs 2+", code="single_class"
            )
        if len(y_test) == 0:
            raise TrainingSkipped(
                "test split is empty; cannot evaluate the model", code="no_test_rows"
            )
        result = train_model(
            X_train,
            y_train,
            X_valid,
            y_valid,
            n_classes=n_classes,
            objective=settings.objective,
            eval_metric=settings.eval_metric,
            search_space=settings.search_space,
            n_trials=settings.n_trials,
            seed=settings.seed,
            num_boost_round=settings.num_boost_round,
            early_stopping_rounds=settings.early_stopping_rounds,
            min_rows=settings.min_rows,
            nthread=settings.nthread,
            search_rows=settings.search_sample_cap,
            refit_on_validation=settings.refit_on_validation,
            base_params=_imbalance_params(settings.imbalance, y_train),
        )
    except TrainingSkipped as skipped:
        row["status_reason"] = f"not trained: {skipped}"
        row["status_code"] = skipped.code
        return row

    booster = result.booster
    # The baseline guesses the training split's majority class, as a deployed
    # majority-class rule would.
    majority = int(np.bincount(y_train, minlength=n_classes).argmax())
    # Calibrated on the validation split, which training never fitted on (the
    # spec refuses calibration with refit_on_validation) and which is unweighted.
    calibrator = (
        fit_calibrator(class_probabilities(booster, X_valid)[:, 1], y_valid, settings.calibration)
        if binary
        else None
    )
    test_raw = class_probabilities(booster, X_test)
    test_proba = _calibrated(calibrator, test_raw)
    test_metrics = _evaluate(settings, y_test, test_proba, labels, majority)
    if calibrator is not None:
        test_metrics.update(_prefixed(_evaluate(settings, y_test, test_raw, labels, majority)))
    # The reference for prediction drift: the distribution of the winning
    # probability on the test split (Hivemall fits a Gaussian to it).
    top = test_proba.max(axis=1).astype(np.float64)
    test_metrics["top_probability_mean"] = float(top.mean())
    test_metrics["top_probability_std"] = float(top.std())
    test_rare = _has_rare_value(data, "test")
    if test_rare is not None:
        test_metrics.update(rare_value_breakdown(y_test, test_proba, test_rare))
    # Judged with the model chosen on validation, which never trained on it.
    valid_raw = class_probabilities(result.validation_booster, X_valid)
    valid_proba = _calibrated(calibrator, valid_raw)
    valid_metrics = _evaluate(settings, y_valid, valid_proba, labels, majority)
    if calibrator is not None:
        valid_metrics.update(_prefixed(_evaluate(settings, y_valid, valid_raw, labels, majority)))
    passed, reason = passes_gate(
        test_metrics,
        settings.gate_threshold,
        metric=settings.gate_metric,
        direction=settings.gate_direction,
    )
    row.update(
        status="champion" if passed else "rejected",
        status_reason=reason,
        status_code="passed_gate" if passed else "failed_gate",
        hyperparameters=json.dumps(result.best_params, sort_keys=True),
        metrics=json.dumps({"test": test_metrics, "validation": valid_metrics}, default=float),
        best_iteration=int(result.best_iteration),
        booster_json=bytes(booster.save_raw("json")).decode(),
        calibration=json.dumps(calibrator) if calibrator is not None else None,
    )
    try:
        formulation, scoring_sql = model_scoring_sql(
            booster,
            columns["kind"].tolist(),
            dialect=settings.dialect,
            formulation=settings.sql_formulation,
        )
        row["scoring_sql"] = calibrated_scoring_sql(scoring_sql, calibrator)
        if formulation == "node_table":
            row["status_reason"] = f"{reason}; SQL scorer: trees as a node table (ml_model_nodes)"
    except ValueError as too_big:
        # A model too large for one SQL statement still serves through XGBoost;
        # the SQL scorer skips it and says so here.
        row["status_reason"] = f"{reason}; no SQL scorer: {too_big}"
    return row


#: A pre-spec registry row's status -> its status_code.
_LEGACY_STATUS_CODES = {"champion": "passed_gate", "retired": "replaced", "rejected": "failed_gate"}


def upgrade_legacy_rows(previous: pd.DataFrame | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fill the keys that registries written before model specs lack.

    Such rows are all the offer model's (one per campaign): ``model_name`` is
    ``offer_conversion``, ``group_id`` the campaign and ``status_code`` follows
    from ``status``. Returns the previous rows with those filled in (so the
    champions among them are retired like any other) and the upgraded rows
    alone, to write back.
    """
    if previous is None or previous.empty:
        return previous if previous is not None else pd.DataFrame(), pd.DataFrame()
    previous = previous.reindex(columns=list(REGISTRY_COLUMNS)).copy()
    legacy = previous["model_name"].isna()
    if not legacy.any():
        return previous, pd.DataFrame()
    previous.loc[legacy, "model_name"] = "offer_conversion"
    previous.loc[legacy, "group_id"] = previous.loc[legacy, "campaign_id"]
    previous.loc[legacy, "status_code"] = (
        previous.loc[legacy, "status"].map(_LEGACY_STATUS_CODES).fillna("skipped")
    )
    return previous, previous.loc[legacy]


def retire_replaced(new_rows: Iterable[Mapping[str, Any]], previous: pd.DataFrame) -> pd.DataFrame:
    """Previous champions of the same (model name, group) as a new champion,
    re-emitted as ``retired``; other specs' and groups' champions stay."""
    new_champions = {
        (r["model_name"], r["group_id"]) for r in new_rows if r["status"] == "champion"
    }
    if previous is None or previous.empty or not new_champions:
        return pd.DataFrame(columns=list(REGISTRY_COLUMNS))
    keys = pd.Series(list(zip(previous["model_name"], previous["group_id"], strict=True)))
    mask = (previous["status"] == "champion").to_numpy() & keys.isin(new_champions).to_numpy()
    retired = previous.loc[mask].reindex(columns=list(REGISTRY_COLUMNS)).copy()
    retired["status"] = "retired"
    retired["status_reason"] = "replaced by a newer champion"
    retired["status_code"] = "replaced"
    return retired


def train_all(
    specs: Sequence[Mapping[str, Any]],
    fetcher: Any,
    *,
    invocation_id: str,
    dialect: str = "duckdb",
    previous: pd.DataFrame | None = None,
    progress: Callable[[str], None] = print,
) -> pd.DataFrame:
    """Train each spec's groups (fetched one at a time to bound memory) and
    return the registry rows to upsert by ``model_id``: the new rows plus
    retirements (and pre-spec rows with their new keys filled in, once).

    ``fetcher`` has ``groups(model_name) -> list[str]`` and
    ``fetch(model_name, group_id, sample_cap) -> GroupData``
    (:class:`warehouse_ml.sql_fetcher.SqlTrainingFetcher`).
    """
    previous, upgraded = upgrade_legacy_rows(previous)
    rows: list[dict[str, Any]] = []
    for spec in specs:
        settings = TrainingSettings.from_spec(spec, dialect)
        groups = fetcher.groups(settings.model_name)
        for n, group_id in enumerate(groups, start=1):
            progress(
                f"[warehouse_ml] training {settings.model_name} group {n}/{len(groups)}: {group_id}"
            )
            data = fetcher.fetch(settings.model_name, group_id, settings.sample_cap)
            row = train_group(group_id, data, settings, invocation_id=invocation_id)
            progress(f"[warehouse_ml]   -> {row['status']}: {row['status_reason']}")
            rows.append(row)
    new = pd.DataFrame(rows, columns=list(REGISTRY_COLUMNS))
    retired = retire_replaced(rows, previous if previous is not None else pd.DataFrame())
    if not upgraded.empty:
        replaced = set(new["model_id"]) | set(retired["model_id"])
        upgraded = upgraded.loc[~upgraded["model_id"].isin(replaced)]
    frames = [f for f in (new, retired, upgraded) if not f.empty]
    out = pd.concat(frames, ignore_index=True) if frames else new
    for col in ("n_train_rows", "n_validation_rows", "n_test_rows", "best_iteration"):
        out[col] = out[col].astype("Int64")
    out["trained_at"] = pd.to_datetime(out["trained_at"], utc=True)
    return out
