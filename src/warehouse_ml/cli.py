"""The ``wml`` command: sample data, the demo build and its summary.

``wml demo`` is what ``make demo`` runs: generate the sample if it is absent,
``dbt build`` on DuckDB, then print what was built and where to look.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from warehouse_ml.dbt_runner import duckdb_path, run_dbt

SAMPLE_DIR = Path("data/sample")
EVENTS_DIR = Path("data/events")


def project_root(start: Path | None = None) -> Path:
    """The folder holding dbt_project.yml (the current one or a parent)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "dbt_project.yml").is_file():
            return folder
    raise SystemExit("wml: run this inside the warehouse_ml project (no dbt_project.yml found)")


def ensure_sample(root: Path, events: int, requests: int, seed: int) -> None:
    """Generate the sample into data/sample unless the user points elsewhere or it exists."""
    from warehouse_ml.generator import GeneratorConfig, write_sample

    sample = root / SAMPLE_DIR
    if "WML_LANDING_DIR" in os.environ or (sample / "sample_meta.json").exists():
        return
    started = time.perf_counter()
    cfg = GeneratorConfig(n_events=events, n_requests=requests, seed=seed)
    meta = write_sample(sample, cfg)
    print(
        f"[warehouse_ml] generated {events:,} events and {requests:,} requests in {sample} "
        f"({time.perf_counter() - started:.1f}s; "
        f"Bayes error of the requests {meta['bayes_error']})",
        flush=True,
    )


def ensure_event_stream(root: Path, entities: int, seed: int) -> None:
    """Generate the event stream into data/events unless pointed elsewhere or present."""
    from warehouse_ml.generator.streams import EventStreamConfig, write_stream

    out = root / EVENTS_DIR
    if "WML_EVENTS_DIR" in os.environ or (out / "stream_meta.json").exists():
        return
    started = time.perf_counter()
    meta = write_stream(out, EventStreamConfig(n_entities=entities, days=28, seed=seed))
    print(
        f"[warehouse_ml] generated {meta['n_events']:,} events of {entities:,} users in "
        f"{out / 'landing'} ({time.perf_counter() - started:.1f}s; "
        f"Bayes AUC of the generator's daily points {meta['bayes_auc']:.4f})",
        flush=True,
    )


def print_propensity_summary(con: Any) -> None:
    """Test metrics of this build's binary models, after and before calibration."""
    rows = con.execute(
        """
        select m.model_name, m.group_id, m.calibration is not null,
            try_cast(json_extract_string(m.metrics, '$.test.auc') as double),
            try_cast(json_extract_string(m.metrics, '$.test.ece') as double),
            try_cast(json_extract_string(m.metrics, '$.test.uncalibrated_auc') as double),
            try_cast(json_extract_string(m.metrics, '$.test.uncalibrated_ece') as double),
            try_cast(json_extract_string(m.metrics, '$.test.n_rows') as integer)
        from ml_models as m inner join ml_model_specs as s on m.model_name = s.model_name
        where s.label_kind = 'binary' and m.metrics is not null and m.invocation_id = (
            select invocation_id from ml_models order by trained_at desc limit 1)
        order by 1, 2
        """
    ).fetchall()
    for name, group, calibrated, auc, ece, raw_auc, raw_ece, n in rows:
        line = f"  {name} / {group}: test AUC {auc:.4f}, ECE {ece:.4f} (10 equal-width bins)"
        if calibrated:
            line += f"; before calibration AUC {raw_auc:.4f}, ECE {raw_ece:.4f}"
        print(f"{line}; {n} test points")
    latest = con.execute(
        "select model_name, count(*), max(scored_for) from ml_propensity_latest group by 1"
    ).fetchall()
    for name, n, scored_for in latest:
        print(f"ml_propensity_latest: {name}: {n} users scored for {scored_for}")


