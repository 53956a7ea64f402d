"""The serving models, read from the warehouse and kept in memory.

A DuckDB file has one writer, and ``dbt build`` is it: while the server holds
the file even read-only, a build fails to lock it. So the store opens a
read-only connection only to load, closes it at once, and re-reads only when
the file changed (its size or modification time, or the WAL's). When the file
is locked by a build, the models already loaded keep serving and the next poll
tries again; a newly promoted champion is served from the first poll after the
build, without a restart.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import xgboost as xgb

from warehouse_ml.scoring import model_probabilities
from warehouse_ml.serve.records import trim_spaces

__all__ = [
    "REQUEST_SOURCE",
    "ModelStore",
    "ServingModel",
    "SpecInfo",
    "load_serving_models",
    "score_on_one_thread",
]

#: The scoring source whose rows are request records: the specs the endpoint serves.
REQUEST_SOURCE = "stg_landing__requests"
OTHER_CATEGORY = "__other__"

_SERVING_SQL = """
    select
        serving.model_name, serving.group_id, serving.model_id, serving.fitted_state_id,
        models.booster_json, models.feature_kinds, models.classes, models.feature_columns,
        models.calibration, specs.spec_json
    from ml_serving_models as serving
    inner join ml_models as models on serving.model_id = models.model_id
    inner join ml_model_specs as specs on serving.model_name = specs.model_name
    order by serving.model_name, serving.group_id
"""
_LEVELS_SQL = """
    select model_name, group_id, fitted_state_id, column_name, category, feature_index
    from fit_category_levels
    where feature_index is not null
"""


@dataclass
class ServingModel:
    """One serving model with what encoding and scoring a request needs."""

    model_name: str
    group_id: str
    model_id: str
    feature_columns: list[str]
    feature_kinds: list[str]
    labels: list[str]
    booster: xgb.Booster
    numeric: list[str]
    categorical: list[str]
    #: column → category → feature index (the fitted state's kept levels).
    levels: dict[str, dict[str, int]]
    #: column → feature index of its ``__other__`` level (bucket mode only).
    other: dict[str, int]
    calibration: dict[str, Any] | None = None

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities of one dense feature row, as the batch scorer computes them
        (``scoring.score_model_requests``: XGBoost's predict, or the calibrator applied to
        the SQL scorer's double-precision raw probability for calibrated binary models)."""
        row = x.reshape(1, -1)
        if self.calibration is not None:
            return model_probabilities(self.booster, row, self.calibration)[0].astype(np.float64)
        # inplace_predict skips building a DMatrix, a third of a request's scoring time,
        # and returns the same float32 values as the batch scorer's DMatrix predict.
        raw = np.asarray(self.booster.inplace_predict(row)).reshape(-1)
        if raw.size == 1:  # binary:logistic gives P(class 1); as class_probabilities does
            raw = np.array([1.0 - raw[0], raw[0]], dtype=raw.dtype)
        return raw.astype(np.float64)


def score_on_one_thread() -> None:
    """Make XGBoost use one thread in the calling thread (its global config is per thread).

    For one row, starting XGBoost's OpenMP team costs more than the row's trees, and on
    a busy machine its threads wait for a core: building the one-row DMatrix took 30 ms
    at the median and 50 ms at p99 (load average 8 on 2 cores), 0.2 ms on one thread.
    """
    xgb.set_config(nthread=1)


def _model(row: Mapping[str, Any], levels: list[tuple]) -> ServingModel:
    spec = json.loads(row["spec_json"])
    classes = json.loads(row["classes"])
    by_index = {int(index): label for label, index in classes.items()}
    booster = xgb.Booster()
    booster.load_model(bytearray(row["booster_json"].encode()))
    booster.set_param({"nthread": 1})  # see score_on_one_thread
    n_classes = max(2, len(by_index))
    kept: dict[str, dict[str, int]] = {}
    other: dict[str, int] = {}
    for column, category, index in levels:
        kept.setdefault(column, {})[category] = int(index)
        if category == OTHER_CATEGORY:
            other[column] = int(index)
    bucket = spec["features"]["rare_values"]["handling"] == "bucket"
    calibration = row.get("calibration")
    calibrator = json.loads(calibration) if isinstance(calibration, str) and calibration else None
    return ServingModel(
        model_name=row["model_name"],
        group_id=row["group_id"],
        model_id=row["model_id"],
        feature_columns=list(json.loads(row["feature_columns"])),
        feature_kinds=list(json.loads(row["feature_kinds"])),
        labels=[by_index.get(i, str(i)) for i in range(n_classes)],
        booster=booster,
        numeric=list(spec["features"]["numeric"]),
        categorical=list(spec["features"]["categorical"]),
        levels=kept,
        other=other if bucket else {},
        calibration=calibrator,
    )


def _serves_requests(spec_json: str) -> bool:
    spec = json.loads(spec_json)
    scoring = spec.get("scoring") or {}
    upstream = (spec.get("features") or {}).get("upstream") or []
    return scoring.get("source") == REQUEST_SOURCE and not upstream


def _table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    found = con.execute(
        "select count(*) from information_schema.tables where table_name = ?", [name]
    ).fetchone()
    return bool(found and found[0])


def _key(value: Any) -> str:
    # The seeds' ids are matched as offer_predictions matches them: lower(trim(id)).
    return trim_spaces(str(value)).lower()


