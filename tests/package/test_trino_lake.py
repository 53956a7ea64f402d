"""Which landed files Trino reads in place, and where (warehouse_ml.trino_lake), without a server."""

from __future__ import annotations

from pathlib import Path

import pytest

from warehouse_ml.trino_client import TrinoSettings
from warehouse_ml.trino_lake import file_location, reader_table, reads_in_place


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
        ("/l/a.csv", "csv", False),  # DuckDB's CSV sniffing has no Trino twin: copied
        ("/l/a.parquet", "parquet", False),
        ("/l/_a.json", "json", False),  # Hive hides _ and . files; DuckDB's glob does not
        ("/l/.a.json", "json", False),
    ],
)
def test_only_visible_json_lines_are_read_in_place(path, fmt, expected):
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
