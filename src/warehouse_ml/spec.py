"""Model specs: one YAML file per model under ``model_specs/``, read here and by dbt.

A spec names what a model predicts and how: the source staging model, the
entity and group keys, the label, the features, the split, training, the
gate, calibration, sampling caps and scoring (every field:
``model_specs/_schema.sql`` and the README's "Model specs"). The files are
YAML whose first and last lines are YAML comments that dbt reads as a macro
wrapper, because dbt's Jinja cannot open files while it parses a project; so
``yaml.safe_load`` reads them as they are, and so does dbt.

dbt validates specs with the macros in ``macros/specs/`` (a bad spec fails the
build); this module applies the same schema and rules, for the runners that
train outside dbt (Trino) and for tools. ``tests/package/test_spec.py`` holds
both readers to the same results.

Example:
    >>> from pathlib import Path
    >>> spec = load_spec_file(Path("model_specs/offer_conversion.sql"))  # doctest: +SKIP
    >>> spec["label"]["kind"]  # doctest: +SKIP
    'multiclass'
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from copy import deepcopy
from pathlib import Path
from typing import Any

import yaml

from warehouse_ml.spec_events import expand_events

__all__ = [
    "SPEC_DIR",
    "VAR_OVERRIDES",
    "SpecError",
    "check_wrapper",
    "load_schema",
    "load_spec_file",
    "load_specs",
    "resolve",
    "spec_file_text",
    "specs_of_build",
    "validate",
]

#: Where specs live, relative to the project root.
SPEC_DIR = "model_specs"

#: dbt var -> the spec field it overrides for every spec (the macro
#: ``_spec_var_overrides`` holds the same table; a test compares them).
VAR_OVERRIDES: Mapping[str, tuple[str, ...]] = {
    "rare_min_frequency": ("features", "rare_values", "min_frequency"),
    "rare_min_count": ("features", "rare_values", "min_count"),
    "rare_value_handling": ("features", "rare_values", "handling"),
    "split_seed": ("split", "seed"),
    "train_fraction": ("split", "train_fraction"),
    "validation_fraction": ("split", "validation_fraction"),
    "hpo_trials": ("training", "hpo_trials"),
    "hpo_seed": ("training", "hpo_seed"),
    "num_boost_round": ("training", "num_boost_round"),
    "early_stopping_rounds": ("training", "early_stopping_rounds"),
    "min_training_rows": ("training", "min_training_rows"),
    "refit_on_validation": ("training", "refit_on_validation"),
    "training_threads": ("training", "training_threads"),
    "training_sample_cap": ("sampling", "training_sample_cap"),
    "hpo_sample_cap": ("sampling", "hpo_sample_cap"),
    "max_hamming_loss": ("gate", "threshold"),
    "scoring_engine": ("scoring", "engine"),
    "scoring_sql_formulation": ("scoring", "sql_formulation"),
}

_PATTERNS = {
    "name": r"^[a-z_][a-z0-9_]*$",
    "column": r"^[A-Za-z_][A-Za-z0-9_]*$",
    "duration": r"^[0-9]+ (second|minute|hour|day|week)s?$",
}
_PATTERN_WORDS = {"name": "a lower-case name", "column": "a column name", "duration": "a duration"}
_TIMESTAMP = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}:[0-9]{2})?$"
_UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


class SpecError(ValueError):
    """A spec file is malformed; the message names the file and the field."""


def _wrapper(name: str) -> tuple[str, str]:
    """The first and last lines of a spec file: YAML comments that dbt reads as a macro."""
    return (
        f"# {{% macro model_spec__{name}() %}}{{% set spec %}}",
        f"# {{% endset %}}{{{{ return(warehouse_ml.parse_model_spec(spec, "
        f"'{SPEC_DIR}/{name}.sql')) }}}}{{% endmacro %}}",
    )


def spec_file_text(name: str, body: str) -> str:
    """A spec file's text: the YAML ``body`` between the two lines dbt needs.

    Example:
        >>> print(spec_file_text("churn", "name: churn").splitlines()[0])
        # {% macro model_spec__churn() %}{% set spec %}
    """
    if not re.match(_PATTERNS["name"], name):
        raise SpecError(f"a model name is lower case, digits and underscores, got '{name}'")
    first, last = _wrapper(name)
    return f"{first}\n{body.rstrip()}\n{last}\n"


def check_wrapper(path: Path | str, file: str | None = None) -> None:
    """Refuse a spec file without the dbt wrapper lines: dbt would not see it at all
    (it reads specs as macros), while Python would, so the two readers would disagree."""
    path = Path(path)
    file = file or f"{SPEC_DIR}/{path.name}"
    name = path.name.split(".")[0]
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    first, last = _wrapper(name)
    if not lines or lines[0].strip() != first or lines[-1].strip() != last:
        raise SpecError(
            f"{file}: the first and last lines must be the dbt wrapper, or dbt ignores the spec:"
            f"\n  {first}\n  ...\n  {last}\n(`wml spec new {name}` writes a file with them)"
        )


def specs_of_build(rows: Sequence[tuple[str, str]], build_vars: str) -> list[dict[str, Any]]:
    """The specs in ``ml_model_specs`` rows ``(spec_json, build_vars)``, refused when
    they were resolved with other dbt vars than this run's ``build_vars`` (JSON):
    ``dbt build -s ml_models --vars '{hpo_trials: 2}'`` alone would otherwise
    train with the specs of an earlier build's vars."""
    wanted = json.loads(build_vars)
    for _, built in rows:
        seen = json.loads(built)
        differ = sorted(k for k in set(wanted) | set(seen) if wanted.get(k) != seen.get(k))
        if differ:
            raise SpecError(
                f"ml_model_specs was built with other values of var(s) {', '.join(differ)}"
                " than this run; build it together with the model:"
                " dbt build -s ml_model_specs ml_models --vars ..."
            )
    return [json.loads(text) for text, _ in rows]


