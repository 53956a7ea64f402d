"""Which landed files Trino reads in place, and where (warehouse_ml.trino_lake), without a server."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from warehouse_ml.trino_client import TrinoSettings
from warehouse_ml.trino_lake import (
    CSV_SPARE_COLUMNS,
    csv_reader,
    file_location,
    parquet_reader,
    reader_table,
    reads_in_place,
)

#: The reader table names macro _lake_readers accepts (macros/ingestion/read_landed_records.sql).
MACRO_TABLE = re.compile(r"[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*\.(lines|csv|parquet)_[0-9a-f]{16}")
WHERE = {"lake_catalog": "hive", "schema": "ml_landing"}


def test_local_paths_become_local_uris_resolved_where_dbt_listed_them(tmp_path):
    assert file_location("/data/landing/a.json", tmp_path) == "local:///data/landing/a.json"
    assert file_location("landing/../landing/b.json", Path("/srv/wml")) == (
        "local:///srv/wml/landing/b.json"
    )


def test_object_store_uris_are_kept_as_given():
    uri = "s3://bucket/landing/2026/12/a.json"
    assert file_location(uri, Path("/srv")) == uri


def test_a_control_character_in_a_path_is_refused():
    with pytest.raises(ValueError, match="control character"):
        file_location("/data/a\n.json", Path("/"))


@pytest.mark.parametrize(
    ("path", "fmt", "expected"),
    [
        ("/l/a.json", "json", True),
        ("/l/a.csv", "csv", True),  # when its columns allow (csv_reader)
        ("/l/a.parquet", "parquet", True),  # when its columns allow (parquet_reader)
        ("/l/_a.json", "json", False),  # Hive hides _ and . files; DuckDB's glob does not
        ("/l/.a.csv", "csv", False),
    ],
)
def test_only_visible_files_are_read_in_place(path, fmt, expected):
    assert reads_in_place({"source_file": path, "file_format": fmt}) is expected


def test_one_reader_table_per_folder_with_a_name_the_macro_accepts():
    a = reader_table("hive", "ml_landing", "local:///data/landing")
    assert a == reader_table("hive", "ml_landing", "local:///data/landing")
    assert a != reader_table("hive", "ml_landing", "local:///data/requests")
    # macro _lake_readers accepts only this shape
    catalog, schema, table = a.split(".")
    assert (catalog, schema) == ("hive", "ml_landing")
    assert table.startswith("lines_") and len(table) == len("lines_") + 16
    int(table.removeprefix("lines_"), 16)


def test_the_lake_catalog_is_a_setting_and_none_turns_reading_in_place_off():
    assert TrinoSettings.from_env({}).lake_catalog == "hive"
    assert TrinoSettings.from_env({}).reads_lake
    off = TrinoSettings.from_env({"WML_TRINO_LAKE_CATALOG": "none"})
    assert not off.reads_lake
    assert (
        TrinoSettings.from_env({"WML_TRINO_LAKE_CATALOG": "Lake"}).env()["WML_TRINO_LAKE_CATALOG"]
        == "lake"
    )
    with pytest.raises(ValueError, match="WML_TRINO_LAKE_CATALOG"):
        TrinoSettings.from_env({"WML_TRINO_LAKE_CATALOG": "hive; drop table x"})


def _duckdb_json(sql: str, cwd: Path) -> list[dict]:
    with duckdb.connect() as con:
        con.execute(f"set file_search_path = '{cwd}'")
        return [json.loads(row[0]) for row in con.execute(sql).fetchall()]


def test_a_parquet_reader_declares_the_files_columns_in_duckdbs_order(tmp_path):
    table = pa.table(
        {
            "dBrowser": ["Chrome", None],
            "lat": [12.5, -3.0],
            "n": pa.array([1, 2], pa.int32()),
            "ok": [True, False],
            "score": pa.array([0.5, 1.5], pa.float32()),
        }
    )
    pq.write_table(table, tmp_path / "a.parquet")
    reader = parquet_reader("a.parquet", "local:///l", project_root=tmp_path, **WHERE)
    assert reader is not None and reader.kind == "parquet"
    assert MACRO_TABLE.fullmatch(reader.table) and reader.table.split(".")[-1].startswith(
        "parquet_"
    )
    assert reader.definition == (
        '"dbrowser" varchar, "lat" double, "n" integer, "ok" boolean, "score" real'
    )
    # The keys are DuckDB's to_json keys, in its order; Hive folds the column names.
    duck = _duckdb_json("select to_json(t) from read_parquet('a.parquet') as t", tmp_path)
    assert [json.loads(c["key"]) for c in reader.columns] == list(duck[0])
    assert [c["column"] for c in reader.columns] == ["dbrowser", "lat", "n", "ok", "score"]
    assert "format = 'PARQUET'" in reader.create_sql("local:///l")
    assert json.loads(reader.manifest_columns) == [dict(c) for c in reader.columns]


def test_one_parquet_table_per_folder_and_schema(tmp_path):
    pq.write_table(pa.table({"a": [1]}), tmp_path / "a.parquet")
    pq.write_table(pa.table({"a": [2]}), tmp_path / "b.parquet")
    pq.write_table(pa.table({"a": ["x"]}), tmp_path / "c.parquet")

    def table(name: str, folder: str = "local:///l") -> str:
        return parquet_reader(name, folder, project_root=tmp_path, **WHERE).table

    assert table("a.parquet") == table("b.parquet")
    assert table("a.parquet") != table("c.parquet")
    assert table("a.parquet") != table("a.parquet", "local:///m")


@pytest.mark.parametrize(
    "columns",
    [
        {"t": pa.array([0], pa.timestamp("us"))},  # DuckDB's JSON text of a timestamp differs
        {"d": pa.array([1], pa.decimal128(5, 2))},
        {"has space": ["x"]},  # not a plain identifier
        {"a": ["x"], "A": ["y"]},  # the same Hive column once folded
    ],
)
def test_parquet_columns_trino_cannot_read_as_duckdb_does_are_copied(tmp_path, columns):
    pq.write_table(pa.table(columns), tmp_path / "a.parquet")
    assert parquet_reader("a.parquet", "local:///l", project_root=tmp_path, **WHERE) is None


def test_a_csv_reader_follows_duckdbs_header_and_flags_wider_rows(tmp_path):
    # An empty header name, quoting, and a row wider than the header.
    (tmp_path / "a.csv").write_text('a,B c,,d\n1,"x,y",,\n2,,z,w,EXTRA\n')
    reader = csv_reader("a.csv", "local:///l", project_root=tmp_path, **WHERE)
    assert reader is not None and reader.kind == "csv" and reader.delimiter == ","
    assert MACRO_TABLE.fullmatch(reader.table) and reader.table.split(".")[-1].startswith("csv_")
    duck = _duckdb_json(
        "select to_json(t) from read_csv('a.csv', all_varchar = true, header = true, "
        "null_padding = true, strict_mode = false) as t",
        tmp_path,
    )
    keys = [json.loads(c["key"]) for c in reader.columns]
    assert keys[: len(duck[0])] == list(duck[0]) == ["a", "B c", "column2", "d", "column4"]
    assert len(keys) == len(duck[0]) + CSV_SPARE_COLUMNS
    assert [c["column"] for c in reader.columns] == [f"c{i}" for i in range(len(keys))]
    # DuckDB's rule: a column<n> key at or past the header line's 4 fields is too wide;
    # column2 is the empty header name, inside the header.
    assert [c["wide"] for c in reader.columns] == [False, False, False, False] + [True] * (
        1 + CSV_SPARE_COLUMNS
    )
    assert [c["optional"] for c in reader.columns] == [False] * 5 + [True] * CSV_SPARE_COLUMNS
    sql = reader.create_sql("local:///l")
    assert "format = 'CSV'" in sql and "skip_header_line_count = 1" in sql
    assert "csv_escape = U&'\\0000'" in sql


def test_a_semicolon_csv_keeps_its_delimiter(tmp_path):
    (tmp_path / "a.csv").write_text("a;b\n1;2\n3;4\n")
    reader = csv_reader("a.csv", "local:///l", project_root=tmp_path, **WHERE)
    assert reader.delimiter == ";" and "csv_separator = ';'" in reader.create_sql("local:///l")
    assert [json.loads(c["key"]) for c in reader.columns][:2] == ["a", "b"]
    assert not any(c["wide"] for c in reader.columns[:2])


def test_a_csv_quoted_another_way_is_copied(tmp_path):
    (tmp_path / "a.csv").write_text("a,b\n1,'x,y'\n2,'z,w'\n3,'q'\n")
    assert csv_reader("a.csv", "local:///l", project_root=tmp_path, **WHERE) is None