def print_summary(root: Path) -> None:
    """What the build produced, read back from the DuckDB file."""
    import duckdb

    path = duckdb_path(root)
    with duckdb.connect(str(path), read_only=True) as con:

        def one(sql: str) -> tuple:
            return con.execute(sql).fetchone()

        files = one(
            "select count(*), sum(rows_read), sum(rows_accepted), sum(rows_rejected) "
            "from ingest_files"
        )
        print("\n== warehouse_ml demo: what was built ==")
        print(f"DuckDB file: {path}")
        print(
            f"ingest_files: {files[0]} files, {files[1]} rows read = "
            f"{files[2]} accepted + {files[3]} rejected"
        )
        for reason, n in con.execute(
            "select reason, count(*) from ingest_rejects group by 1 order by 2 desc limit 5"
        ).fetchall():
            print(f"  ingest_rejects: {n} x {reason}")
        rows = con.execute(
            """
            select
                m.model_name, m.group_id, m.status, m.status_reason,
                try_cast(json_extract_string(m.metrics, '$.test.hamming_loss_known_values')
                    as double),
                try_cast(json_extract_string(m.metrics, '$.test.n_rows_known_values') as integer)
            from ml_models as m
            where m.invocation_id = (
                select invocation_id from ml_models order by trained_at desc limit 1
            )
            order by m.model_name, m.group_id
            """
        ).fetchall()
        print(f"ml_models (this build): {len(rows)} models (one per model spec and group)")
        for model_name, group_id, status, reason, known_loss, n_known in rows:
            print(f"  {model_name} / {group_id}: {status} - {reason}")
            if known_loss is not None and model_name == "offer_conversion":
                # the seed's number is on such rows (it drops rare values before splitting)
                print(
                    f"    hamming loss {known_loss:.4f} on its {n_known} test rows"
                    " without a rare value"
                )
        print("propensity models (binary, this build):")
        print_propensity_summary(con)
        preds = one(
            "select count(*), count(predicted_offer_id), count(scoring_error) "
            "from offer_predictions"
        )
        print(
            f"offer_predictions: {preds[0]} requests, {preds[1]} scored, "
            f"{preds[2]} with a scoring_error"
        )
    print(
        "\nNext: `.venv/bin/dbt build` / `.venv/bin/dbt test` to rebuild or re-check; "
        "query the tables with\n"
        '  .venv/bin/python -c "import duckdb; '
        f"print(duckdb.connect('{path.name}', read_only=True)"
        ".sql('select * from offer_predictions limit 5'))\"\n"
        "See README.md, section 'Reading the outputs'."
    )


SPEC_TEMPLATE = """\
# A model spec: every field is described in model_specs/_schema.sql and in
# README.md, "Model specs". Keep the first and last lines: dbt reads them.
name: {name}
description: ""
source: stg_my_source          # a staging model, one row per training example
entity_key: id                 # what one prediction is for
group_key: null                # optional: one model per value of this column
label:
  column: outcome
  kind: binary                 # or multiclass
  positive: "1"                # binary only
features:
  numeric: []
  categorical: []
"""


