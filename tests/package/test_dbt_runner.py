"""The one dbt runner of `wml demo` and `wml run`, driven by a fake dbt executable.

The fake is a real program (a small shell script): the runner starts it as a
subprocess exactly as it starts dbt, so streaming, exit codes and the
``--target-path`` handshake are exercised for real.
"""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest

from warehouse_ml.dbt_runner import (
    LOCK_HINT,
    STALE_SPECS_MESSAGE,
    DbtRun,
    duckdb_path,
    keep_parse_state,
    parse_cache,
    run_dbt,
    seed_parse_state,
)


def fake_dbt(tmp_path: Path, body: str) -> str:
    """Write an executable shell script standing in for dbt; its arguments are in $@."""
    script = tmp_path / "dbt"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


def run(tmp_path: Path, body: str, *args: str, **kwargs) -> tuple[DbtRun, str, list[str]]:
    out = io.StringIO()
    announced: list[str] = []
    result = run_dbt(
        list(args) or ["build"],
        tmp_path,
        executable=fake_dbt(tmp_path, body),
        announce=announced.append,
        out=out,
        **kwargs,
    )
    return result, out.getvalue(), announced


def test_streams_every_line_and_announces_the_command(tmp_path):
    result, out, announced = run(
        tmp_path, 'echo "first $1"\necho "second $2" >&2\n', "build", "--select"
    )
    assert result == DbtRun(returncode=0)
    assert result.ok
    assert out == "first build\nsecond --select\n"  # stderr is merged into the stream
    assert len(announced) == 1
    assert announced[0].startswith("[warehouse_ml] $ ")
    assert announced[0].endswith("dbt build --select")


def test_runs_in_the_project_folder_with_the_extra_environment(tmp_path):
    result, out, _ = run(tmp_path, 'pwd\necho "$WML_SOMETHING"\n', env={"WML_SOMETHING": "x1"})
    assert result.ok
    assert out.splitlines() == [str(tmp_path.resolve()), "x1"]


def test_a_failing_dbt_returns_its_exit_code(tmp_path, capsys):
    result, out, _ = run(tmp_path, "echo 'Compilation Error'\nexit 2\n")
    assert result.returncode == 2
    assert not result.ok
    assert not result.locked
    assert out == "Compilation Error\n"
    assert "another process holds" not in capsys.readouterr().err


def test_a_duckdb_lock_is_explained_with_the_file(tmp_path, capsys):
    body = (
        'echo \'IO Error: Could not set lock on file "/x/warehouse.duckdb": '
        "Conflicting lock is held in /usr/bin/python3 (PID 42)'\nexit 1\n"
    )
    result, _, _ = run(tmp_path, body, env={"WML_DUCKDB_PATH": "locked.duckdb"})
    assert result.returncode == 1
    assert result.locked
    err = capsys.readouterr().err
    assert LOCK_HINT.format(path=tmp_path / "locked.duckdb") in err


def test_the_lock_message_of_a_successful_run_is_not_an_error(tmp_path, capsys):
    result, _, _ = run(tmp_path, "echo 'Could not set lock on file x; retrying'\n")
    assert result.ok
    assert "another process holds" not in capsys.readouterr().err


# The fake writes run_results.json into the folder given after --target-path.
WRITE_RESULTS = """
target=""
previous=""
for arg in "$@"; do
    if [ "$previous" = "--target-path" ]; then target="$arg"; fi
    previous="$arg"
done
mkdir -p "$target"
echo '{"metadata": {"invocation_id": "0f5c1c1e-0000-4000-8000-00000000abcd"}}' \\
    > "$target/run_results.json"
echo "wrote $target"
"""


def test_returns_the_invocation_id_from_run_results(tmp_path):
    result, out, announced = run(tmp_path, WRITE_RESULTS, read_invocation_id=True)
    assert result == DbtRun(returncode=0, invocation_id="0f5c1c1e-0000-4000-8000-00000000abcd")
    assert "--target-path" in announced[0]
    written = Path(out.split("wrote ", 1)[1].strip())
    assert not written.exists()  # a private folder, removed afterwards


def test_the_invocation_id_of_a_failed_build_is_still_read(tmp_path):
    result, _, _ = run(tmp_path, WRITE_RESULTS + "exit 1\n", read_invocation_id=True)
    assert result.returncode == 1
    assert result.invocation_id == "0f5c1c1e-0000-4000-8000-00000000abcd"


