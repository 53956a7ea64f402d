"""Ingestion over deliberately broken files: nothing is lost, every reject says why."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import SHARED

from reference.records import seed_record

CAMPAIGN = "97318a5c-bbab-4a5a-8a28-c6ab6fcbd79b"
OFFER = "41183105-2ed4-46c6-b654-2f0081aa652d"
INGESTION = (
    "--select",
    "+ingest_files",
    "+ingest_rejects",
    "--exclude",
    "test_type:unit",
    "--indirect-selection",
    "cautious",
)


def event(n: int, **fields) -> dict:
    return seed_record(n, CAMPAIGN, OFFER, **fields)


def csv_row(n: int, browser: str, os_: str, lat: str, *extra: str) -> list[str]:
    """A row of the reordered CSV below: its columns in that file's order."""
    uuid = f"00000000-0000-4000-8000-{n:012d}"
    return [browser, lat, uuid, OFFER, CAMPAIGN, "2.5", "TH", os_, "mobile", *extra]


@pytest.fixture(scope="module")
def broken(make_warehouse):
    wh = make_warehouse("broken")
    good = [event(1), event(2, city="Kraków", dBrowser="Навигатор"), event(3, lat=12.5, long=-3)]
    lines = [json.dumps(e, ensure_ascii=False) for e in good] + [
        '{"id": "00000000-0000-4000-8000-000000000004", "campaign": ',  # broken JSON
        json.dumps(event(5, id="not-a-uuid")),
        json.dumps(event(6, lat="abc")),
        json.dumps({k: v for k, v in event(7).items() if k != "campaign"}),
        json.dumps(event(8, city="'; drop table x; --", dBrowser="'; drop table ingest_files; --")),
        json.dumps(event(9, id="'; drop table x; --")),
        json.dumps(event(10, lat="91")),
        "[1, 2, 3]",
        json.dumps(event(1, country="DE")),  # duplicate of event 1 in the same batch
        json.dumps(event(11, offer="")),
        json.dumps({**event(12), "extra_field": {"nested": True}}),
    ]
    (wh.landing / "events.json").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (wh.landing / "empty.json").write_text("")
    # A CSV whose columns are in another order, with one row wider than its header.
    columns = ["dBrowser", "lat", "id", "offer", "campaign", "long", "country", "dOs", "dType"]
    rows = [
        csv_row(20, "Chrome", "Android", "1.5"),
        csv_row(21, "Safari", "iOS", "bad"),
        csv_row(22, "Chrome", "Android", "1.5", "x"),
    ]
    (wh.landing / "events.csv").write_text("\n".join(",".join(r) for r in [columns, *rows]) + "\n")
    table = pa.table({k: [str(v)] for k, v in event(30, lat=-33.9, long=18.4).items()})
    pq.write_table(table, wh.landing / "events.parquet")
    (wh.requests / "requests.json").write_text(
        json.dumps({k: v for k, v in event(40).items() if k != "offer"}) + "\n" + "{oops\n"
    )
    wh.build(*INGESTION)
    return wh


def test_counts_reconcile_per_file(broken):
    files = {
        r[0].rsplit("/", 1)[-1]: r[1:]
        for r in broken.query(
            "select source_file, file_format, rows_read, rows_accepted, rows_rejected from ingest_files"
        )
    }
    assert files["events.json"] == ("json", 14, 5, 9)
    assert files["empty.json"] == ("json", 0, 0, 0)
    assert files["events.csv"] == ("csv", 3, 1, 2)
    assert files["events.parquet"] == ("parquet", 1, 1, 0)
    assert files["requests.json"] == ("json", 2, 1, 1)
    rejected = broken.query("select count(*) from ingest_rejects")[0][0]
    assert rejected == sum(f[3] for f in files.values())


def test_each_reject_carries_its_reason(broken):
    by_reason = dict(broken.query("select reason, count(*) from ingest_rejects group by 1"))
    assert by_reason["malformed JSON record"] == 3  # broken line, JSON array, broken request
    assert by_reason["id is not a UUID"] == 2
    assert by_reason["lat is not a number"] == 2  # JSON 'abc' and CSV 'bad'
    assert by_reason["missing campaign"] == 1
    assert by_reason["lat out of range [-90, 90]"] == 1
    assert by_reason["duplicate id (another copy was kept)"] == 1
    assert by_reason["missing offer"] == 1
    assert by_reason["CSV row has more fields than the header"] == 1
    record = broken.query(
        "select record from ingest_rejects where reason = 'lat is not a number' and source_file like '%.json'"
    )[0][0]
    assert json.loads(record)["lat"] == "abc"


