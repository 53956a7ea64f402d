"""Command line: ``python -m warehouse_ml.generator events`` (also ``wml generate events``)."""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections.abc import Sequence
from pathlib import Path

from warehouse_ml.generator.cli import config_from_args
from warehouse_ml.generator.config import FORMATS
from warehouse_ml.generator.streams.config import EventStreamConfig
from warehouse_ml.generator.streams.files import write_stream


def _utc_date(text: str) -> dt.datetime:
    """``2026-01-05`` or an ISO time with offset zero, as an aware UTC datetime."""
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    if value.utcoffset() != dt.timedelta(0):
        raise argparse.ArgumentTypeError("start must be in UTC")
    return value


def _hours(text: str) -> dt.timedelta:
    """A number of hours (fractions allowed) as a timedelta."""
    try:
        return dt.timedelta(hours=float(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of hours: {text!r}") from None


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write an event stream with its truth and print a one-line summary."""
    defaults = EventStreamConfig()
    parser = argparse.ArgumentParser(
        prog="python -m warehouse_ml.generator events",
        description="Write a deterministic event log (landing/events.<fmt>), its prediction "
        "points with true probabilities and labels (points/points.<fmt>) and stream_meta.json. "
        "About 4.6 events per entity and day: 7000 entities over 30 days give ~1M events.",
    )
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--entities", dest="n_entities", type=int, default=defaults.n_entities)
    parser.add_argument("--days", type=int, default=defaults.days)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--start", type=_utc_date, default=defaults.start, help="UTC date")
    parser.add_argument(
        "--horizon-hours", dest="horizon", type=_hours, default=defaults.horizon, metavar="HOURS"
    )
    parser.add_argument(
        "--every-hours",
        dest="snapshot_every",
        type=_hours,
        metavar="HOURS",
        default=defaults.snapshot_every,
        help="prediction grid step (>= horizon)",
    )
    parser.add_argument("--format", choices=FORMATS, default="json")
    args = parser.parse_args(argv)
    cfg = config_from_args(parser, EventStreamConfig, args)
    started = time.perf_counter()
    meta = write_stream(args.out, cfg, args.format)
    print(
        f"wrote {meta['n_events']} events of {cfg.n_entities} entities over {cfg.days} days "
        f"and {meta['n_points']} prediction points ({args.format}, seed {cfg.seed}) to "
        f"{args.out} in {time.perf_counter() - started:.1f}s; outcome rate "
        f"{meta['outcome_rate']:.4f}, bayes_auc={meta['bayes_auc']:.4f}, "
        f"bayes_log_loss={meta['bayes_log_loss']:.4f}"
    )
    return 0
