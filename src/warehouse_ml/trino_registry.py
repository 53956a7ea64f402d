"""The model registry on Trino: an append-only log that the ``ml_models`` model reads.

On DuckDB ``ml_models`` is an incremental dbt Python model that upserts by
``model_id`` (a retired champion's row is replaced). Trino has no dbt Python
models, and its memory connector cannot delete or update, so the runner
appends the rows :func:`warehouse_ml.registry.train_all` returns to a log and
the dbt model ``ml_models`` (``models/marts/registry/ml_models.sql``, enabled
on Trino only) keeps the newest logged row per ``model_id``: the same table as
the upsert gives.

Two tables in the target schema (dbt source ``registry``)::

    ml_models_log       one row per logged registry row: log_id, logged_at and
                        every registry column except the large texts
    ml_models_log_text  the large texts (booster_json, scoring_sql) in parts:
                        log_id, column_name, part, chunk

The texts are split because one INSERT must stay under Trino's
``query.max-length`` (1,000,000 characters by default) while a booster's JSON
is often larger; the model glues the parts back in order.

A third table, ``ml_model_nodes_log`` (``model_id`` + the node-table columns of
:mod:`warehouse_ml.sql_node_scorer`), holds the trees of models whose SQL scorer
reads a node table; the dbt model ``ml_model_nodes`` selects from it, as the
DuckDB Python model of that name computes it. A model's nodes are written before
its registry row, so a logged model never lacks them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import pandas as pd

from warehouse_ml.registry import REGISTRY_COLUMNS
from warehouse_ml.sql_node_scorer import NODE_COLUMNS, registry_node_table
from warehouse_ml.trino_client import TrinoClient

__all__ = [
    "CHUNK_CHARS",
    "INTEGER_COLUMNS",
    "LOG_TABLE",
    "NODES_TABLE",
    "TEXT_COLUMNS",
    "TEXT_TABLE",
    "TIMESTAMP_COLUMNS",
    "append_node_rows",
    "append_registry_rows",
    "ensure_registry_log",
    "read_registry",
]

LOG_TABLE = "ml_models_log"
TEXT_TABLE = "ml_models_log_text"
NODES_TABLE = "ml_model_nodes_log"
_ARROW_TO_TRINO = {"int32": "integer", "bool": "boolean", "double": "double", "string": "varchar"}
#: Registry columns stored in parts in the text table.
TEXT_COLUMNS: tuple[str, ...] = ("booster_json", "scoring_sql")
INTEGER_COLUMNS: frozenset[str] = frozenset(
    {"n_train_rows", "n_validation_rows", "n_test_rows", "best_iteration"}
)
TIMESTAMP_COLUMNS: frozenset[str] = frozenset({"trained_at"})
#: Characters per text part (a few parts fit in one statement).
CHUNK_CHARS = 200_000


def _column_type(column: str) -> str:
    if column in INTEGER_COLUMNS:
        return "bigint"
    if column in TIMESTAMP_COLUMNS:
        return "timestamp(6) with time zone"
    return "varchar"


def _log_columns() -> list[tuple[str, str]]:
    columns = [("log_id", "varchar"), ("logged_at", "timestamp(6) with time zone")]
    return columns + [(c, _column_type(c)) for c in REGISTRY_COLUMNS if c not in TEXT_COLUMNS]


_TEXT_LOG_COLUMNS = (
    ("log_id", "varchar"),
    ("column_name", "varchar"),
    ("part", "integer"),
    ("chunk", "varchar"),
)


def _node_columns() -> list[tuple[str, str]]:
    fields = [("model_id", "string")] + [(f.name, str(f.type)) for f in NODE_COLUMNS]
    return [(name, _ARROW_TO_TRINO[kind]) for name, kind in fields]


def ensure_registry_log(client: TrinoClient) -> None:
    """Create the target schema and the three log tables if they do not exist, and add
    any registry column the log lacks."""
    client.ensure_schema(client.settings.schema)
    for name, columns in (
        (LOG_TABLE, _log_columns()),
        (TEXT_TABLE, _TEXT_LOG_COLUMNS),
        (NODES_TABLE, _node_columns()),
    ):
        body = ", ".join(f"{col} {kind}" for col, kind in columns)
        client.execute(f"create table if not exists {client.settings.qualified(name)} ({body})")
    # A log created by an earlier version lacks the columns added since (calibration):
    # add them, so its rows are kept and new rows fit.
    table = client.settings.qualified(LOG_TABLE)
    present = {str(row[0]).lower() for row in client.execute(f"show columns from {table}")}
    for col, kind in _log_columns():
        if col not in present:
            client.execute(f"alter table {table} add column {col} {kind}")


def _python_value(value: object) -> object:
    """A frame cell as a plain Python value (NULL for pandas' missing markers)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value.item() if hasattr(value, "item") else value


def append_registry_rows(client: TrinoClient, rows: pd.DataFrame) -> int:
    """Append registry rows (``train_all``'s frame) to the log; returns the rows logged.

    All rows of one call share ``logged_at``; a model id appears at most once
    per call, so the newest row per model id is well defined. Texts are written
    before the log rows, so a reader never sees a log row without its texts.
    """
    missing = [c for c in REGISTRY_COLUMNS if c not in rows.columns]
    if missing:
        raise ValueError(f"registry rows lack column(s) {missing}")
    if rows["model_id"].duplicated().any():
        raise ValueError("registry rows hold the same model_id twice")
    logged_at = datetime.now(UTC)
    log_rows, text_rows = [], []
    for _, row in rows.iterrows():
        log_id = str(uuid.uuid4())
        for column in TEXT_COLUMNS:
            text = _python_value(row[column])
            if text is None:
                continue
            for part, start in enumerate(range(0, max(len(text), 1), CHUNK_CHARS)):
                text_rows.append((log_id, column, part, text[start : start + CHUNK_CHARS]))
        log_rows.append(
            [log_id, logged_at]
            + [_python_value(row[c]) for c in REGISTRY_COLUMNS if c not in TEXT_COLUMNS]
        )
    client.insert_rows(
        client.settings.qualified(TEXT_TABLE), [c for c, _ in _TEXT_LOG_COLUMNS], text_rows
    )
    return client.insert_rows(
        client.settings.qualified(LOG_TABLE), [c for c, _ in _log_columns()], log_rows
    )


def append_node_rows(client: TrinoClient, rows: pd.DataFrame) -> int:
    """Append the node tables of the registry rows whose SQL scorer reads one; returns
    the node rows written. A model already in the log (a retired champion logged
    again) is not written twice."""
    nodes = registry_node_table(rows)
    if not nodes.num_rows:
        return 0
    table = client.settings.qualified(NODES_TABLE)
    present = {row[0] for row in client.execute(f"select distinct model_id from {table}")}
    fresh = [r for r in nodes.to_pylist() if r["model_id"] not in present]
    columns = _node_columns()
    return client.insert_json_rows(table, columns, ([r[n] for n, _ in columns] for r in fresh))


def read_registry(
    client: TrinoClient, *, progress: Callable[[str], None] = print
) -> pd.DataFrame | None:
    """The current ``ml_models`` (the dbt model over the log), or None before the first one."""
    if not client.table_exists("ml_models"):
        return None
    frame = client.frame(
        f"select {', '.join(REGISTRY_COLUMNS)} from {client.settings.qualified('ml_models')}"
    )
    progress(f"[warehouse_ml] registry: {len(frame)} model rows in ml_models")
    return frame
