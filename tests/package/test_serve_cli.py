"""`wml serve` refuses bad settings before it starts a server."""

from __future__ import annotations

from pathlib import Path

import pytest

from warehouse_ml.cli import main


def test_a_missing_geoip_database_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    absent = tmp_path / "absent.mmdb"
    assert main(["serve", "--db", str(tmp_path / "w.duckdb"), "--geoip", str(absent)]) == 2
    assert f"GeoIP database {absent} does not exist" in capsys.readouterr().err


def test_refresh_seconds_must_be_positive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--db", str(tmp_path / "w.duckdb"), "--refresh-seconds", "0"]) == 2
    assert "--refresh-seconds must be positive" in capsys.readouterr().err


def test_workers_must_be_at_least_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--db", str(tmp_path / "w.duckdb"), "--workers", "0"]) == 2
    assert "--workers must be at least 1" in capsys.readouterr().err
