"""The split fraction DuckDB computes equals warehouse_ml.hashing.hash_fraction."""

from __future__ import annotations

import pytest

from warehouse_ml.hashing import hash_fraction

SPLIT_SEED = 13  # dbt_project.yml var split_seed


def test_split_fraction_matches_python_for_every_event(generated):
    rows = generated.query("select event_id, split_fraction from int_conversions_split")
    assert rows
    for event_id, fraction in rows:
        assert fraction == pytest.approx(hash_fraction(event_id, SPLIT_SEED), abs=1e-12), event_id


def test_a_different_seed_gives_different_fractions(generated):
    """The comparison can fail: the wrong seed does not match."""
    event_id, fraction = generated.query(
        "select event_id, split_fraction from int_conversions_split limit 1"
    )[0]
    assert fraction != pytest.approx(hash_fraction(event_id, SPLIT_SEED + 1), abs=1e-12)
