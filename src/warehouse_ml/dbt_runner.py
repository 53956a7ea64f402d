"""Run dbt for ``wml demo`` and ``wml run``: one runner, one way to report failures.

The runner streams dbt's output as it comes (a build takes minutes), says in
plain words when a build failed because another process holds the DuckDB file,
and can return the invocation id of the run from ``run_results.json`` (the
Trino run stamps its registry rows with it).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

__all__ = [
    "LOCK_HINT",
    "PARSE_STATE",
    "STALE_SPECS_MESSAGE",
    "DbtRun",
    "dbt_executable",
    "duckdb_path",
    "keep_parse_state",
    "parse_cache",
    "run_dbt",
    "seed_parse_state",
]

#: What DuckDB prints when another process has the file open for writing.
LOCK_MESSAGE = "Could not set lock on file"
#: How a model that loops over the model specs says dbt's partial parse is stale (macro
#: spec_reparse_hint): a spec file was added or edited since dbt last parsed.
STALE_SPECS_MESSAGE = "Run once with a full parse: dbt build --no-partial-parse"
FULL_PARSE_FLAG = "--no-partial-parse"
LOCK_HINT = (
    "another process holds the DuckDB file {path} (a DuckDB shell, a notebook or a BI tool). "
    "DuckDB allows one writer: close it and run again."
)


@dataclass(frozen=True)
class DbtRun:
    """The outcome of one dbt invocation.

    ``invocation_id`` is read from ``run_results.json`` when asked for and the
    file was written (dbt writes it for failed builds too); ``locked`` says the
    output held DuckDB's lock error.
    """

    returncode: int
    invocation_id: str | None = None
    locked: bool = False

    @property
    def ok(self) -> bool:
        return self.returncode == 0


#: dbt's partial-parse state in a target folder.
PARSE_STATE = "partial_parse.msgpack"


def parse_cache(root: Path, args: Sequence[str], env: Mapping[str, str] | None = None) -> Path:
    """Where runs in private target folders keep dbt's partial-parse state between runs.

    One file per profile target and ``--vars`` value, the two things that make dbt
    parse everything again, so runs that alternate targets do not evict each other.
    dbt checks the state against the project before it trusts it, so a stale file
    only costs a full parse.
    """
    environ = {**os.environ, **(env or {})}
    flags = list(args)

    def flag(name: str) -> str:
        return flags[flags.index(name) + 1] if name in flags[:-1] else ""

    key = json.dumps([flag("--target") or environ.get("WML_TARGET", ""), flag("--vars")])
    digest = hashlib.sha1(key.encode()).hexdigest()[:16]
    return root / ".cache" / "dbt_parse" / f"{digest}.msgpack"


def seed_parse_state(target_path: Path, cache: Path) -> None:
    """Start a private target folder from the kept parse state, if any."""
    if cache.is_file():
        target_path.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cache, target_path / PARSE_STATE)


def keep_parse_state(target_path: Path, cache: Path) -> None:
    """Keep a run's parse state for the next run (replaced whole, never half-written)."""
    state = target_path / PARSE_STATE
    if state.is_file():
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_suffix(f".{os.getpid()}.tmp")
        shutil.copyfile(state, partial)
        os.replace(partial, cache)


def dbt_executable() -> str:
    """The dbt installed beside this Python (the project's virtual environment)."""
    beside = Path(sys.executable).with_name("dbt")
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


def duckdb_path(root: Path, env: Mapping[str, str] | None = None) -> Path:
    """The DuckDB file dbt builds: ``WML_DUCKDB_PATH`` (from ``env``, else the process) or
    ``warehouse.duckdb``, relative to the project ``root``."""
    environ = {**os.environ, **(env or {})}
    path = Path(environ.get("WML_DUCKDB_PATH", "warehouse.duckdb"))
    return path if path.is_absolute() else root / path


def run_dbt(
    args: Sequence[str],
    root: Path,
    *,
    env: Mapping[str, str] | None = None,
    read_invocation_id: bool = False,
    executable: str | None = None,
    announce: Callable[[str], None] = print,
    out: TextIO | None = None,
) -> DbtRun:
    """Run ``dbt <args>`` in ``root``, streaming its output to ``out`` (default stdout).

    Args:
        args: the dbt arguments, e.g. ``["build", "--select", "ml_models+"]``.
        root: the dbt project folder (the working directory of dbt).
        env: variables added to this process's environment for dbt.
        read_invocation_id: run with a private ``--target-path`` (seeded with the
            parse state of earlier such runs, see :func:`parse_cache`) and return the
            invocation id from its ``run_results.json``.
        executable: the dbt to run (default: :func:`dbt_executable`).
        announce: receives the command line before it runs.
        out: where dbt's output goes, line by line.

    When dbt fails on DuckDB's lock, :data:`LOCK_HINT` naming the file is
    printed to stderr. When it fails because the model specs changed since its
    last (partial) parse, the command runs once more with a full parse. The
    caller decides what a non-zero return code means.
    """
    stream = out if out is not None else sys.stdout
    # XGBoost's OpenMP threads spin while idle by default; beside DuckDB's threads in
    # the same build that spinning took the cores from them (minutes instead of seconds).
    # Partial parsing saves dbt a full parse per run; a spec changed since the last
    # parse is caught (macro model_specs) and parsed in full below.
    merged_env = {
        "OMP_WAIT_POLICY": "PASSIVE",
        "DBT_PARTIAL_PARSE": "true",
        **os.environ,
        **(env or {}),
    }
    with tempfile.TemporaryDirectory(prefix="wml_dbt_") as scratch:
        target_path = Path(scratch) / "target"
        cmd = [executable or dbt_executable(), *args]
        cache = parse_cache(root, args, env) if read_invocation_id else None
        if cache is not None:
            cmd += ["--target-path", str(target_path)]
            seed_parse_state(target_path, cache)
        announce(f"[warehouse_ml] $ {' '.join(cmd)}")
        proc = subprocess.Popen(
            cmd,
            cwd=root,
            env=merged_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        locked = stale_specs = False
        assert proc.stdout is not None
        for line in proc.stdout:
            stream.write(line)
            locked = locked or LOCK_MESSAGE in line
            stale_specs = stale_specs or STALE_SPECS_MESSAGE in line
        stream.flush()
        code = proc.wait()
        if cache is not None:
            keep_parse_state(target_path, cache)
        invocation_id = None
        results = target_path / "run_results.json"
        if read_invocation_id and results.is_file():
            invocation_id = str(json.loads(results.read_text())["metadata"]["invocation_id"])
    if code and stale_specs and FULL_PARSE_FLAG not in args:
        announce("[warehouse_ml] the model specs changed since dbt's last parse: parsing in full")
        return run_dbt(
            [*args, FULL_PARSE_FLAG],
            root,
            env=env,
            read_invocation_id=read_invocation_id,
            executable=executable,
            announce=announce,
            out=out,
        )
    if code and locked:
        print(f"\nwml: {LOCK_HINT.format(path=duckdb_path(root, env))}", file=sys.stderr)
    return DbtRun(returncode=code, invocation_id=invocation_id, locked=locked)
