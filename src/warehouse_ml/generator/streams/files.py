"""Writing a stream to disk: the event log, the points with their truth, ``stream_meta.json``.

Files under ``out_dir``: ``landing/events.<fmt>`` (what a warehouse ingests),
``points/points.<fmt>`` (prediction points, true term values, true probability, label:
for tests and benchmarks, never for training features) and ``stream_meta.json`` (the
config, the true model and the Bayes scores). Formats as for the conversion sample:
``json`` (JSON lines), ``csv`` (header) or ``parquet``. Unlike the conversion records,
which copy a seed whose values are all strings, JSON lines here carry typed values:
numbers unquoted, times as ISO 8601 strings with microseconds and ``Z``.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from warehouse_ml.generator.config import FORMATS, Format
from warehouse_ml.generator.files import _json_body, _write_meta, _write_table
from warehouse_ml.generator.streams.config import EventStreamConfig
from warehouse_ml.generator.streams.metrics import (
    bayes_auc,
    bayes_log_loss,
    empirical_bayes_auc,
    empirical_bayes_log_loss,
)
from warehouse_ml.generator.streams.truth import _iso_duration, describe_truth, generate_stream


def _json_text(arr: pa.Array) -> tuple[pa.Array, bool]:
    """A column as JSON value text and whether it still needs surrounding quotes."""
    if arr.null_count:
        raise ValueError("JSON writer does not expect nulls")
    if pa.types.is_timestamp(arr.type):
        text = pc.binary_join_element_wise(pc.strftime(arr, format="%Y-%m-%dT%H:%M:%S"), "Z", "")
        return text, True
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        body, quoted = _json_body(arr.cast(pa.string()))
        return body, not quoted
    return arr.cast(pa.string()), False  # numbers and booleans: Arrow's shortest round trip


def write_stream(out_dir: Path, cfg: EventStreamConfig, fmt: Format = "json") -> dict[str, object]:
    """Write the event log, the points and ``stream_meta.json`` under ``out_dir``.

    Returns the metadata: the config, the true model (:func:`describe_truth`), sizes,
    the outcome rate and the expected and empirical Bayes AUC and log loss.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")
    out_dir = Path(out_dir)
    stream = generate_stream(cfg)
    (out_dir / "landing").mkdir(parents=True, exist_ok=True)
    (out_dir / "points").mkdir(parents=True, exist_ok=True)
    _write_table(stream.events, out_dir / "landing" / f"events.{fmt}", fmt, _json_text)
    _write_table(stream.points, out_dir / "points" / f"points.{fmt}", fmt, _json_text)
    points = stream.points
    types = pc.value_counts(stream.events.column("event_type")).to_pylist()
    labels = points.column("label")
    both = 0 < pc.sum(labels).as_py() < points.num_rows
    meta: dict[str, object] = {
        "seed": cfg.seed,
        "n_entities": cfg.n_entities,
        "days": cfg.days,
        "start": cfg.start.isoformat().replace("+00:00", "Z"),
        "horizon": _iso_duration(cfg.horizon),
        "snapshot_every": _iso_duration(cfg.snapshot_every),
        "event_types": list(cfg.event_types),
        "outcome_type": cfg.outcome_type,
        "format": fmt,
        "n_events": stream.events.num_rows,
        "events_by_type": {row["values"]: row["counts"] for row in types},
        "n_points": points.num_rows,
        "outcome_rate": pc.mean(labels).as_py(),
        "truth": describe_truth(cfg),
        "bayes_auc": bayes_auc(points),
        "bayes_log_loss": bayes_log_loss(points),
        "empirical_bayes_auc": empirical_bayes_auc(points) if both else None,
        "empirical_bayes_log_loss": empirical_bayes_log_loss(points),
    }
    _write_meta(out_dir / "stream_meta.json", meta)
    return meta
