"""The project's own wiring: every script the Makefile or another script runs exists.

`make lint` once called a `scripts/lint.sh` that was never written; these tests
keep a renamed or missing script from breaking `make` or CI silently.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCRIPT_PATH = re.compile(r"(?<![\w/.-])scripts/[\w./-]*\.sh\b")


def script_references(text: str) -> set[str]:
    """The `scripts/....sh` paths named in a Makefile or shell script text."""
    return set(SCRIPT_PATH.findall(text))


def referencing_files() -> list[Path]:
    return [ROOT / "Makefile", *sorted((ROOT / "scripts").glob("*.sh"))]


def all_references() -> list[tuple[str, str]]:
    return sorted(
        (str(path.relative_to(ROOT)), ref)
        for path in referencing_files()
        for ref in script_references(path.read_text(encoding="utf-8"))
    )


def test_reference_pattern_finds_script_paths_only() -> None:
    text = (
        "lint: install\n\tbash scripts/lint.sh\n"
        'cd "$(dirname "$0")/.."; bash scripts/sub/run_me.sh -k x\n'
        "python scripts/trino/trino_local.py; see other_scripts/x.sh\n"
    )
    assert script_references(text) == {"scripts/lint.sh", "scripts/sub/run_me.sh"}


def test_the_makefile_entry_points_are_found() -> None:
    # Guards the check itself: if the pattern stopped matching, the
    # parametrized test below would pass vacuously.
    refs = {ref for source, ref in all_references() if source == "Makefile"}
    assert {"scripts/test.sh", "scripts/lint.sh"} <= refs


@pytest.mark.parametrize(("source", "ref"), all_references())
def test_referenced_script_exists(source: str, ref: str) -> None:
    assert (ROOT / ref).is_file(), f"{source} runs {ref}, which does not exist"


def schema_field_paths(fields: dict, path: str = "") -> list[str]:
    """Every field of model_specs/_schema.sql as the README names it (a.b, a[].b, a.<name>.b)."""
    out = []
    for key, rule in fields.items():
        where = f"{path}.{key}" if path else key
        out.append(where)
        if rule["type"] == "object" and "fields" in rule:
            out += schema_field_paths(rule["fields"], where)
        elif rule["type"] == "list" and rule["items"]["type"] == "object":
            out += schema_field_paths(rule["items"]["fields"], where + "[]")
        elif rule["type"] == "map" and rule["values"]["type"] == "object":
            out += schema_field_paths(rule["values"]["fields"], where + ".<name>")
    return out


def test_the_readme_documents_every_spec_field() -> None:
    schema = yaml.safe_load((ROOT / "model_specs" / "_schema.sql").read_text())
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([^`]+)` \|", readme, flags=re.M))
    paths = schema_field_paths(schema)
    assert len(paths) > 40
    missing = [p for p in paths if p not in documented]
    assert missing == [], f"README.md, 'Every field', lacks: {missing}"
