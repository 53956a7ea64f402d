"""``wml run --target trino``: the whole pipeline on a Trino server.

dbt-trino has no Python models, so the DuckDB build's two Python steps run
here, between two ``dbt build`` invocations, with the same package code:

1. **plan**: ``dbt compile --inline`` on the duckdb target renders the macro
   ``landing_load_plan`` (the landed files and the DuckDB query reading each
   one), resolved by dbt exactly as a build would;
2. **land**: :mod:`warehouse_ml.trino_lake` registers new JSON-lines files to
   be read where they lie (Hive external tables); :mod:`warehouse_ml.trino_loader`
   copies the rest (CSV, Parquet) into the landing source tables;
3. **build the features**: ``dbt build --exclude ml_models+`` (everything that
   does not depend on the registry: ingestion, staging, features, fitted state,
   ``ml_model_specs``, their tests);
4. **train**: the resolved specs are read back from ``ml_model_specs`` (the
   same reading of ``model_specs/`` the SQL used); one (model, group) at a
   time, :class:`warehouse_ml.sql_fetcher.SqlTrainingFetcher` reads the
   training rows through the ``trino`` client (capped by the spec's
   ``training_sample_cap``) and :func:`warehouse_ml.registry.train_all` trains,
   gates and compiles the trees to Trino SQL (``dialect='trino'``); the rows,
   retirements included, are appended to the registry log;
5. **build the rest**: ``dbt build --select ml_models+`` (the registry view,
   serving models, SQL scoring, ``ml_predictions``, ``offer_predictions``,
   monitoring and their tests).

The registry rows carry the invocation id of step 3, which is also their
fitted state's id, as the DuckDB build's rows carry their build's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from warehouse_ml.dbt_runner import keep_parse_state, parse_cache, run_dbt, seed_parse_state
from warehouse_ml.registry import train_all
from warehouse_ml.sql_fetcher import SqlTrainingFetcher, TrainingRelations
from warehouse_ml.trino_client import TrinoClient, TrinoSettings
from warehouse_ml.trino_lake import ensure_lake_manifest, register_lake_files
from warehouse_ml.trino_loader import ensure_landing_tables, load_landed_files
from warehouse_ml.trino_registry import (
    append_node_rows,
    append_registry_rows,
    ensure_registry_log,
    read_registry,
)

__all__ = ["RunError", "land_files", "read_specs", "render_plan", "run_trino", "train_registry"]

#: dbt threads for the Trino builds (measured: build of the features 178 s with 2, 114 s with 6).
DEFAULT_THREADS = 6

_PLAN_TEMPLATE = "{{ tojson({'plan': fromjson(warehouse_ml.landing_load_plan())}) }}"


class RunError(RuntimeError):
    """A step of the run failed; the message says which and what to look at."""


def _dbt() -> str:
    beside = Path(sys.executable).with_name("dbt")
    return str(beside) if beside.exists() else "dbt"


def _vars_args(dbt_vars: str | None) -> list[str]:
    return ["--vars", dbt_vars] if dbt_vars else []


def render_plan(root: Path, dbt_vars: str | None = None) -> dict[str, Any]:
    """Compile the landing plan with dbt (duckdb target, in memory).

    Returns ``{"plan": [...]}``; see ``macros/ingestion/landing_load_plan.sql``.
    """
    args = ["compile", "--quiet", "--target", "duckdb", "--output", "json"]
    args += ["--inline", _PLAN_TEMPLATE, *_vars_args(dbt_vars)]
    cache = parse_cache(root, args)
    with tempfile.TemporaryDirectory(prefix="wml_plan_") as scratch:
        target_path = Path(scratch) / "target"
        seed_parse_state(target_path, cache)
        proc = subprocess.run(
            [_dbt(), *args, "--target-path", str(target_path)],
            cwd=root,
            env={"DBT_PARTIAL_PARSE": "true", **os.environ, "WML_DUCKDB_PATH": ":memory:"},
            capture_output=True,
            text=True,
            check=False,
        )
        keep_parse_state(target_path, cache)
    out = proc.stdout
    start = out.find("{")
    if proc.returncode or start < 0:
        raise RunError(
            f"could not compile the landing plan with dbt:\n{out[-4000:]}{proc.stderr[-2000:]}"
        )
    compiled, _ = json.JSONDecoder().raw_decode(out[start:])
    return json.loads(compiled["compiled"])


def _run_dbt(
    args: Sequence[str], root: Path, env: Mapping[str, str], progress: Callable[[str], None]
) -> str:
    """Run dbt, streaming its output; return the invocation id. Raise RunError on failure."""
    run = run_dbt(args, root, env=env, read_invocation_id=True, announce=progress)
    if not run.ok:
        raise RunError(f"dbt {args[0]} failed (see above)")
    if run.invocation_id is None:
        raise RunError(f"dbt {args[0]} wrote no run_results.json to read the invocation id from")
    return run.invocation_id


def _print_summary(client: TrinoClient, invocation_id: str) -> None:
    q = client.settings.qualified

    def one(sql: str, params: Sequence[Any] | None = None) -> list[Any]:
        return client.execute(sql, params)[0]

    files = one(
        "select count(*), sum(rows_read), sum(rows_accepted), sum(rows_rejected) "
        f"from {q('ingest_files')}"
    )
    print(f"\n== warehouse_ml on Trino: {client.settings.catalog}.{client.settings.schema} ==")
    print(
        f"ingest_files: {files[0]} files, {files[1]} rows read = "
        f"{files[2]} accepted + {files[3]} rejected"
    )
    for model_name, group_id, status, reason in client.execute(
        f"select model_name, group_id, status, status_reason from {q('ml_models')} "
        "where invocation_id = ? order by model_name, group_id",
        [invocation_id],
    ):
        print(f"  {model_name} / {group_id}: {status} - {reason}")
    for model_name, n, scored, failed in client.execute(
        "select model_name, count(*), count(predicted_label), count(scoring_error) "
        f"from {q('ml_predictions')} group by model_name order by model_name"
    ):
        print(f"ml_predictions {model_name}: {n} requests, {scored} scored, {failed} not scored")


def read_specs(client: TrinoClient) -> list[dict[str, Any]]:
    """The resolved specs of the build, as dbt wrote them to ``ml_model_specs``."""
    rows = client.execute(
        f"select spec_json from {client.settings.qualified('ml_model_specs')} order by model_name"
    )
    return [json.loads(text) for (text,) in rows]


def train_registry(
    client: TrinoClient,
    specs: Sequence[Mapping[str, Any]],
    *,
    invocation_id: str,
    previous: pd.DataFrame | None,
    progress: Callable[[str], None] = print,
) -> pd.DataFrame:
    """Train every (model, group) of ``int_training_labelled`` and log the registry rows.

    The Trino side of the DuckDB ``ml_models`` Python model: the same
    :func:`~warehouse_ml.registry.train_all`, fed one group at a time from
    Trino, with ``previous`` (the current ``ml_models``) so replaced champions
    are logged as retired. Returns the rows appended to the log.
    """
    relations = TrainingRelations.in_schema(f"{client.settings.catalog}.{client.settings.schema}")
    rows = train_all(
        specs,
        SqlTrainingFetcher(client.frame, relations),
        invocation_id=invocation_id,
        dialect="trino",
        previous=previous,
        progress=progress,
    )
    # Nodes first: a registry row whose scorer reads the node table must find its trees.
    n_nodes = append_node_rows(client, rows)
    if n_nodes:
        progress(f"[warehouse_ml] registry: logged {n_nodes:,} tree node(s) for SQL scoring")
    n_logged = append_registry_rows(client, rows)
    progress(
        f"[warehouse_ml] registry: logged {n_logged} row(s) "
        f"to {client.settings.qualified('ml_models_log')}"
    )
    return rows


def land_files(
    client: TrinoClient,
    plan: Sequence[Mapping[str, Any]],
    *,
    project_root: Path,
    progress: Callable[[str], None] = print,
) -> None:
    """Make every landed file of ``plan`` readable by the build: JSON lines
    registered in place when the settings name a lake catalog, the rest copied."""
    ensure_landing_tables(client)
    ensure_lake_manifest(client)
    copy = list(plan)
    if client.settings.reads_lake:
        # A file copied by an earlier run (before the lake, or with it off) stays copied.
        landed_files = client.settings.qualified("landed_files", client.settings.landing_schema)
        copied = {row[0] for row in client.execute(f"select source_file from {landed_files}")}
        try:
            lake = register_lake_files(
                client,
                [entry for entry in plan if entry["source_file"] not in copied],
                project_root=project_root,
                lake_catalog=client.settings.lake_catalog,
                progress=progress,
            )
        except Exception as exc:
            raise RunError(
                f"could not register the landed files in the lake catalog "
                f"{client.settings.lake_catalog!r} ({type(exc).__name__}: "
                f"{str(exc).splitlines()[0][:300] if str(exc) else ''}); set "
                "WML_TRINO_LAKE_CATALOG to a Hive catalog whose nodes can read the landing "
                "folders, or to none to copy every file through the client"
            ) from exc
        in_place = {*lake.registered, *lake.skipped}
        copy = [e for e in plan if e["source_file"] not in in_place]
        progress(
            f"[warehouse_ml] lake: {len(lake.registered)} new file(s) read in place; "
            f"{len(lake.skipped)} registered before"
        )
    loaded = load_landed_files(client, copy, project_root=project_root, progress=progress)
    progress(
        f"[warehouse_ml] landing: {len(loaded.loaded)} new file(s) copied, "
        f"{loaded.n_records:,} records; "
        f"{len(loaded.skipped)} file(s) already loaded"
    )


def run_trino(
    root: Path,
    *,
    settings: TrinoSettings | None = None,
    dbt_vars: str | None = None,
    build_args: Sequence[str] = (),
    threads: int | None = DEFAULT_THREADS,
    progress: Callable[[str], None] = print,
) -> str:
    """Run the whole pipeline on Trino; return the invocation id the models were trained in.

    Args:
        root: the dbt project folder.
        settings: the Trino target (default: from the ``WML_TRINO_*`` variables).
        dbt_vars: a YAML mapping passed to dbt as ``--vars`` (and used for training).
        build_args: extra arguments for both ``dbt build`` steps (e.g. ``--exclude ...``).
        threads: dbt threads for the builds (None: the profile's). Trino runs
            many small queries concurrently well; each mostly waits on the
            coordinator, so more threads than the profile's 2 shorten a build.

    Raises:
        RunError: a step failed (the message names it).
    """
    settings = settings or TrinoSettings.from_env()
    env = settings.env()
    if threads is not None:
        build_args = [*build_args, "--threads", str(int(threads))]
    started = time.perf_counter()
    timings: dict[str, float] = {}

    def timed(step: str, since: float) -> float:
        now = time.perf_counter()
        timings[step] = now - since
        return now

    t = time.perf_counter()
    rendered = render_plan(root, dbt_vars)
    t = timed("plan", t)
    with TrinoClient(settings) as client:
        try:
            client.execute("select 1")
        except Exception as exc:
            raise RunError(
                f"no Trino answers at {settings.http_scheme}://{settings.host}:{settings.port} "
                f"({type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}); "
                "start one with `.venv/bin/python scripts/trino/trino_local.py start` and "
                "source its .cache/trino/secrets/credentials.env (password, certificate, https), "
                "or set WML_TRINO_HOST / WML_TRINO_PORT / WML_TRINO_SCHEME / WML_TRINO_PASSWORD"
            ) from exc
        land_files(client, rendered["plan"], project_root=root, progress=progress)
        ensure_registry_log(client)
        t = timed("land", t)

        invocation_id = _run_dbt(
            ["build", "--exclude", "ml_models+", *build_args, *_vars_args(dbt_vars)],
            root,
            env,
            progress,
        )
        t = timed("dbt build (features)", t)

        previous = read_registry(client, progress=progress)
        if (
            previous is None
            and client.execute(f"select count(*) from {settings.qualified('ml_models_log')}")[0][0]
        ):
            # A log without its model (an earlier run stopped before building it).
            _run_dbt(["run", "--select", "ml_models", *_vars_args(dbt_vars)], root, env, progress)
            previous = read_registry(client, progress=progress)
        train_registry(
            client,
            read_specs(client),
            invocation_id=invocation_id,
            previous=previous,
            progress=progress,
        )
        t = timed("train", t)

        _run_dbt(
            ["build", "--select", "ml_models+", *build_args, *_vars_args(dbt_vars)],
            root,
            env,
            progress,
        )
        timed("dbt build (registry, scoring, monitoring)", t)
        _print_summary(client, invocation_id)
    steps = ", ".join(f"{k} {v:.1f}s" for k, v in timings.items())
    progress(f"[warehouse_ml] Trino run finished in {time.perf_counter() - started:.1f}s ({steps})")
    return invocation_id