def _names(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """Campaign and offer display names from the dbt seeds, when the warehouse has them."""
    campaigns: dict[str, str] = {}
    offers: dict[tuple[str, str], str] = {}
    if _table_exists(con, "campaign_names"):
        for campaign, name in con.execute(
            "select campaign_id, campaign_name from campaign_names"
        ).fetchall():
            if campaign is not None and name is not None:
                campaigns[_key(campaign)] = str(name)
    if _table_exists(con, "offer_names"):
        for campaign, offer, name in con.execute(
            "select campaign_id, offer_id, offer_name from offer_names"
        ).fetchall():
            if campaign is not None and offer is not None and name is not None:
                offers[(_key(campaign), _key(offer))] = str(name)
    return campaigns, offers


@dataclass(frozen=True)
class SpecInfo:
    """What the endpoint needs of a spec: its group key (None: one model for all rows)
    and its label column (``offer_id``: each class is an offer)."""

    group_key: str | None
    label_column: str


@dataclass
class Loaded:
    """One consistent reading of the warehouse."""

    models: dict[tuple[str, str], ServingModel]
    campaign_names: dict[str, str]
    offer_names: dict[tuple[str, str], str]
    #: model_name → its spec, for each spec that scores request records.
    specs: dict[str, SpecInfo]
    loaded_at: float


def load_serving_models(
    path: str | Path, previous: Mapping[tuple[str, str], ServingModel] | None = None
) -> Loaded:
    """Read the serving models of request-record specs from the DuckDB file at ``path``.

    Models already in ``previous`` (same model id and name) are reused rather than
    parsed again. Raises ``duckdb.Error`` when the file cannot be opened (e.g. a build
    holds its lock) or lacks the registry tables.
    """
    previous = previous or {}
    with duckdb.connect(str(path), read_only=True) as con:
        cursor = con.execute(_SERVING_SQL)
        columns = [d[0] for d in cursor.description]
        rows = [dict(zip(columns, r, strict=True)) for r in cursor.fetchall()]
        specs = {
            name: SpecInfo(group_key or None, json.loads(spec_json)["label"]["column"])
            for name, group_key, spec_json in con.execute(
                "select model_name, group_key, spec_json from ml_model_specs"
            ).fetchall()
            if _serves_requests(spec_json)
        }
        rows = [r for r in rows if r["model_name"] in specs and r["booster_json"]]
        levels: dict[tuple[str, str, str], list[tuple]] = {}
        if rows:
            for name, group, state, column, category, index in con.execute(_LEVELS_SQL).fetchall():
                levels.setdefault((name, group, state), []).append((column, category, index))
        campaigns, offers = _names(con)
    models: dict[tuple[str, str], ServingModel] = {}
    for row in rows:
        key = (row["model_name"], row["group_id"])
        old = previous.get(key)
        if old is not None and old.model_id == row["model_id"]:
            models[key] = old
            continue
        state = (row["model_name"], row["group_id"], row["fitted_state_id"])
        models[key] = _model(row, levels.get(state, []))
    return Loaded(models, campaigns, offers, specs, time.time())


def _file_state(path: Path) -> tuple:
    """What changes when a build writes the file (its WAL included)."""
    state = []
    for p in (path, path.with_name(path.name + ".wal")):
        try:
            st = p.stat()
            state.append((st.st_size, st.st_mtime_ns))
        except FileNotFoundError:
            state.append(None)
    return tuple(state)


@dataclass
class ModelStore:
    """The loaded serving models, refreshed from the warehouse file every ``refresh_seconds``."""

    path: Path
    refresh_seconds: float = 5.0
    current: Loaded | None = None
    last_error: str | None = None
    last_checked_at: float | None = None
    _state: tuple | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.path = Path(self.path)

    def refresh(self, force: bool = False) -> bool:
        """Reload when the file changed since the last good load; True when models changed.

        A failed load (file locked by a build, tables missing) keeps the models
        already loaded and is retried at the next call.
        """
        with self._lock:
            self.last_checked_at = time.time()
            state = _file_state(self.path)
            if not force and self.current is not None and state == self._state:
                return False
            if state[0] is None:
                self.last_error = f"no warehouse file at {self.path} (run `make demo` or dbt build)"
                return False
            try:
                loaded = load_serving_models(
                    self.path, self.current.models if self.current else None
                )
            except Exception as exc:
                # Whatever a build left behind (a locked file, a missing table, a row this
                # version cannot read), the models already loaded keep serving.
                self.last_error = f"{type(exc).__name__}: {exc}".splitlines()[0]
                return False
            before = self.model_ids()
            self.current = loaded
            self._state = state
            self.last_error = None
            return self.model_ids() != before

    def model_ids(self) -> dict[str, str]:
        """``"model_name/group_id"`` → model id of every loaded model."""
        if self.current is None:
            return {}
        return {f"{n}/{g}": m.model_id for (n, g), m in sorted(self.current.models.items())}

    def health(self) -> dict[str, Any]:
        """What ``GET /health`` reports."""
        loaded = self.current
        return {
            "status": "ok" if loaded is not None and loaded.models else "no models",
            "warehouse": str(self.path),
            "refresh_seconds": self.refresh_seconds,
            "loaded_at": _iso(loaded.loaded_at) if loaded else None,
            "checked_at": _iso(self.last_checked_at),
            "last_error": self.last_error,
            "models": self.model_ids(),
        }


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))
