"""Let Trino read landed files where they lie, through Hive external tables.

``wml run --target trino`` used to copy every landed record into Trino
(:mod:`warehouse_ml.trino_loader`). Now a landed file is *registered* instead:
an external table in the lake catalog (the Hive connector,
``WML_TRINO_LAKE_CATALOG``, default ``hive``) over the file's folder, plus one
row per file in the manifest table::

    lake_files (dataset, source_file, file_format, location, reader_table,
                registered_at, reader_columns)

The ingestion models read a registered file from its external table, pruned to
that file by a literal ``"$path"`` list, and turn each row into the same JSON
record text DuckDB's reader gives (macro ``read_landed_records``), so records
and their reject reasons are the same on both engines. No record goes through
the client; only file metadata is read here.

* **JSON lines**: one table per folder (``lines_<hash>``) reading each line as
  one text column. Not Trino's JSON table format: that reader fails the whole
  query on one malformed line; read as text, a malformed line is kept and
  quarantined with its reason, as on DuckDB.
* **Parquet**: one table per folder and column schema (``parquet_<hash>``),
  declared with the file's own columns and types as DuckDB reads them; each row
  becomes ``{"name": value, ...}`` in column order, as DuckDB's ``to_json``.
* **CSV**: one table per folder and column layout (``csv_<hash>``) in Trino's
  CSV format (all text, header line skipped), its columns in the order of
  DuckDB's sniffed header (``column<n>`` names included) and a few spare
  columns past it, so a row wider than its header is caught with the same
  reject reason as on DuckDB.

What is still copied (the loader stays as the fallback for these):

* Parquet columns of other types (timestamps, decimals, nested) or with names
  that are not plain identifiers, and CSV files whose sniffed dialect Trino's
  CSV reader does not share (another quote character, a delimiter other than
  ``, ; | tab``): DuckDB's JSON text of those has no exact Trino twin;
* files Hive would skip: names starting with ``_`` or ``.`` are hidden files to
  Hive but not to DuckDB's glob;
* everything, when ``WML_TRINO_LAKE_CATALOG=none`` (a lake the Trino nodes cannot
  see, or no Hive connector).

Known difference kept: in a quoted CSV field a doubled quote (``"a""b"``) is
one quote to Trino's reader (RFC 4180) while DuckDB's sniffed dialect keeps
both; other values and every reject reason agree.

A file is registered once, identified by its path, like the DuckDB build's
manifest; a registration is one ``INSERT``, so an interrupted run registers
the rest next time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
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
    "LakeReader",
    "LakeSummary",
    "csv_reader",
    "ensure_lake_manifest",
    "file_location",
    "parquet_reader",
    "reader_table",
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
    ("reader_columns", "varchar"),
)
#: A URI the Trino file systems understand as it is (object stores, HDFS, local).
_URI = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
#: Characters a location may not hold: Trino's paths are text, but these never are.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: Parquet column names read in place: plain identifiers (they become Hive columns).
_PLAIN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: DuckDB's type of a Parquet column -> the Hive column type whose JSON text matches.
_PARQUET_TYPES = {
    "VARCHAR": "varchar",
    "BOOLEAN": "boolean",
    "TINYINT": "tinyint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "FLOAT": "real",
    "DOUBLE": "double",
}
#: Delimiters both DuckDB's sniffer and Trino's CSV reader take as they are.
_CSV_DELIMITERS = (",", ";", "|", "\t")
#: Text columns past a CSV's sniffed header: a wider row fills one and is rejected.
CSV_SPARE_COLUMNS = 8
#: DuckDB's reader options for a CSV file (macro duckdb__read_landed_records).
_CSV_OPTIONS = "all_varchar = true, header = true, null_padding = true, strict_mode = false"
#: A key DuckDB gives a field it found no header name for (macro duckdb__read_landed_records).
_UNNAMED = re.compile(r"^column([0-9]+)$")


@dataclass
class LakeSummary:
    """What one registration did: files registered now, files registered before."""

    registered: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LakeReader:
    """How Trino reads one landed file where it lies.

    ``columns`` (the manifest's ``reader_columns``, JSON) is empty for JSON
    lines; for CSV and Parquet it lists, in DuckDB's column order, each
    column's JSON key text (``key``), its Hive column (``column``), whether
    the key is written only when the value is not NULL (``optional``: CSV
    spare columns) and whether a value there makes the row wider than its
    header (``wide``).
    """

    kind: str
    table: str
    definition: str
    columns: tuple[Mapping[str, Any], ...] = ()
    delimiter: str = ","

    def create_sql(self, folder: str) -> str:
        return (
            f"create table if not exists {self.table} ({self.definition}) "
            f"with (external_location = {sql_literal(folder)}, {self._format()})"
        )

    def _format(self) -> str:
        if self.kind == "lines":
            # One varchar column per line: \001 (Hive's default field separator) rarely
            # appears in JSON text, and \002 as the NULL marker keeps a line "\N" a string.
            return (
                "format = 'TEXTFILE', textfile_field_separator = U&'\\0001', "
                "null_format = U&'\\0002'"
            )
        if self.kind == "parquet":
            return "format = 'PARQUET'"
        # No escape character (U&'\0000' turns OpenCSV's off): a backslash is data, as in DuckDB.
        return (
            "format = 'CSV', skip_header_line_count = 1, "
            f"csv_separator = {sql_literal(self.delimiter)}, "
            "csv_quote = '\"', csv_escape = U&'\\0000'"
        )

    @property
    def manifest_columns(self) -> str | None:
        if not self.columns:
            return None
        return json.dumps(list(self.columns), ensure_ascii=False)


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
    """Whether the lake catalog may read this plan entry where it lies: a file
    Hive does not hide. CSV and Parquet files also need columns it can read
    as DuckDB does (:func:`csv_reader`, :func:`parquet_reader`)."""
    name = PurePosixPath(entry["source_file"]).name
    return entry["file_format"] in ("json", "csv", "parquet") and not name.startswith(("_", "."))


def _folder(location: str) -> str:
    return location.rsplit("/", 1)[0]


def reader_table(
    lake_catalog: str, schema: str, folder: str, kind: str = "lines", layout: str = ""
) -> str:
    """The external table over one folder (and, for CSV and Parquet, one column
    layout): a name derived from them, of a shape macro ``_lake_readers`` accepts."""
    # JSON lines keep the folder-only name of their first release (tables already made).
    named = f"{folder}\n{layout}" if layout else folder
    digest = hashlib.sha1(named.encode("utf-8")).hexdigest()[:16]
    return f"{lake_catalog}.{schema}.{kind}_{digest}"


def _duckdb_rows(sql: str, project_root: Path) -> list[tuple]:
    import duckdb

    with contextlib.chdir(project_root), duckdb.connect() as con:
        return con.execute(sql).fetchall()


def parquet_reader(
    source_file: str, folder: str, *, lake_catalog: str, schema: str, project_root: Path
) -> LakeReader | None:
    """The external table reading a Parquet file as DuckDB does, or None (copy it)."""
    path = sql_literal(source_file)
    described = _duckdb_rows(f"describe select * from read_parquet({path})", project_root)
    names = [row[0] for row in described]
    kinds = [_PARQUET_TYPES.get(row[1]) for row in described]
    # DuckDB renames a repeated name (a, A -> a, A_1); Hive reads columns by their file name.
    in_file = _duckdb_rows(
        f"select path_in_schema from parquet_metadata({path}) where row_group_id = 0 "
        "order by column_id",
        project_root,
    )
    if (
        [row[0] for row in in_file] != names
        or None in kinds
        or not all(_PLAIN_NAME.match(n) for n in names)
        or len({n.lower() for n in names}) < len(names)  # Hive folds column names
    ):
        return None
    layout = ",".join(f"{n}:{k}" for n, k in zip(names, kinds, strict=True))
    columns = tuple(
        {
            "key": json.dumps(n, ensure_ascii=False),
            "column": n.lower(),
            "optional": False,
            "wide": False,
        }
        for n in names
    )
    return LakeReader(
        "parquet",
        reader_table(lake_catalog, schema, folder, "parquet", layout),
        ", ".join(f'"{c["column"]}" {k}' for c, k in zip(columns, kinds, strict=True)),
        columns,
    )


def csv_reader(
    source_file: str, folder: str, *, lake_catalog: str, schema: str, project_root: Path
) -> LakeReader | None:
    """The external table reading a CSV file as DuckDB does, or None (copy it).

    Columns follow DuckDB's sniffed header; a field DuckDB names ``column<n>``
    with ``n`` at or past the header line's comma count is the reject rule of
    the DuckDB reader (a row wider than its header), applied to the same
    positions here and to the spare columns past them.
    """
    path = sql_literal(source_file)
    sniffed = _duckdb_rows(
        f"select Delimiter, Quote from sniff_csv({path}, {_CSV_OPTIONS})", project_root
    )
    delimiter, quote = sniffed[0]
    if delimiter not in _CSV_DELIMITERS or quote not in ('"', "(empty)"):
        return None
    described = _duckdb_rows(
        f"describe select * from read_csv({path}, {_CSV_OPTIONS})", project_root
    )
    names = [row[0] for row in described]
    header = _duckdb_rows(
        f"select line from read_csv({path}, columns = {{'line': 'varchar'}}, delim = chr(1), "
        "quote = '', escape = '', header = false, auto_detect = false) limit 1",
        project_root,
    )
    width = len(header[0][0].split(",")) if header and header[0][0] is not None else 0
    keys = names + [f"column{i}" for i in range(len(names), len(names) + CSV_SPARE_COLUMNS)]

    def wide(key: str) -> bool:
        unnamed = _UNNAMED.match(key)
        return bool(unnamed) and int(unnamed.group(1)) >= width

    columns = tuple(
        {
            "key": json.dumps(key, ensure_ascii=False),
            "column": f"c{i}",
            "optional": i >= len(names),
            "wide": wide(key),
        }
        for i, key in enumerate(keys)
    )
    layout = json.dumps([delimiter, keys], ensure_ascii=False)
    return LakeReader(
        "csv",
        reader_table(lake_catalog, schema, folder, "csv", layout),
        ", ".join(f"{c['column']} varchar" for c in columns),
        columns,
        delimiter,
    )


def _reader(entry: Mapping[str, Any], folder: str, **where: Any) -> LakeReader | None:
    kind = entry["file_format"]
    if kind == "json":
        return LakeReader(
            "lines", reader_table(where["lake_catalog"], where["schema"], folder), "line varchar"
        )
    read = parquet_reader if kind == "parquet" else csv_reader
    try:
        return read(entry["source_file"], folder, **where)
    except Exception:
        return None  # DuckDB could not describe it: the loader copies it and reports why


def ensure_lake_manifest(client: TrinoClient) -> str:
    """Create the manifest table ``lake_files`` in the landing schema; return its name."""
    schema = client.settings.landing_schema
    client.ensure_schema(schema)
    table = client.settings.qualified("lake_files", schema)
    body = ", ".join(f"{col} {kind}" for col, kind in LAKE_FILES_COLUMNS)
    client.execute(f"create table if not exists {table} ({body})")
    # A manifest from before CSV and Parquet were read in place lacks reader_columns.
    have = {row[0] for row in client.execute(f"describe {table}")}
    for col, kind in LAKE_FILES_COLUMNS:
        if col not in have:
            client.execute(f"alter table {table} add column {col} {kind}")
    return table


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
            ``source_file`` and ``file_format``); entries that cannot be read in
            place are left out of the summary (the loader copies them).
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
        reader = _reader(
            entry, folder, lake_catalog=lake_catalog, schema=schema, project_root=project_root
        )
        if reader is None:
            progress(
                f"[warehouse_ml] {path}: copied, not read in place (its columns or CSV "
                "dialect have no reader in Trino that gives DuckDB's records)"
            )
            continue
        if reader.table not in created:
            client.execute(reader.create_sql(folder))
            created.add(reader.table)
        rows.append(
            (
                entry["dataset"],
                path,
                entry["file_format"],
                location,
                reader.table,
                datetime.now(UTC),
                reader.manifest_columns,
            )
        )
        done.add(path)
        summary.registered.append(path)
    if rows:
        client.insert_rows(manifest, [c for c, _ in LAKE_FILES_COLUMNS], rows)
        progress(
            f"[warehouse_ml] registered {len(rows)} landed file(s) in {manifest}, "
            f"read in place through {', '.join(sorted(created))}"
        )
    summary.tables = sorted(created)
    return summary
