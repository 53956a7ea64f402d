"""Let Trino read landed JSON-lines files where they lie, through Hive external tables.

``wml run --target trino`` used to copy every landed record into Trino
(:mod:`warehouse_ml.trino_loader`). Now a JSON-lines file is *registered*
instead: one external table per landing folder in the lake catalog (the Hive
connector, ``WML_TRINO_LAKE_CATALOG``, default ``hive``), reading each line as
one text column, plus one row per file in the manifest table::

    lake_files (dataset, source_file, file_format, location, reader_table, registered_at)

The ingestion models read a registered file from its external table, pruned to
that file by a literal ``"$path"`` list, and classify each line with the same
SQL as the DuckDB build (macro ``read_landed_records``), so records and their
reject reasons are the same on both engines. No record goes through the client.

Why lines of text and not Trino's JSON table format: that reader fails the whole
query on one malformed line; read as text, a malformed line is kept and
quarantined with its reason, as on DuckDB.

What is still copied (the loader stays as the fallback for these):

* CSV and Parquet files: their header/column sniffing is DuckDB's
  (``to_json`` over ``read_csv``/``read_parquet``), which Trino's CSV and Parquet
  readers do not reproduce line for line;
* JSON files Hive would skip: names starting with ``_`` or ``.`` are hidden files
  to Hive but not to DuckDB's glob;
* everything, when ``WML_TRINO_LAKE_CATALOG=none`` (a lake the Trino nodes cannot
  see, or no Hive connector).

A file is registered once, identified by its path, like the DuckDB build's
manifest; a registration is one ``INSERT``, so an interrupted run registers
the rest next time.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from warehouse_ml.trino_client import TrinoClient, sql_literal

__all__ = [
    "LAKE_FILES_COLUMNS",
    "LakeSummary",
    "ensure_lake_manifest",
    "file_location",
    "reads_in_place",
    "register_lake_files",
]

LAKE_FILES_COLUMNS: tuple[tuple[str, str], ...] = (
    ("dataset", "varchar"),
    ("source_file", "varchar"),
    ("file_format", "varchar"),
    ("location", "varchar"),
    ("reader_table", "varchar"),
    ("registered_at", "timestamp(6) with time zone"),
)
#: A URI the Trino file systems understand as it is (object stores, HDFS, local).
_URI = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
#: Characters a location may not hold: Trino's paths are text, but these never are.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass
class LakeSummary:
    """What one registration did: files registered now, files registered before."""

    registered: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)


def file_location(source_file: str, project_root: Path) -> str:
    """The location Trino reads ``source_file`` at.

    A URI (``s3://…``, ``hdfs://…``) is kept as it is; a local path becomes
    ``local:///<absolute path>`` (the local cluster's ``fs.native-local`` file
    system, rooted at ``/``), resolved against the folder dbt listed it in.
    """
    if _CONTROL.search(source_file):
        raise ValueError(f"landed file path {source_file!r} holds a control character")
    if _URI.match(source_file):
        return source_file
    path = Path(source_file)
    absolute = path if path.is_absolute() else (project_root / path)
    return "local://" + os.path.normpath(absolute.as_posix())


def reads_in_place(entry: Mapping[str, Any]) -> bool:
    """Whether the lake catalog can read this plan entry where it lies (see module doc)."""
    name = PurePosixPath(entry["source_file"]).name
    return entry["file_format"] == "json" and not name.startswith(("_", "."))


def _folder(location: str) -> str:
    return location.rsplit("/", 1)[0]


def reader_table(lake_catalog: str, schema: str, folder: str) -> str:
    """The external table over one folder: a name derived from the folder's location."""
    digest = hashlib.sha1(folder.encode("utf-8")).hexdigest()[:16]
    return f"{lake_catalog}.{schema}.lines_{digest}"


def ensure_lake_manifest(client: TrinoClient) -> str:
    """Create the manifest table ``lake_files`` in the landing schema; return its name."""
    schema = client.settings.landing_schema
    client.ensure_schema(schema)
    table = client.settings.qualified("lake_files", schema)
    body = ", ".join(f"{col} {kind}" for col, kind in LAKE_FILES_COLUMNS)
    client.execute(f"create table if not exists {table} ({body})")
    return table


def _create_reader(client: TrinoClient, table: str, folder: str) -> None:
    # One varchar column per line: \001 (Hive's default field separator) rarely
    # appears in JSON text, and \002 as the NULL marker keeps a line "\N" a string.
    client.execute(
        f"create table if not exists {table} (line varchar) with ("
        f"format = 'TEXTFILE', external_location = {sql_literal(folder)}, "
        "textfile_field_separator = U&'\\0001', null_format = U&'\\0002')"
    )


def register_lake_files(
    client: TrinoClient,
    plan: Sequence[Mapping[str, Any]],
    *,
    project_root: Path,
    lake_catalog: str,
    progress: Callable[[str], None] = print,
) -> LakeSummary:
    """Register every in-place readable file of ``plan`` not registered yet.

    Args:
        client: connection to the Trino target (its settings name the landing schema).
        plan: the compiled ``landing_load_plan`` (dicts with ``dataset``,
            ``source_file`` and ``file_format``); entries :func:`reads_in_place`
            refuses are ignored here (the loader copies them).
        project_root: where dbt listed the files; relative paths resolve there.
        lake_catalog: the Hive catalog the external tables go in (a validated identifier).
    """
    schema = client.settings.landing_schema
    manifest = ensure_lake_manifest(client)
    done = {row[0] for row in client.execute(f"select distinct source_file from {manifest}")}
    summary = LakeSummary()
    client.execute(f"create schema if not exists {lake_catalog}.{schema}")
    created: set[str] = set()
    rows = []
    for entry in plan:
        if not reads_in_place(entry):
            continue
        path = entry["source_file"]
        if path in done:
            summary.skipped.append(path)
            continue
        location = file_location(path, project_root)
        folder = _folder(location)
        table = reader_table(lake_catalog, schema, folder)
        if table not in created:
            _create_reader(client, table, folder)
            created.add(table)
        rows.append((entry["dataset"], path, "json", location, table, datetime.now(UTC)))
        done.add(path)
        summary.registered.append(path)
    if rows:
        client.insert_rows(manifest, [c for c, _ in LAKE_FILES_COLUMNS], rows)
        progress(
            f"[warehouse_ml] registered {len(rows)} JSON-lines file(s) in {manifest}, "
            f"read in place through {', '.join(sorted(created))}"
        )
    summary.tables = sorted(created)
    return summary
