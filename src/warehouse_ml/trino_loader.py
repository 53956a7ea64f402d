"""Copy landed files into Trino's landing source tables, read by DuckDB's own reader.

Trino cannot read the landing folders, so the ingestion models (conversions,
requests and every event log) read two source tables instead
(``models/ingestion/_ingestion__sources.yml``)::

    landed_records (load_id, dataset, source_file, file_format, record, parse_error)
    landed_files   (load_id, dataset, source_file, file_format, n_records, loaded_at)

This module fills them. It does not parse files itself: the *plan* it gets is
the dbt macro ``landing_load_plan`` compiled on the duckdb target, which lists
the landed files with DuckDB's glob and gives, per file, the exact query the
DuckDB build reads it with (``read_landed_records``: JSON lines as one text
column, CSV and Parquet rows through ``to_json``, the same parse errors). Each
query runs in an in-process DuckDB and its rows are inserted into Trino, so a
record is the same JSON text, with the same reject reason, on both engines.

A file is loaded once, identified by its path like the DuckDB build does. Its
``landed_files`` row is written after all its records, under a fresh
``load_id``: the ingestion models only read records whose load finished, so a
load interrupted half-way is simply done again by the next run.
"""

from __future__ import annotations

import contextlib
import re
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from warehouse_ml.trino_client import TrinoClient

__all__ = [
    "LANDED_FILES_COLUMNS",
    "LANDED_RECORDS_COLUMNS",
    "LoadSummary",
    "ensure_landing_tables",
    "load_landed_files",
]

LANDED_RECORDS_COLUMNS: tuple[tuple[str, str], ...] = (
    ("load_id", "varchar"),
    ("dataset", "varchar"),
    ("source_file", "varchar"),
    ("file_format", "varchar"),
    ("record", "varchar"),
    ("parse_error", "varchar"),
)
LANDED_FILES_COLUMNS: tuple[tuple[str, str], ...] = (
    ("load_id", "varchar"),
    ("dataset", "varchar"),
    ("source_file", "varchar"),
    ("file_format", "varchar"),
    ("n_records", "bigint"),
    ("loaded_at", "timestamp(6) with time zone"),
)
_PLAN_KEYS = ("dataset", "source_file", "file_format", "sql")
#: An event log's dataset (macro landing_folders: var events_dir and var event_logs).
_EVENT_LOG = re.compile(r"^event_log:[a-z_][a-z0-9_]*$")
_BATCH_ROWS = 20_000


@dataclass
class LoadSummary:
    """What one load did: files copied (with their record counts) and files skipped."""

    loaded: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def n_records(self) -> int:
        return sum(self.loaded.values())


def ensure_landing_tables(client: TrinoClient) -> None:
    """Create the landing schema and its two tables if they do not exist."""
    schema = client.settings.landing_schema
    client.ensure_schema(schema)
    for name, columns in (
        ("landed_records", LANDED_RECORDS_COLUMNS),
        ("landed_files", LANDED_FILES_COLUMNS),
    ):
        body = ", ".join(f"{col} {kind}" for col, kind in columns)
        client.execute(
            f"create table if not exists {client.settings.qualified(name, schema)} ({body})"
        )


def _validate_plan(plan: Sequence[Mapping[str, Any]]) -> None:
    for entry in plan:
        missing = [k for k in _PLAN_KEYS if not isinstance(entry.get(k), str)]
        if missing:
            raise ValueError(f"landing plan entry {dict(entry)!r:.200} lacks {missing}")
        if entry["dataset"] not in ("conversions", "requests") and not _EVENT_LOG.match(
            entry["dataset"]
        ):
            raise ValueError(f"landing plan: unknown dataset {entry['dataset']!r}")


def _record_batches(sql: str, folder: Path) -> Iterator[list[tuple[str, str | None]]]:
    """(record, parse_error) of one file's DuckDB query, in batches; relative
    paths in the query resolve in ``folder`` (where dbt listed the files)."""
    import duckdb

    with contextlib.chdir(folder), duckdb.connect() as con:
        reader = con.sql(f"select record, parse_error from ({sql}) as landed").to_arrow_reader(
            _BATCH_ROWS
        )
        for batch in reader:
            columns = batch.to_pydict()
            yield list(zip(columns["record"], columns["parse_error"], strict=True))


def load_landed_files(
    client: TrinoClient,
    plan: Sequence[Mapping[str, Any]],
    *,
    project_root: Path,
    progress: Callable[[str], None] = print,
) -> LoadSummary:
    """Copy every file of ``plan`` not loaded yet into the landing tables.

    Args:
        client: connection to the Trino target (its settings name the landing schema).
        plan: the compiled ``landing_load_plan`` macro: dicts with ``dataset``,
            ``source_file``, ``file_format`` and ``sql`` (a DuckDB query giving
            ``source_file, file_format, record, parse_error``).
        project_root: where dbt ran when it listed the files; relative paths in
            the plan are relative to it.
    """
    started = time.perf_counter()
    _validate_plan(plan)
    ensure_landing_tables(client)
    schema = client.settings.landing_schema
    records_table = client.settings.qualified("landed_records", schema)
    files_table = client.settings.qualified("landed_files", schema)
    done = {row[0] for row in client.execute(f"select distinct source_file from {files_table}")}
    summary = LoadSummary()
    for entry in plan:
        path = entry["source_file"]
        if path in done:
            summary.skipped.append(path)
            continue
        load_id = str(uuid.uuid4())
        n_records = 0
        for batch in _record_batches(entry["sql"], project_root):
            rows = [
                (load_id, entry["dataset"], path, entry["file_format"], record, parse_error)
                for record, parse_error in batch
            ]
            n_records += client.insert_rows(
                records_table, [c for c, _ in LANDED_RECORDS_COLUMNS], rows
            )
        client.insert_rows(
            files_table,
            [c for c, _ in LANDED_FILES_COLUMNS],
            [
                (
                    load_id,
                    entry["dataset"],
                    path,
                    entry["file_format"],
                    n_records,
                    datetime.now(UTC),
                )
            ],
        )
        done.add(path)
        summary.loaded[path] = n_records
        progress(f"[warehouse_ml] loaded {n_records:,} records of {path} into {records_table}")
    summary.seconds = time.perf_counter() - started
    return summary
