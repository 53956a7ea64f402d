"""warehouse_ml.spec: the Python reader of model specs (model_specs/*.sql).

tests/pipeline/test_spec_readers.py holds dbt's reader (macros/specs/) to the
same results and the same refusals.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from warehouse_ml.registry import TrainingSettings
from warehouse_ml.spec import (
    SpecError,
    load_schema,
    load_spec_file,
    load_specs,
    spec_file_text,
)

ROOT = Path(__file__).resolve().parents[2]
OFFER = ROOT / "model_specs" / "offer_conversion.sql"

BINARY = {
    "name": "converts",
    "source": "stg_events",
    "entity_key": "event_id",
    "label": {"column": "converted", "kind": "binary", "positive": "1"},
    "features": {"numeric": ["age"], "categorical": ["country"]},
}


def write_spec(folder: Path, fields: dict, name: str | None = None) -> Path:
    """A spec file in a project folder that has the real schema."""
    specs = folder / "model_specs"
    specs.mkdir(exist_ok=True)
    if not (specs / "_schema.sql").exists():
        shutil.copy(ROOT / "model_specs" / "_schema.sql", specs / "_schema.sql")
    stem = name or fields["name"]
    path = specs / f"{stem}.sql"
    path.write_text(spec_file_text(stem, yaml.safe_dump(fields, sort_keys=False)))
    return path


def test_offer_spec_resolves_to_the_seed_settings() -> None:
    spec = load_spec_file(OFFER, root=ROOT)
    assert spec["file"] == "model_specs/offer_conversion.sql"
    assert spec["label"] == {"column": "offer_id", "kind": "multiclass", "positive": None}
    assert spec["features"]["numeric"] == ["long", "lat"]
    assert spec["features"]["categorical"] == ["country", "dos", "dtype", "dbrowser"]
    assert spec["split"]["key"] == "event_id"  # derived from the entity key
    assert spec["training"]["objective"] == "multi:softprob"
    assert spec["gate"] == {"metric": "hamming_loss", "direction": "max", "threshold": 0.40}
    assert spec["scoring"]["engine"] == "xgboost"
    assert load_spec_file(OFFER, root=ROOT, dialect="trino")["scoring"]["engine"] == "sql"


def test_binary_defaults_follow_the_label_kind(tmp_path: Path) -> None:
    spec = load_spec_file(write_spec(tmp_path, BINARY), root=tmp_path)
    assert spec["training"]["objective"] == "binary:logistic"
    assert spec["training"]["eval_metric"] == "logloss"
    assert spec["gate"] == {"metric": "auc", "direction": "min", "threshold": 0.5}
    assert spec["group_key"] is None and spec["calibration"] == "none"
    settings = TrainingSettings.from_spec(spec)
    assert settings.label_kind == "binary" and settings.gate_metric == "auc"
    assert settings.objective == "binary:logistic" and settings.model_name == "converts"


def test_dbt_vars_override_every_spec_and_are_validated(tmp_path: Path) -> None:
    spec = load_spec_file(
        OFFER, root=ROOT, dbt_vars={"hpo_trials": 2, "rare_value_handling": "bucket"}
    )
    assert spec["training"]["hpo_trials"] == 2
    assert spec["features"]["rare_values"]["handling"] == "bucket"
    with pytest.raises(SpecError, match=r"dbt var 'hpo_trials'.*whole number"):
        load_spec_file(OFFER, root=ROOT, dbt_vars={"hpo_trials": "many"})
    # max_hamming_loss only moves a Hamming-loss gate.
    binary = load_spec_file(
        write_spec(tmp_path, BINARY), root=tmp_path, dbt_vars={"max_hamming_loss": 0.9}
    )
    assert binary["gate"]["threshold"] == 0.5


def test_campaigns_var_selects_groups_of_campaign_specs_only(tmp_path: Path) -> None:
    uuid = "0A1B2C3D-0000-4000-8000-000000000001"
    spec = load_spec_file(OFFER, root=ROOT, dbt_vars={"campaigns": [uuid]})
    assert spec["groups"] == [uuid.lower()]
    with pytest.raises(SpecError, match=r"var 'campaigns'.*not a UUID"):
        load_spec_file(OFFER, root=ROOT, dbt_vars={"campaigns": ["1; drop table x"]})
    binary = load_spec_file(
        write_spec(tmp_path, BINARY), root=tmp_path, dbt_vars={"campaigns": [uuid]}
    )
    assert binary["groups"] == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"colour": "blue"}, "unknown field 'colour'"),
        ({"features": {"numeric": ["age"], "nmeric": ["x"]}}, "unknown field 'features.nmeric'"),
        ({"training": {"hpo_trials": "ten"}}, "field 'training.hpo_trials' must be a whole number"),
        ({"split": {"train_fraction": 1.5}}, "field 'split.train_fraction' must be between 0"),
        ({"label": {"column": "converted", "kind": "ordinal"}}, "field 'label.kind' must be one"),
        ({"label": {"column": "converted", "kind": "binary"}}, "'label.positive' is required"),
        ({"entity_key": "event id"}, "field 'entity_key' must be a column name"),
        ({"features": {"numeric": ["age", "age"]}}, "column 'age' is listed twice"),
        ({"features": {"numeric": ["converted"]}}, "is the entity key or the label"),
        ({"features": {}}, "names no feature"),
        ({"calibration": "platt"}, "field 'calibration' must be one of none, isotonic, sigmoid"),
        ({"gate": {"metric": "hamming_loss"}}, "field 'gate.metric' must be one of auc"),
        ({"gate": {"metric": "log_loss"}}, "'gate.threshold' is required"),
        ({"training": {"objective": "multi:softprob"}}, "must be binary:logistic"),
        ({"split": {"method": "time"}}, "'split.time_column' is required"),
        (
            {
                "split": {
                    "method": "time",
                    "time_column": "t",
                    "validation_from": "May",
                    "test_from": "2024-06-01",
                }
            },
            "'split.validation_from' must be a timestamp",
        ),
        ({"scoring": {"source": "stg_requests"}}, "'scoring.source' and 'scoring.key' go together"),
        ({"training": {"search_space": {"eta": {"low": 1, "high": 0}}}}, "low is above high"),
    ],
)
def test_a_bad_spec_names_the_file_and_the_field(tmp_path: Path, change: dict, message: str):
    path = write_spec(tmp_path, {**BINARY, **change})
    with pytest.raises(SpecError, match=message) as caught:
        load_spec_file(path, root=tmp_path)
    assert str(caught.value).startswith("model_specs/converts.sql: ")


def test_required_fields_and_the_file_name(tmp_path: Path) -> None:
    without_label = {k: v for k, v in BINARY.items() if k != "label"}
    with pytest.raises(SpecError, match="required field 'label' is missing"):
        load_spec_file(write_spec(tmp_path, without_label), root=tmp_path)
    with pytest.raises(SpecError, match="'name' is 'converts' but the file is named other"):
        load_spec_file(write_spec(tmp_path, BINARY, name="other"), root=tmp_path)


def test_a_spec_without_the_dbt_wrapper_is_refused(tmp_path: Path) -> None:
    # dbt reads specs as macros: without the two lines it would silently skip the file.
    path = write_spec(tmp_path, BINARY)
    path.write_text(yaml.safe_dump(BINARY))
    with pytest.raises(SpecError, match="first and last lines must be the dbt wrapper"):
        load_spec_file(path, root=tmp_path)
    lines = spec_file_text("converts", yaml.safe_dump(BINARY)).splitlines()
    path.write_text("\n".join([*lines[:-1], lines[-1].replace("converts.sql", "other.sql")]))
    with pytest.raises(SpecError, match="wrapper"):
        load_spec_file(path, root=tmp_path)
    with pytest.raises(SpecError, match="lower case"):
        spec_file_text("Bad-Name", "name: x")


def test_load_specs_picks_enabled_specs_or_the_named_ones(tmp_path: Path) -> None:
    write_spec(tmp_path, BINARY)
    write_spec(tmp_path, {**BINARY, "name": "off", "enabled": False})
    assert [s["name"] for s in load_specs(tmp_path)] == ["converts"]
    assert [s["name"] for s in load_specs(tmp_path, dbt_vars={"model_specs": ["off"]})] == ["off"]
    with pytest.raises(SpecError, match="no spec named 'nope'"):
        load_specs(tmp_path, dbt_vars={"model_specs": ["nope"]})


def test_every_schema_field_has_a_type_and_a_doc() -> None:
    def walk(fields: dict, path: str = "") -> list[str]:
        bad = []
        for key, rule in fields.items():
            where = f"{path}.{key}" if path else key
            if "type" not in rule or not rule.get("doc"):
                bad.append(where)
            if rule.get("type") == "object" and "fields" in rule:
                bad += walk(rule["fields"], where)
        return bad

    assert walk(load_schema(ROOT)) == []


def test_settings_refuse_bad_values_with_the_field_name() -> None:
    with pytest.raises(ValueError, match="hpo_trials"):
        TrainingSettings(n_trials=0)
    with pytest.raises(ValueError, match="label kind"):
        TrainingSettings(label_kind="ordinal")


def test_training_refuses_specs_resolved_with_other_vars() -> None:
    from warehouse_ml.spec import specs_of_build

    built = '{"hpo_trials": 2, "campaigns": []}'
    rows = [('{"name": "a"}', built), ('{"name": "b"}', built)]
    assert [s["name"] for s in specs_of_build(rows, built)] == ["a", "b"]
    with pytest.raises(SpecError, match=r"var\(s\) hpo_trials than this run"):
        specs_of_build(rows, '{"hpo_trials": null, "campaigns": []}')
    assert specs_of_build([], '{"hpo_trials": 5}') == []


def test_the_training_config_lists_the_vars_the_specs_use() -> None:
    # python_models/training/_training__models.yml names the vars by hand (YAML
    # config cannot call macros); they must be the spec overrides + 2 build vars.
    text = (ROOT / "python_models" / "training" / "_training__models.yml").read_text()
    config = re.findall(r"'(\w+)': var\('(\w+)'", text)
    assert all(a == b for a, b in config)
    from warehouse_ml.spec import VAR_OVERRIDES

    assert {a for a, _ in config} == set(VAR_OVERRIDES) | {"model_specs", "campaigns"}
