"""Posted records are staged as stg_landing__requests stages landed ones."""

from __future__ import annotations

import pytest

from warehouse_ml.serve.records import RequestError, plain_number, stage_record, trim_spaces


def test_seed_names_are_renamed_and_text_is_trimmed_like_duckdb() -> None:
    staged, ignored = stage_record(
        {
            "dOs": "\u00a0Android ",
            "dType": "mobile",
            "dOsVersion": "6.0",
            "dBrowser": "Chrome WebView",
            "dBrowserVersion": "50.0",
            "country": " JO",
            "city": "",
            "long": " 36.0231 ",
            "lat": "31.9589",
            "colour": "red",
        }
    )
    assert staged == {
        "country": "JO",
        "dos": "Android",
        "dtype": "mobile",
        "dos_version": "6.0",
        "dbrowser": "Chrome WebView",
        "dbrowser_version": "50.0",
        "lat": 31.9589,
        "long": 36.0231,
    }
    assert ignored == ["colour"]


def test_staged_names_are_accepted_and_must_agree_with_seed_names() -> None:
    assert stage_record({"dos": "iOS", "dOs": "iOS"})[0] == {"dos": "iOS"}
    with pytest.raises(RequestError, match="dOs and dos disagree"):
        stage_record({"dos": "iOS", "dOs": "Android"})


def test_tabs_are_not_trimmed_as_the_warehouse_keeps_them() -> None:
    assert trim_spaces("\tx\u3000") == "\tx"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"lat": "north"}, "lat is not a number"),
        ({"long": "nan"}, "long is not a number"),
        ({"lat": "91"}, r"lat out of range \[-90, 90\]"),
        ({"long": -180.5}, r"long out of range \[-180, 180\]"),
        ({"country": {"iso": "SE"}}, "must be text or a number"),
        ({"city": ["a"]}, "must be text or a number"),
    ],
)
def test_values_the_batch_path_rejects_are_errors(fields: dict, message: str) -> None:
    with pytest.raises(RequestError, match=message) as raised:
        stage_record(fields)
    assert raised.value.status == 400


def test_numbers_are_accepted_where_text_is_expected() -> None:
    assert stage_record({"lat": 59, "long": 18.07, "country": 12})[0] == {
        "lat": 59.0,
        "long": 18.07,
        "country": "12",
    }


def test_plain_numbers_only() -> None:
    assert all(map(plain_number, ["1", "-1.5", ".5", "1e3", "+2."]))
    assert not any(map(plain_number, ["inf", "1_000", "0x1", "", "1,2", "nan"]))
