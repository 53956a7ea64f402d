"""The offer model's outputs on the demo sample equal the golden file.

tests/golden/offer_conversion.json was written by tests/golden/make_offer_golden.py
on commit 44123da, before the refactors of this layer (shared ingestion and
staging macros, portable dialect macros) and the model-spec work that follows:
the split, fitted state, feature rows, boosters (one XGBoost thread) and the
offer predictions and scores must stay the same. The offer model is now the
spec model_specs/offer_conversion.sql; SPEC_QUERIES read its rows from the
generic tables.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "offer_conversion.json"
OFFER = "model_name = 'offer_conversion'"


def _maker():
    spec = importlib.util.spec_from_file_location(
        "make_offer_golden", ROOT / "tests" / "golden" / "make_offer_golden.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


#: tests/golden/make_offer_golden.py, loaded by path (a script, not a package module).
MAKER = _maker()

#: The golden file's tables, read from the spec layer's tables: the same
#: columns in the same order as the pre-refactor queries (make_offer_golden.GOLDEN_QUERIES).
SPEC_QUERIES: dict[str, str] = {
    "split": (
        "select entity_id, group_id, split from int_training_examples"
        f" where {OFFER} order by entity_id"
    ),
    "category_levels": (
        "select group_id, column_name, category, encoded_value, feature_name, feature_index,"
        f" n_train_rows, is_rare from fit_category_levels where {OFFER}"
        " order by group_id, column_name, category"
    ),
    "offer_classes": (
        "select group_id, label_value, class_index, n_train_rows from fit_label_classes"
        f" where {OFFER} order by group_id, class_index"
    ),
    "feature_columns": (
        "select group_id, feature_index, feature_name, kind from fit_feature_columns"
        f" where {OFFER} order by group_id, feature_index"
    ),
    "labelled": (
        "select entity_id, group_id, split, class_index, has_rare_value"
        f" from int_training_labelled where {OFFER} order by entity_id"
    ),
    "features": (
        "select entity_id, feature_index, value from int_training_features"
        f" where {OFFER} order by entity_id, feature_index"
    ),
    # The offer tables kept their names and columns.
    "offer_predictions": MAKER.GOLDEN_QUERIES["offer_predictions"],
    "offer_scores": MAKER.GOLDEN_QUERIES["offer_scores"],
}
SPEC_MODELS_QUERY = (
    "select campaign_id, status, booster_json, hyperparameters, best_iteration, metrics,"
    f" feature_columns, classes from ml_models where {OFFER} order by campaign_id"
)


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> dict:
    db = MAKER.build_demo(tmp_path_factory.mktemp("golden"))
    with duckdb.connect(str(db), read_only=True) as con:
        return MAKER.dump(con, SPEC_QUERIES, SPEC_MODELS_QUERY)


@pytest.mark.dbt
def test_tables_equal_the_golden_file(rebuilt: dict) -> None:
    golden = json.loads(GOLDEN.read_text())
    for name, expected in golden["tables"].items():
        assert rebuilt["tables"][name] == expected, f"{name} differs from the golden file"


@pytest.mark.dbt
def test_models_equal_the_golden_file(rebuilt: dict) -> None:
    golden = json.loads(GOLDEN.read_text())
    assert rebuilt["models"] == golden["models"]


def test_spec_queries_cover_the_golden_tables() -> None:
    assert set(SPEC_QUERIES) == set(MAKER.GOLDEN_QUERIES)


def test_digest_changes_when_one_value_changes() -> None:
    rows = [("a", 0.1), ("b", 0.2)]
    assert MAKER.digest_rows(rows) != MAKER.digest_rows([("a", 0.1), ("b", 0.2000001)])
