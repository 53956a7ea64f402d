"""Run dbt for ``wml demo`` and ``wml run``: one runner, one way to report failures.

The runner streams dbt's output as it comes (a build takes minutes), says in
plain words when a build failed because another process holds the DuckDB file,
and can return the invocation id of the run from ``run_results.json`` (the
Trino run stamps its registry rows with it).
"""

from __future__ import annotations

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

__all__ = ["LOCK_HINT", "DbtRun", "dbt_executable", "duckdb_path", "run_dbt"]

#: What DuckDB prints when another process has the file open for writing.
LOCK_MESSAGE = "Could not set lock on file"
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
        read_invocation_id: run with a private ``--target-path`` and return the
            invocation id from its ``run_results.json``.
        executable: the dbt to run (default: :func:`dbt_executable`).
        announce: receives the command line before it runs.
        out: where dbt's output goes, line by line.

    When dbt fails on DuckDB's lock, :data:`LOCK_HINT` naming the file is
    printed to stderr. The caller decides what a non-zero return code means.
    """
    stream = out if out is not None else sys.stdout
    # XGBoost's OpenMP threads spin while idle by default; beside DuckDB's threads in
    # the same build that spinning took the cores from them (minutes instead of seconds).
    merged_env = {"OMP_WAIT_POLICY": "PASSIVE", **os.environ, **(env or {})}
    with tempfile.TemporaryDirectory(prefix="wml_dbt_") as scratch:
        target_path = Path(scratch) / "target"
        cmd = [executable or dbt_executable(), *args]
        if read_invocation_id:
            cmd += ["--target-path", str(target_path)]
        announce(f"[warehouse_ml] $ {' '.join(cmd)}")
        proc = subprocess.Popen(
            cmd,
            cwd=root,
            env=merged_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        locked = False
        assert proc.stdout is not None
        for line in proc.stdout:
            stream.write(line)
            locked = locked or LOCK_MESSAGE in line
        stream.flush()
        code = proc.wait()
        invocation_id = None
        results = target_path / "run_results.json"
        if read_invocation_id and results.is_file():
            invocation_id = str(json.loads(results.read_text())["metadata"]["invocation_id"])
    if code and locked:
        print(f"\nwml: {LOCK_HINT.format(path=duckdb_path(root, env))}", file=sys.stderr)
    return DbtRun(returncode=code, invocation_id=invocation_id, locked=locked)
