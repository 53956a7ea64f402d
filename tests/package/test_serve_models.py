"""The model store reports, rather than raises, a warehouse it cannot read."""

from __future__ import annotations

from pathlib import Path

import duckdb

from warehouse_ml.serve.models import ModelStore


def test_no_file_and_no_registry_tables_are_reported_in_health(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    store = ModelStore(path)
    assert store.refresh() is False
    assert store.health()["status"] == "no models"
    assert store.last_error is not None and "no warehouse file" in store.last_error
    duckdb.connect(str(path)).close()
    assert store.refresh() is False
    assert store.last_error is not None and "ml_serving_models" in store.last_error
    assert store.current is None and store.health()["models"] == {}
