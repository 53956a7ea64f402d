"""Command line: ``python -m warehouse_ml.generator [events]`` (also ``wml generate``)."""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from warehouse_ml.generator.config import FORMATS, GeneratorConfig
from warehouse_ml.generator.files import write_sample

Config = TypeVar("Config")


def config_from_args(
    parser: argparse.ArgumentParser, config_type: type[Config], args: argparse.Namespace
) -> Config:
    """The config whose fields the parsed options name (by ``dest``).

    The config's own checks are the only validation, so its ``ValueError`` is turned
    into a usage error (exit status 2) rather than a traceback.
    """
    fields = {field.name for field in dataclasses.fields(config_type)}
    try:
        return config_type(**{name: v for name, v in vars(args).items() if name in fields})
    except ValueError as exc:
        parser.error(str(exc))


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write a sample and print a one-line summary.

    ``events`` as the first argument writes an event stream with known truth instead
    (:mod:`warehouse_ml.generator.streams.cli`); the conversion sample is unchanged.
    """
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["events"]:
        from warehouse_ml.generator.streams.cli import main as events_main

        return events_main(args_list[1:])
    parser = argparse.ArgumentParser(
        prog="python -m warehouse_ml.generator",
        description="Write a deterministic sample of conversion events and scoring requests. "
        "`python -m warehouse_ml.generator events --help`: an event stream with known truth.",
    )
    defaults = GeneratorConfig()
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--events", dest="n_events", type=int, default=defaults.n_events)
    parser.add_argument("--requests", dest="n_requests", type=int, default=defaults.n_requests)
    parser.add_argument("--campaigns", dest="n_campaigns", type=int, default=defaults.n_campaigns)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--format", choices=FORMATS, default="json")
    parser.add_argument(
        "--shift", type=float, default=0.0, help="0..1: drift of the requests' users"
    )
    args = parser.parse_args(args_list)
    cfg = config_from_args(parser, GeneratorConfig, args)
    started = time.perf_counter()
    meta = write_sample(args.out, cfg, args.format)
    err = meta["bayes_error"]
    print(
        f"wrote {cfg.n_events} events and {cfg.n_requests} requests "
        f"({cfg.n_campaigns} campaigns, {args.format}, seed {cfg.seed}, shift {cfg.shift}) "
        f"to {args.out} in {time.perf_counter() - started:.1f}s; "
        f"bayes_error={'n/a' if err is None else f'{err:.4f}'}"
    )
    return 0