def test_hostile_and_non_ascii_values_are_kept_verbatim(broken):
    rows = dict(
        broken.query(
            "select event_id, city from stg_landing__conversions where reject_reason is null"
        )
    )
    assert rows["00000000-0000-4000-8000-000000000002"] == "Kraków"
    assert rows["00000000-0000-4000-8000-000000000008"] == "'; drop table x; --"
    assert (
        broken.query("select dbrowser from stg_landing__conversions where city = 'Kraków'")[0][0]
        == "Навигатор"
    )
    # Duplicates in one batch: the stated rule keeps the copy whose file name,
    # then md5 of the record text, sorts first, so every engine keeps the same one.
    copies = [json.dumps(event(1)), json.dumps(event(1, country="DE"))]
    kept, dropped = sorted(copies, key=lambda text: hashlib.md5(text.encode()).hexdigest())
    # Staging keeps the text of rejected records only (the kept one's is in the ingestion table).
    rows = broken.query(
        "select reject_reason, record from stg_landing__conversions "
        "where event_id like '%000000000001' order by reject_reason nulls first"
    )
    assert rows == [(None, None), ("duplicate id (another copy was kept)", dropped)]
    assert kept in {r for (r,) in broken.query("select record from ingest_conversion_records")}


def test_csv_with_reordered_columns_and_numeric_json_coordinates(broken):
    lat, long = broken.query(
        "select lat, long from stg_landing__conversions where event_id like '%000000000020'"
    )[0]
    assert (lat, long) == (1.5, 2.5)
    assert broken.query(
        "select lat, long from stg_landing__conversions where event_id like '%000000000003'"
    ) == [(12.5, -3.0)]


def test_new_files_are_picked_up_and_old_ones_not_read_twice(broken):
    before = broken.query("select count(*) from ingest_conversion_records")[0][0]
    (broken.landing / "later.json").write_text(json.dumps(event(50)) + "\n")
    broken.build(*INGESTION)
    after = broken.query("select count(*) from ingest_conversion_records")[0][0]
    assert after == before + 1
    assert broken.query("select count(*) from ingest_files")[0][0] == 6
    broken.build(*INGESTION)
    assert broken.query("select count(*) from ingest_conversion_records")[0][0] == after


def test_a_missing_landing_folder_is_an_empty_landing(make_warehouse):
    wh = make_warehouse("nothing")
    wh.landing = wh.landing / "does-not-exist"
    wh.build(*INGESTION)
    assert wh.query("select count(*) from ingest_files")[0][0] == 0


def test_real_sample_ingests_with_zero_rejects(make_warehouse):
    wh = make_warehouse("real")
    shutil.copy(SHARED / "data" / "conversions.json", wh.landing / "conversions.json")
    wh.build(*INGESTION)
    assert wh.query("select rows_read, rows_accepted, rows_rejected from ingest_files") == [
        (5151, 5151, 0)
    ]


def test_a_csv_with_an_unnamed_index_column_is_accepted(make_warehouse):
    # pandas' to_csv() writes its index under an empty header name; DuckDB calls it
    # column0, a name it also gives to fields past the header: only those are errors.
    wh = make_warehouse("csv_index")
    records = [event(60), event(61)]
    frame = pd.DataFrame(records)
    frame.to_csv(wh.landing / "with_index.csv")
    with (wh.landing / "too_long.csv").open("w") as fh:
        fh.write(",".join(["", *records[0]]) + "\n")
        fh.write(",".join(["0", *(str(v) for v in event(62).values()), "surplus"]) + "\n")
    wh.build(*INGESTION)
    counts = dict(
        (Path(f).name, (read, rejected))
        for f, read, rejected in wh.query(
            "select source_file, rows_read, rows_rejected from ingest_files"
        )
    )
    assert counts == {"with_index.csv": (2, 0), "too_long.csv": (1, 1)}
    assert wh.query("select distinct reason from ingest_rejects") == [
        ("CSV row has more fields than the header",)
    ]
