"""Writing a sample to disk: JSON lines like the seed, CSV or Parquet, plus ``sample_meta.json``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from warehouse_ml.generator.campaigns import campaign_offers
from warehouse_ml.generator.config import _CHUNK_ROWS, FORMATS, Format, GeneratorConfig
from warehouse_ml.generator.oracle import bayes_error, bayes_error_by_campaign
from warehouse_ml.generator.sampling import _events_table, _requests_table


def _json_body(arr: pa.Array) -> tuple[pa.Array, bool]:
    """Values as JSON string content: unchanged when nothing needs escaping, else as
    complete ``json.dumps(v, ensure_ascii=False)`` literals. Returns (array, quoted)."""
    if arr.null_count:
        raise ValueError("JSON writer does not expect nulls")
    raw = np.frombuffer(_string_bytes(arr), dtype=np.uint8)
    if not np.any((raw < 0x20) | (raw == 0x22) | (raw == 0x5C)):  # control, '"', '\\'
        return arr, False
    enc = arr.dictionary_encode()
    quoted = pa.array([json.dumps(v, ensure_ascii=False) for v in enc.dictionary.to_pylist()])
    return quoted.take(enc.indices), True


def _string_bytes(arr: pa.Array) -> memoryview:
    """The concatenated UTF-8 bytes of a null-free string array (zero copy)."""
    offset_type = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    offsets = np.frombuffer(arr.buffers()[1], dtype=offset_type)[
        arr.offset : arr.offset + len(arr) + 1
    ]
    data = arr.buffers()[2]
    return memoryview(data)[int(offsets[0]) : int(offsets[-1])] if data else memoryview(b"")


def _string_json_text(arr: pa.Array) -> tuple[pa.Array, bool]:
    """A column (all strings, like the seed) as JSON value text and whether it still
    needs surrounding quotes."""
    body, quoted = _json_body(arr.cast(pa.string()))  # a block fits 32-bit offsets
    return body, not quoted


def _write_jsonl(
    table: pa.Table,
    path: Path,
    json_text: Callable[[pa.Array], tuple[pa.Array, bool]] = _string_json_text,
) -> None:
    """JSON lines, keys in column order, compact separators, UTF-8 (like the seed).

    ``json_text`` turns one column block into JSON value text and says whether it still
    needs quotes (the default: every value a string, as in the seed). Byte-identical to
    ``json.dumps(row, ensure_ascii=False, separators=(",", ":"))`` per line, built with
    one Arrow string join per block instead of a Python loop per row.
    """
    with path.open("wb") as fh:
        for lo in range(0, table.num_rows, _CHUNK_ROWS // 2):
            chunk = table.slice(lo, _CHUNK_ROWS // 2)
            parts: list[pa.Array | str] = []
            literal = "{"
            for i, name in enumerate(chunk.column_names):
                col = chunk.column(name)
                text, quote = json_text(
                    col.chunk(0) if col.num_chunks == 1 else col.combine_chunks()
                )
                literal += ("," if i else "") + json.dumps(name) + ":" + ('"' if quote else "")
                parts += [literal, text]
                literal = '"' if quote else ""
            parts.append(literal + "}\n")
            fh.write(_string_bytes(pc.binary_join_element_wise(*parts, "")))


def _write_table(
    table: pa.Table,
    path: Path,
    fmt: Format,
    json_text: Callable[[pa.Array], tuple[pa.Array, bool]] = _string_json_text,
) -> None:
    """Write one table in the requested format (``json_text`` as for :func:`_write_jsonl`)."""
    if fmt == "json":
        _write_jsonl(table, path, json_text)
    elif fmt == "csv":
        pacsv.write_csv(table, path)
    elif fmt == "parquet":
        pq.write_table(table, path)
    else:
        raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")


def _write_meta(path: Path, meta: dict[str, object]) -> None:
    """Write a metadata dict as indented UTF-8 JSON with a final newline."""
    path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_sample(out_dir: Path, cfg: GeneratorConfig, fmt: Format = "json") -> dict[str, object]:
    """Write events, requests and ground-truth metadata under ``out_dir``.

    Files: ``landing/conversions.<fmt>``, ``requests/requests.<fmt>`` (``json`` means
    JSON lines in the seed's key order; ``csv`` has a header and quotes every value;
    ``parquet`` via pyarrow) and ``sample_meta.json`` holding the seed, sizes, each
    campaign's offers and the Bayes error of the written requests. Returns the metadata.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")
    out_dir = Path(out_dir)
    (out_dir / "landing").mkdir(parents=True, exist_ok=True)
    (out_dir / "requests").mkdir(parents=True, exist_ok=True)
    _write_table(_events_table(cfg), out_dir / "landing" / f"conversions.{fmt}", fmt)
    requests = _requests_table(cfg)
    _write_table(requests, out_dir / "requests" / f"requests.{fmt}", fmt)

    requests_df = requests.to_pandas()
    meta: dict[str, object] = {
        "seed": cfg.seed,
        "n_events": cfg.n_events,
        "n_requests": cfg.n_requests,
        "n_campaigns": cfg.n_campaigns,
        "shift": cfg.shift,
        "format": fmt,
        "campaigns": {
            cid: {"offers": list(offers)} for cid, offers in campaign_offers(cfg).items()
        },
        "bayes_error": bayes_error(requests_df, cfg) if len(requests_df) else None,
        "bayes_error_by_campaign": bayes_error_by_campaign(requests_df, cfg),
    }
    _write_meta(out_dir / "sample_meta.json", meta)
    return meta