def load_schema(root: Path | str = ".") -> dict[str, Any]:
    """The spec fields and their rules (``model_specs/_schema.sql``)."""
    return yaml.safe_load((Path(root) / SPEC_DIR / "_schema.sql").read_text())


def _fail(file: str, message: str) -> SpecError:
    return SpecError(f"{file}: {message}")


def _value(value: Any, rule: Mapping[str, Any], file: str, path: str) -> Any:
    """Check one value against its rule; return it (objects with defaults)."""
    kind = rule["type"]
    field = f"field '{path}' "
    if kind == "object":
        return validate_object(value, rule["fields"], file, path)
    if kind == "map":
        if not isinstance(value, Mapping):
            raise _fail(file, field + "must be a mapping")
        return {k: _value(v, rule["values"], file, f"{path}.{k}") for k, v in value.items()}
    if kind == "list":
        if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence):
            raise _fail(file, field + "must be a list")
        return [_value(v, rule["items"], file, f"{path}[{i}]") for i, v in enumerate(value)]
    if kind in _PATTERNS:
        if not isinstance(value, str) or not re.match(_PATTERNS[kind], value):
            what = _PATTERN_WORDS[kind]
            raise _fail(file, field + f"must be {what} matching {_PATTERNS[kind]}, got '{value}'")
        return value
    if kind == "string":
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise _fail(file, field + f"must be text, got {value}")
        return str(value)
    if kind == "boolean":
        if not isinstance(value, bool):
            raise _fail(file, field + f"must be true or false, got '{value}'")
        return value
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise _fail(file, field + f"must be a whole number, got '{value}'")
        return value
    if kind in ("number", "fraction"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _fail(file, field + f"must be a number, got '{value}'")
        if kind == "fraction" and not 0 <= value <= 1:
            raise _fail(file, field + f"must be between 0 and 1, got {value}")
        return float(value)
    if kind == "enum":
        if value not in rule["values"]:
            raise _fail(file, field + f"must be one of {', '.join(rule['values'])}, got '{value}'")
        return value
    raise ValueError(f"schema: unknown type {kind!r} at {path}")


def validate_object(
    value: Any, fields: Mapping[str, Any], file: str, path: str = ""
) -> dict[str, Any]:
    """Check a mapping against an object schema; return it with defaults filled in."""
    if value is None:
        value = {}
    if not isinstance(value, Mapping):
        raise _fail(file, f"field '{path}' must be a mapping of fields")
    for key in value:
        if key not in fields:
            where = f"{path}.{key}" if path else key
            raise _fail(file, f"unknown field '{where}' (allowed: {', '.join(sorted(fields))})")
    out: dict[str, Any] = {}
    for key, rule in fields.items():
        where = f"{path}.{key}" if path else key
        if value.get(key) is not None:
            out[key] = _value(value[key], rule, file, where)
        elif rule.get("required"):
            raise _fail(file, f"required field '{where}' is missing")
        elif rule["type"] == "object":
            out[key] = validate_object(rule.get("default", {}), rule["fields"], file, where)
        else:
            out[key] = deepcopy(rule.get("default"))
    return out


def validate(raw: Any, schema: Mapping[str, Any], file: str) -> dict[str, Any]:
    """A spec's fields checked against the schema, with defaults filled in."""
    if not isinstance(raw, Mapping):
        raise _fail(file, "a model spec must be a YAML mapping of fields")
    spec = validate_object(raw, schema, file)
    stem = Path(file).name.split(".")[0]
    if spec["name"] != stem:
        raise _fail(
            file,
            f"field 'name' is '{spec['name']}' but the file is named {stem}; they must match",
        )
    return spec


def _gate_metric(spec: Mapping[str, Any]) -> str:
    """The gate's metric, or its default for the label kind."""
    default = "auc" if spec["label"]["kind"] == "binary" else "hamming_loss"
    return spec["gate"]["metric"] or default


def _with_vars(
    spec: dict[str, Any], schema: Mapping[str, Any], dbt_vars: Mapping[str, Any], file: str
) -> dict[str, Any]:
    for var_name, path in VAR_OVERRIDES.items():
        value = dbt_vars.get(var_name)
        if value is None:
            continue
        if var_name == "max_hamming_loss" and _gate_metric(spec) != "hamming_loss":
            continue
        rule: Mapping[str, Any] = schema[path[0]]
        for step in path[1:]:
            rule = rule["fields"][step]
        checked = _value(value, rule, f"{file} (dbt var '{var_name}')", ".".join(path))
        holder = spec
        for step in path[:-1]:
            holder = holder[step]
        holder[path[-1]] = checked
    campaigns = dbt_vars.get("campaigns") or []
    if isinstance(campaigns, str):
        campaigns = [campaigns]
    if campaigns and spec["group_key"] == "campaign_id":
        for value in campaigns:
            if not re.match(_UUID, str(value)):
                raise SpecError(f"var 'campaigns': {str(value)[:80]} is not a UUID")
        spec["groups"] = [str(v).lower() for v in campaigns]
    return spec


def resolve(spec: dict[str, Any], file: str, dialect: str = "duckdb") -> dict[str, Any]:
    """Apply the rules across fields and the defaults that depend on other fields."""
    fail = lambda message: _fail(file, message)  # noqa: E731
    label = spec["label"]
    binary = label["kind"] == "binary"
    if binary and label["positive"] is None:
        raise fail("field 'label.positive' is required when label.kind is binary")
    if not binary and label["positive"] is not None:
        raise fail("field 'label.positive' is only for label.kind binary")
    training = spec["training"]
    objective = "binary:logistic" if binary else "multi:softprob"
    if training["objective"] not in (None, objective):
        raise fail(f"field 'training.objective' must be {objective} for a {label['kind']} label")
    metrics = ["logloss", "auc", "aucpr"] if binary else ["mlogloss"]
    if training["eval_metric"] not in (None, *metrics):
        raise fail(
            f"field 'training.eval_metric' must be one of {', '.join(metrics)}"
            f" for a {label['kind']} label"
        )
    training["objective"] = objective
    training["eval_metric"] = training["eval_metric"] or metrics[0]
    for name, bounds in training["search_space"].items():
        if bounds["low"] > bounds["high"]:
            raise fail(f"field 'training.search_space.{name}': low is above high")
    gate = spec["gate"]
    gate_metrics = (
        ["auc", "pr_auc", "log_loss", "brier_score", "ece"]
        if binary
        else ["hamming_loss", "log_loss"]
    )
    metric = _gate_metric(spec)
    if metric not in gate_metrics:
        raise fail(
            f"field 'gate.metric' must be one of {', '.join(gate_metrics)}"
            f" for a {label['kind']} label"
        )
    default_threshold = {"hamming_loss": 0.40, "auc": 0.5}.get(metric)
    if gate["threshold"] is None and default_threshold is None:
        raise fail(f"field 'gate.threshold' is required for gate.metric {metric}")
    gate["metric"] = metric
    gate["direction"] = gate["direction"] or ("min" if metric in ("auc", "pr_auc") else "max")
    if gate["threshold"] is None:
        gate["threshold"] = default_threshold
    if spec["calibration"] != "none" and not binary:
        raise fail("field 'calibration' needs a binary label")
    if training["imbalance"] != "none" and not binary:
        raise fail("field 'training.imbalance' needs a binary label")
    if spec["calibration"] != "none" and training["refit_on_validation"]:
        raise fail(
            "field 'calibration' needs training.refit_on_validation: false"
            " (the calibrator is fitted on the validation split, which a refit would train on)"
        )
    split = spec["split"]
    by_fraction = split["method"] == "hash" or spec["events"]["source"] is not None
    if by_fraction:
        t, v = split["train_fraction"], split["validation_fraction"]
        if not (0 < t < 1 and 0 < v < 1 and t + v < 1):
            raise fail(
                "fields 'split.train_fraction' and 'split.validation_fraction'"
                " must be above 0 and sum to less than 1"
            )
    if split["method"] == "hash":
        split["key"] = split["key"] or spec["entity_key"]
    elif not by_fraction:
        for field in ("time_column", "validation_from", "test_from"):
            if split[field] is None:
                raise fail(f"field 'split.{field}' is required when split.method is time")
        for field in ("validation_from", "test_from"):
            if not re.match(_TIMESTAMP, split[field]):
                raise fail(
                    f"field 'split.{field}' must be a timestamp 'YYYY-MM-DD[ HH:MM:SS]' (UTC),"
                    f" got '{split[field]}'"
                )
        if split["validation_from"] > split["test_from"]:
            raise fail("field 'split.validation_from' must not be after split.test_from")
    features = spec["features"]
    columns = features["numeric"] + features["categorical"]
    if not columns and not features["upstream"]:
        raise fail("field 'features' names no feature")
    for column in columns:
        if columns.count(column) > 1 or column in (spec["entity_key"], label["column"]):
            raise fail(
                f"field 'features': column '{column}' is listed twice,"
                " or is the entity key or the label"
            )
    scoring = spec["scoring"]
    if (scoring["source"] is None) != (scoring["key"] is None):
        raise fail("fields 'scoring.source' and 'scoring.key' go together")
    if scoring["engine"] == "default":
        scoring["engine"] = "xgboost" if dialect == "duckdb" else "sql"
    if scoring["engine"] == "xgboost" and dialect != "duckdb":
        raise fail(
            f"field 'scoring.engine': xgboost scoring runs on DuckDB only; use sql on {dialect}"
        )
    spec["file"] = file
    return spec


def load_spec_file(
    path: Path | str,
    *,
    root: Path | str | None = None,
    dbt_vars: Mapping[str, Any] | None = None,
    dialect: str = "duckdb",
) -> dict[str, Any]:
    """Read, validate and resolve one spec file (as dbt does, vars included)."""
    path = Path(path)
    root = Path(root) if root is not None else path.resolve().parent.parent
    try:
        file = str(path.resolve().relative_to(Path(root).resolve()))
    except ValueError:
        file = str(path)
    schema = load_schema(root)
    check_wrapper(path, file)
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise SpecError(f"{file}: not valid YAML: {exc}") from exc
    raw = expand_events(
        raw,
        lambda events: validate_object(events, schema["events"]["fields"], file, "events"),
        lambda message: _fail(file, message),
    )
    spec = validate(raw, schema, file)
    spec = _with_vars(spec, schema, dbt_vars or {}, file)
    return resolve(spec, file, dialect)


def load_specs(
    root: Path | str = ".",
    *,
    dbt_vars: Mapping[str, Any] | None = None,
    dialect: str = "duckdb",
) -> list[dict[str, Any]]:
    """The specs a build trains: every enabled spec, or those var ``model_specs`` names."""
    dbt_vars = dbt_vars or {}
    available = {}
    for path in sorted((Path(root) / SPEC_DIR).glob("*.sql")):
        if path.name.startswith("_"):
            continue
        spec = load_spec_file(path, root=root, dbt_vars=dbt_vars, dialect=dialect)
        available[spec["name"]] = spec
    wanted = dbt_vars.get("model_specs") or []
    if isinstance(wanted, str):
        wanted = [wanted]
    for name in wanted:
        if name not in available:
            raise SpecError(
                f"var 'model_specs': no spec named '{name}' (specs: {', '.join(sorted(available))})"
            )
    return [
        available[name]
        for name in sorted(available)
        if ((name in wanted) if wanted else available[name]["enabled"])
    ]
