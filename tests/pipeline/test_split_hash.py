"""The hash fraction DuckDB computes equals reference.hashing.hash_fraction.

int_training_examples keeps only the split, so the fraction the macro computes
is read back from the column that stores one: int_training_labelled's
sample_fraction, the hash of 'sample:' || entity_id (the capped training
sample's); the split is checked against the resolved spec's seed and fractions.
"""

from __future__ import annotations

import json

import pytest

from reference.hashing import hash_fraction

SAMPLE_SEED = "sample"  # models/intermediate/int_training_labelled.sql


def test_sample_fraction_matches_python_for_every_example(generated):
    rows = generated.query("select entity_id, sample_fraction from int_training_labelled")
    assert rows
    for entity_id, fraction in rows:
        assert fraction == pytest.approx(hash_fraction(entity_id, SAMPLE_SEED), abs=1e-12), (
            entity_id
        )


def test_a_different_seed_gives_different_fractions(generated):
    """The comparison can fail: the wrong seed does not match."""
    entity_id, fraction = generated.query(
        "select entity_id, sample_fraction from int_training_labelled limit 1"
    )[0]
    assert fraction != pytest.approx(hash_fraction(entity_id, "13"), abs=1e-12)


def test_split_follows_the_resolved_spec(generated):
    """Every example's split is the spec's rule on Python's hash of its split key
    (seed and fractions as dbt resolved them into ml_model_specs)."""
    specs = {
        name: json.loads(text)
        for name, text in generated.query("select model_name, spec_json from ml_model_specs")
    }
    assert specs
    rows = generated.query("select model_name, entity_id, split from int_training_examples")
    assert rows
    for model_name, entity_id, split in rows:
        rule = specs[model_name]["split"]
        assert rule["method"] == "hash" and rule["key"] == specs[model_name]["entity_key"]
        fraction = hash_fraction(entity_id, rule["seed"])
        train, validation = rule["train_fraction"], rule["validation_fraction"]
        expected = (
            "train"
            if fraction < train
            else "validation"
            if fraction < train + validation
            else "test"
        )
        assert split == expected, entity_id
