"""IP lookups in a MaxMind-format database written here (GeoIP2-City layout)."""

from __future__ import annotations

from pathlib import Path

import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from warehouse_ml.serve.geoip import GEOIP_ENV, open_geoip

STOCKHOLM = {
    "country": {"iso_code": "SE", "names": {"en": "Sweden"}},
    "city": {"names": {"en": "Stockholm", "de": "Stockholm"}},
    "location": {"latitude": 59.3287, "longitude": 18.0717},
    "traits": {"isp": "AMAZON-02"},
}


@pytest.fixture
def city_db(tmp_path: Path) -> Path:
    writer = MMDBWriter(ip_version=6, database_type="GeoIP2-City", ipv4_compatible=True)
    writer.insert_network(IPSet(["81.2.69.0/24"]), STOCKHOLM)
    writer.insert_network(IPSet(["2001:db8::/32"]), {"country": {"iso_code": "TH"}})
    path = tmp_path / "city.mmdb"
    writer.to_db_file(str(path))
    return path


def test_an_address_in_the_database_gives_the_record_fields(city_db: Path) -> None:
    geo = open_geoip(city_db)
    assert geo is not None
    assert geo.lookup(" 81.2.69.7") == (
        {"country": "SE", "city": "Stockholm", "lat": 59.3287, "long": 18.0717, "isp": "AMAZON-02"},
        None,
    )
    assert geo.lookup("2001:db8::1") == ({"country": "TH"}, None)


def test_an_address_not_in_it_gives_a_notice(city_db: Path) -> None:
    geo = open_geoip(city_db)
    assert geo is not None
    fields, notice = geo.lookup("127.0.0.1")
    assert fields == {} and notice == "ip 127.0.0.1 is not in the GeoIP database"


def test_text_that_is_not_an_address_is_an_error(city_db: Path) -> None:
    geo = open_geoip(city_db)
    assert geo is not None
    for bad in ("", "81.2.69", "localhost", "1.2.3.4/8"):
        with pytest.raises(ValueError):
            geo.lookup(bad)


def test_the_database_comes_from_the_argument_or_the_environment(
    city_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(GEOIP_ENV, raising=False)
    assert open_geoip(None) is None
    monkeypatch.setenv(GEOIP_ENV, str(city_db))
    geo = open_geoip(None)
    assert geo is not None and geo.path == city_db
    with pytest.raises(FileNotFoundError, match="does not exist"):
        open_geoip(city_db.with_name("absent.mmdb"))