def test_no_run_results_means_no_invocation_id(tmp_path):
    result, _, announced = run(tmp_path, "echo nothing\n", read_invocation_id=True)
    assert result == DbtRun(returncode=0, invocation_id=None)
    result, _, announced = run(tmp_path, WRITE_RESULTS)
    assert "--target-path" not in announced[0]  # only asked for when the id is wanted
    assert result.invocation_id is None


def test_trino_runner_uses_the_runner_and_raises_on_failure(tmp_path, monkeypatch):
    from warehouse_ml import trino_runner

    # The Trino run finds dbt through the shared runner; point it at the fake.
    fake = fake_dbt(tmp_path, WRITE_RESULTS)
    monkeypatch.setattr("warehouse_ml.dbt_runner.dbt_executable", lambda: fake)
    seen: list[str] = []
    invocation = trino_runner._run_dbt(["build"], tmp_path, {}, seen.append)
    assert invocation == "0f5c1c1e-0000-4000-8000-00000000abcd"
    assert seen and seen[0].startswith("[warehouse_ml] $ ")

    failing = fake_dbt(tmp_path, "exit 3\n")
    monkeypatch.setattr("warehouse_ml.dbt_runner.dbt_executable", lambda: failing)
    with pytest.raises(trino_runner.RunError, match="dbt build failed"):
        trino_runner._run_dbt(["build"], tmp_path, {}, seen.append)


def test_duckdb_path_is_relative_to_the_project(tmp_path, monkeypatch):
    monkeypatch.delenv("WML_DUCKDB_PATH", raising=False)
    assert duckdb_path(tmp_path) == tmp_path / "warehouse.duckdb"
    assert duckdb_path(tmp_path, {"WML_DUCKDB_PATH": "/abs/w.duckdb"}) == Path("/abs/w.duckdb")
    monkeypatch.setenv("WML_DUCKDB_PATH", "sub/w.duckdb")
    assert duckdb_path(tmp_path) == tmp_path / "sub" / "w.duckdb"


def test_stale_specs_run_once_more_with_a_full_parse(tmp_path):
    # The fake fails with the stale-specs sentence unless asked for a full parse.
    body = (
        'case "$*" in *--no-partial-parse*) echo "full $*"; exit 0;; esac\n'
        f'echo "Compilation Error: specs changed. {STALE_SPECS_MESSAGE}"\nexit 2\n'
    )
    result, out, announced = run(tmp_path, body, "build", "--select", "x")
    assert result.ok
    assert out.splitlines()[-1] == "full build --select x --no-partial-parse"
    assert len([a for a in announced if a.startswith("[warehouse_ml] $ ")]) == 2


def test_a_full_parse_that_still_fails_is_not_retried(tmp_path):
    body = f'echo "{STALE_SPECS_MESSAGE}" >> calls\necho "{STALE_SPECS_MESSAGE}"\nexit 2\n'
    result, _, _ = run(tmp_path, body, "build", "--no-partial-parse")
    assert result.returncode == 2
    assert len((tmp_path / "calls").read_text().splitlines()) == 1


def test_the_runner_looks_for_the_macros_sentence():
    macro = (Path(__file__).resolve().parents[2] / "macros/specs/model_specs.sql").read_text()
    hint = macro.split("{% macro spec_reparse_hint() -%}")[1].split("{%- endmacro %}")[0]
    assert hint.strip() == STALE_SPECS_MESSAGE


# The fake dbt adds a line to the parse state it finds in its private target folder.
GROW_PARSE_STATE = WRITE_RESULTS + 'echo "run" >> "$target/partial_parse.msgpack"\n'


def test_private_target_folders_carry_the_parse_state_between_runs(tmp_path):
    args = ("build", "--vars", "{a: 1}")
    cache = parse_cache(tmp_path, list(args))
    assert not cache.exists()
    for runs in (1, 2):
        result, _, _ = run(tmp_path, GROW_PARSE_STATE, *args, read_invocation_id=True)
        assert result.ok
        assert cache.read_text().splitlines() == ["run"] * runs
    # Other vars or another target make dbt parse everything anyway: their own file.
    assert parse_cache(tmp_path, ["build", "--vars", "{a: 2}"]) != cache
    assert parse_cache(tmp_path, [*args, "--target", "trino"]) != cache
    assert parse_cache(tmp_path, list(args), env={"WML_TARGET": "trino"}) != cache
    assert parse_cache(tmp_path, ["run", *args[1:]]) == cache


def test_keeping_the_parse_state_needs_one_to_keep(tmp_path):
    cache = tmp_path / "cache" / "x.msgpack"
    keep_parse_state(tmp_path / "empty", cache)
    assert not cache.exists()
    seed_parse_state(tmp_path / "target", cache)
    assert not (tmp_path / "target").exists()
