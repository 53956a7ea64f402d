"""The ``wml`` command line: argument parsing, forwarding and the project root."""

from __future__ import annotations

import json

import pytest

from warehouse_ml import cli


def test_run_defaults_to_duckdb(monkeypatch):
    monkeypatch.delenv("WML_TARGET", raising=False)
    args = cli.build_parser().parse_args(["run"])
    assert args.target == "duckdb"


def test_run_target_follows_wml_target(monkeypatch):
    monkeypatch.setenv("WML_TARGET", "trino")
    assert cli.build_parser().parse_args(["run"]).target == "trino"
    assert cli.build_parser().parse_args(["run", "--target", "duckdb"]).target == "duckdb"


def test_run_refuses_an_unknown_target(monkeypatch):
    monkeypatch.delenv("WML_TARGET", raising=False)
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["run", "--target", "postgres"])


def test_generate_forwards_its_arguments_to_the_generator(tmp_path):
    out = tmp_path / "sample"
    code = cli.main(["generate", "--out", str(out), "--events", "300", "--requests", "20"])
    assert code == 0
    meta = json.loads((out / "sample_meta.json").read_text())
    assert (meta["n_events"], meta["n_requests"]) == (300, 20)


def test_project_root_finds_dbt_project_in_a_parent(tmp_path):
    (tmp_path / "dbt_project.yml").write_text("name: x\n")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert cli.project_root(deep) == tmp_path.resolve()


def test_project_root_outside_a_project_exits(tmp_path):
    with pytest.raises(SystemExit, match=r"no dbt_project\.yml"):
        cli.project_root(tmp_path)
