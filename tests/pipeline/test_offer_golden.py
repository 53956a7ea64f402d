"""The offer model's outputs on the demo sample equal the golden file.

tests/golden/offer_conversion.json was written by tests/golden/make_offer_golden.py
on commit 44123da, before the refactors of this layer (shared ingestion and
staging macros, portable dialect macros) and the model-spec work that follows:
the split, fitted state, feature rows, boosters (one XGBoost thread) and the
offer predictions and scores must stay the same.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "offer_conversion.json"


def _maker():
    spec = importlib.util.spec_from_file_location(
        "make_offer_golden", ROOT / "tests" / "golden" / "make_offer_golden.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> dict:
    maker = _maker()
    db = maker.build_demo(tmp_path_factory.mktemp("golden"))
    with duckdb.connect(str(db), read_only=True) as con:
        return maker.dump(con, maker.GOLDEN_QUERIES, maker.MODELS_QUERY)


@pytest.mark.dbt
def test_tables_equal_the_golden_file(rebuilt: dict) -> None:
    golden = json.loads(GOLDEN.read_text())
    for name, expected in golden["tables"].items():
        assert rebuilt["tables"][name] == expected, f"{name} differs from the golden file"


@pytest.mark.dbt
def test_models_equal_the_golden_file(rebuilt: dict) -> None:
    golden = json.loads(GOLDEN.read_text())
    assert rebuilt["models"] == golden["models"]


def test_digest_changes_when_one_value_changes() -> None:
    maker = _maker()
    rows = [("a", 0.1), ("b", 0.2)]
    assert maker.digest_rows(rows) != maker.digest_rows([("a", 0.1), ("b", 0.2000001)])
