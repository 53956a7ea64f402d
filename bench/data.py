"""The benchmark's data: generated samples, and large landing folders built from copies."""

from __future__ import annotations

import shutil
from pathlib import Path

from warehouse_ml.generator import EVENT_COLUMNS

from harness import PYTHON, Settings, measure, tail

PART_EVENTS = 5_000_000


def generate(n_events: int, n_requests: int, settings: Settings) -> Path:
    """Generate (or reuse) a sample with the project's generator; return its folder."""
    out = settings.work / "data" / f"e{n_events}_r{n_requests}"
    meta = out / "sample_meta.json"
    if meta.exists():
        return out
    if out.exists():
        shutil.rmtree(out)
    print(f"[bench] generating {n_events:,} events, {n_requests:,} requests in {out}", flush=True)
    cmd = [PYTHON, "-m", "warehouse_ml.generator", "--out", str(out)]
    cmd += ["--events", str(n_events), "--requests", str(n_requests), "--seed", "13"]
    m = measure(cmd, settings.work / "logs" / f"generate_e{n_events}.log")
    if m["returncode"]:
        raise SystemExit(f"generator failed:\n{tail(m['log'])}")
    return out


def expanded(n_events: int, settings: Settings) -> Path:
    """A landing folder of ``n_events`` events for the SQL-only sizes, built from copies.

    The generator holds a whole sample in memory (about 2 GB per 5M events), so
    50M events would not fit beside the benchmark. Instead a base sample of
    ``PART`` events is generated once and written again with new event ids
    (``md5(part || ':' || id)`` shaped as a UUID, deterministic), one file per
    part; folders of different sizes share the part files through symlinks.
    The campaigns, offers and category frequencies are those of the base sample.
    """
    part = min(n_events, PART_EVENTS)
    if n_events % part:
        raise SystemExit(f"SQL-only sizes must be multiples of {part:,}")
    base = generate(part, 1000, settings)
    parts_dir = settings.work / "data" / f"parts_of_e{part}"
    parts_dir.mkdir(parents=True, exist_ok=True)
    out = settings.work / "data" / f"e{n_events}_expanded"
    (out / "landing").mkdir(parents=True, exist_ok=True)
    if not (out / "requests").exists():
        (out / "requests").symlink_to(base / "requests")
    for k in range(n_events // part):
        path = parts_dir / f"conversions_part{k:03d}.json"
        if not path.exists():
            print(f"[bench] writing {path.name} ({part:,} events)", flush=True)
            write_part(base / "landing" / "conversions.json", path, k, settings)
        link = out / "landing" / path.name
        if not link.exists():
            link.symlink_to(path)
    return out


def write_part(source: Path, target: Path, k: int, settings: Settings) -> None:
    fields = EVENT_COLUMNS
    columns = "{" + ", ".join(f"'{f}': 'varchar'" for f in fields) + "}"
    new_id = (
        f"regexp_replace(md5('{k}:' || id), "
        "'^(.{8})(.{4})(.{4})(.{4})(.{12})$', '\\1-\\2-\\3-\\4-\\5')"
    )
    select = ", ".join([f"{new_id} as id", *[f'"{f}"' for f in fields[1:]]])
    sql = (
        f"copy (select {select} from read_json('{source}', format = 'newline_delimited', "
        f"columns = {columns})) to '{target}.tmp' (format json)"
    )
    script = "import duckdb, sys; duckdb.connect().execute(sys.argv[1])"
    m = measure([PYTHON, "-c", script, sql], settings.work / "logs" / f"{target.name}.log")
    if m["returncode"]:
        raise SystemExit(f"writing {target} failed:\n{tail(m['log'])}")
    Path(f"{target}.tmp").rename(target)