def _checked_specs(root: Path, dbt_vars: str | None) -> int:
    """Validate the spec files before dbt runs: a bad spec fails in a second, not mid-build."""
    from warehouse_ml.spec import SpecError, load_specs

    try:
        parsed = yaml.safe_load(dbt_vars) if dbt_vars else {}
        load_specs(root, dbt_vars=parsed if isinstance(parsed, dict) else {})
    except (SpecError, yaml.YAMLError) as exc:
        print(f"wml: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_spec(args: argparse.Namespace) -> int:
    """``wml spec new NAME`` writes a spec to fill in; ``wml spec check`` validates them all."""
    from warehouse_ml.spec import SPEC_DIR, SpecError, load_specs, spec_file_text

    root = project_root()
    if args.action == "new":
        try:
            text = spec_file_text(args.name, SPEC_TEMPLATE.format(name=args.name))
        except SpecError as exc:
            print(f"wml spec new: {exc}", file=sys.stderr)
            return 2
        path = root / SPEC_DIR / f"{args.name}.sql"
        if path.exists():
            print(f"wml spec new: {path} exists", file=sys.stderr)
            return 1
        path.write_text(text)
        print(f"wrote {path.relative_to(root)}; fill it in, then `wml spec check`")
        return 0
    code = _checked_specs(root, args.vars)
    if code == 0:
        parsed = yaml.safe_load(args.vars) if args.vars else {}
        for spec in load_specs(root, dbt_vars=parsed or {}):
            print(f"{spec['file']}: ok ({spec['label']['kind']}, source {spec['source']})")
    return code


def cmd_demo(args: argparse.Namespace) -> int:
    root = project_root()
    started = time.perf_counter()
    if _checked_specs(root, None):
        return 2
    ensure_sample(root, args.events, args.requests, args.seed)
    ensure_event_stream(root, args.users, args.seed)
    code = run_dbt(["build", *args.dbt_args], root).returncode
    if code:
        print("wml demo: dbt build failed (see above)", file=sys.stderr)
        return code
    print_summary(root)
    print(f"\n[warehouse_ml] demo finished in {time.perf_counter() - started:.1f}s")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """The pipeline on a target: ``dbt build`` on DuckDB, the staged Trino run on Trino."""
    root = project_root()
    if _checked_specs(root, args.vars):
        return 2
    if args.target == "duckdb":
        vars_args = ["--vars", args.vars] if args.vars else []
        code = run_dbt(["build", "--target", "duckdb", *vars_args], root).returncode
        if code:
            print("wml run: dbt build failed (see above)", file=sys.stderr)
        return code
    from warehouse_ml.trino_runner import RunError, run_trino

    try:
        run_trino(root, dbt_vars=args.vars, threads=args.threads)
    except RunError as exc:
        print(f"wml run: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    from warehouse_ml.generator import main as generator_main

    return generator_main(args.generator_args)


def cmd_report(args: argparse.Namespace) -> int:
    """Write the static HTML monitoring report from the DuckDB file a build produced."""
    from warehouse_ml.report import ReportError, build_report

    try:
        root: Path | None = project_root()
    except SystemExit:
        root = None
    base = root or Path.cwd()
    database = Path(args.db) if args.db else duckdb_path(base)
    out = Path(args.out) if args.out else base / "reports" / "report.html"
    try:
        written = build_report(database, out)
    except ReportError as exc:
        print(f"wml report: {exc}", file=sys.stderr)
        return 1
    print(f"[warehouse_ml] open {written.resolve().as_uri()} in a browser (no server needed)")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve single scoring requests over HTTP from the warehouse's serving models."""
    try:
        import uvicorn

        from warehouse_ml.serve import GEOIP_ENV, ModelStore, create_app, open_geoip
        from warehouse_ml.serve.app import WORKER_DB_ENV, WORKER_REFRESH_ENV
    except ImportError as exc:
        print(
            f"wml serve: {exc.name} is not installed: pip install 'warehouse-ml[serve]' "
            "(or -r requirements.txt)",
            file=sys.stderr,
        )
        return 2

    try:
        root: Path | None = project_root()
    except SystemExit:
        root = None
    database = Path(args.db) if args.db else duckdb_path(root or Path.cwd())
    if args.refresh_seconds <= 0:
        print("wml serve: --refresh-seconds must be positive", file=sys.stderr)
        return 2
    if args.workers < 1:
        print("wml serve: --workers must be at least 1", file=sys.stderr)
        return 2
    try:
        geoip = open_geoip(args.geoip)
    except (OSError, ValueError) as exc:
        print(f"wml serve: {exc}", file=sys.stderr)
        return 2
    print(
        f"[warehouse_ml] serving the models of {database} on http://{args.host}:{args.port} "
        f"(re-read every {args.refresh_seconds:g}s; GeoIP {geoip.path if geoip else 'off'})",
        flush=True,
    )
    options: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "log_level": args.log_level,
        "access_log": args.access_log,
        "forwarded_allow_ips": args.forwarded_allow_ips,
    }
    if args.workers == 1:
        uvicorn.run(create_app(ModelStore(database, args.refresh_seconds), geoip), **options)
        return 0
    # Worker processes import the app by name; the options reach them in the environment.
    os.environ[WORKER_DB_ENV] = str(database.resolve())
    os.environ[WORKER_REFRESH_ENV] = repr(args.refresh_seconds)
    if geoip is not None:
        os.environ[GEOIP_ENV] = str(geoip.path)
    else:
        os.environ.pop(GEOIP_ENV, None)
    uvicorn.run(
        "warehouse_ml.serve.app:app_from_environment",
        factory=True,
        workers=args.workers,
        **options,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The ``wml`` argument parser (defaults read from the environment when built)."""
    parser = argparse.ArgumentParser(prog="wml", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="generate the sample if absent, dbt build, summarise")
    demo.add_argument("--events", type=int, default=60_000)
    demo.add_argument("--requests", type=int, default=6_000)
    demo.add_argument("--seed", type=int, default=13)
    demo.add_argument(
        "--users", type=int, default=2_000, help="users of the generated event stream"
    )
    demo.add_argument("dbt_args", nargs=argparse.REMAINDER, help="extra dbt build arguments")
    demo.set_defaults(func=cmd_demo)

    gen = sub.add_parser("generate", help="write sample conversion events and requests")
    gen.add_argument("generator_args", nargs=argparse.REMAINDER)
    gen.set_defaults(func=cmd_generate)

    run = sub.add_parser(
        "run",
        help="run the pipeline on a target (trino: load files, build features, train, score)",
        description="DuckDB: dbt build. Trino: load landed files into the landing tables, "
        "dbt build the features, train with the trino client, dbt build registry and scoring. "
        "Connection from WML_TRINO_HOST/PORT/CATALOG/SCHEMA/USER (see docs/trino.md).",
    )
    run.add_argument(
        "--target",
        choices=["trino", "duckdb"],
        default=os.environ.get("WML_TARGET", "duckdb"),
        help="dbt target (default: WML_TARGET, else duckdb)",
    )
    run.add_argument("--vars", help="dbt vars as YAML, e.g. '{hpo_trials: 2}'")
    run.add_argument(
        "--threads", type=int, default=6, help="dbt threads for the Trino builds (default 6)"
    )
    run.set_defaults(func=cmd_run)

    spec = sub.add_parser(
        "spec",
        help="model specs: `new NAME` writes one to fill in, `check` validates them all",
    )
    spec.add_argument("action", choices=["new", "check"])
    spec.add_argument("name", nargs="?", help="new: the model name (lower case, underscores)")
    spec.add_argument("--vars", help="check: dbt vars as YAML, applied as a build would")
    spec.set_defaults(func=cmd_spec)

    report = sub.add_parser(
        "report",
        help="write the static HTML monitoring report (reports/report.html)",
        description="Read the DuckDB warehouse (read-only) and write one self-contained HTML "
        "file: metrics per session, confusion matrices, drift, rare values, predicted "
        "probabilities and the EDA checks. Build the warehouse first.",
    )
    report.add_argument("--db", help="DuckDB file (default: WML_DUCKDB_PATH or warehouse.duckdb)")
    report.add_argument("--out", help="HTML file to write (default: reports/report.html)")
    report.set_defaults(func=cmd_report)

    serve = sub.add_parser(
        "serve",
        help="HTTP endpoint scoring one request at a time (GET/POST /predict/{campaign})",
        description="Serve the warehouse's serving models over HTTP; a newly promoted "
        "champion is picked up without a restart (README, 'Single-request endpoint').",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument("--db", help="DuckDB file (default: WML_DUCKDB_PATH or warehouse.duckdb)")
    serve.add_argument(
        "--geoip",
        help="MaxMind DB file (GeoIP2/GeoLite2-City layout) for IP lookups "
        "(default: WML_GEOIP_DB; none: IP lookup off)",
    )
    serve.add_argument(
        "--refresh-seconds",
        type=float,
        default=5.0,
        help="how often to check the warehouse for a new serving set (default 5)",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes, each with its own copy of the models (default 1; one per "
        "core answers concurrent clients sooner)",
    )
    serve.add_argument(
        "--forwarded-allow-ips",
        help="proxies whose X-Forwarded-For gives the caller's IP for the GeoIP lookup, "
        "comma-separated or * (default: FORWARDED_ALLOW_IPS, else 127.0.0.1)",
    )
    serve.add_argument("--log-level", default="info", help="uvicorn log level (default info)")
    serve.add_argument(
        "--no-access-log", dest="access_log", action="store_false", help="no per-request log"
    )
    serve.set_defaults(func=cmd_serve)

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    # argparse.REMAINDER does not take options that come first (`wml generate --out x`).
    if extra and args.command == "generate":
        args.generator_args = [*extra, *args.generator_args]
    elif extra and args.command == "demo":
        args.dbt_args = [*extra, *args.dbt_args]
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command == "spec" and args.action == "new" and not args.name:
        parser.error("wml spec new: give the model name")
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
