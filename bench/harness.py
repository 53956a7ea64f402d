"""The benchmark harness: where things live, what a run is set to do, and how a step is
measured (each in its own child process; wall time from a monotonic clock, CPU time and
peak resident memory from ``os.wait4``'s rusage of that child).
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
PYTHON = sys.executable
DBT = str(Path(sys.executable).with_name("dbt"))


@dataclass
class Settings:
    """What one invocation of the harness runs."""

    sizes: list[int]
    sql_only_sizes: list[int]
    repeats: list[int]
    hpo_trials: int
    hpo_max_events: int
    train_repeats: int
    requests_ratio: float
    work: Path
    results: Path | None
    memory_limit: str
    capped_memory_limit: str
    scoring_rows: int
    scoring_grid: list[tuple[int, int]]
    scoring_repeats: int
    dbt_vars: dict[str, Any] = field(default_factory=dict)
    smoke: bool = False
    stage_timeout: float = 3600.0
    sql_only_tests: bool = False
    name: str = "benchmark"
    train_max_events: int = 10**12
    peer_hpo: bool = False
    render: Path | None = None

    def repeats_for(self, n_events: int) -> int:
        """``--repeats`` is one number for every size, or one per size in ``--sizes``."""
        if len(self.repeats) == 1:
            return self.repeats[0]
        return self.repeats[self.sizes.index(n_events)]


def measure(
    cmd: list[str], log: Path, env: dict[str, str] | None = None, timeout: float = 3600.0
) -> dict[str, Any]:
    """Run ``cmd`` as a child process; return wall/CPU seconds, peak RSS and the exit code.

    The child gets its own session so a timeout can kill dbt and anything it started.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        out.write("$ " + " ".join(cmd) + "\n")
        out.flush()
        started = time.perf_counter()
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        timer = threading.Timer(timeout, lambda: os.killpg(proc.pid, signal.SIGKILL))
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss / 1024.0,  # Linux reports kilobytes
        "returncode": proc.returncode,
        "log": str(log.relative_to(ROOT)) if log.is_relative_to(ROOT) else str(log),
    }


def tail(path: str | Path, lines: int = 25) -> str:
    text = (ROOT / path).read_text(errors="replace").splitlines()
    return "\n".join(text[-lines:])


def summarize(samples: list[dict[str, Any]], rows: int) -> dict[str, Any]:
    """Median and spread (min..max) of repeated measurements of one stage."""
    walls = [s["wall_s"] for s in samples]
    rss = [s["peak_rss_mb"] for s in samples]
    cpu = [s["cpu_s"] for s in samples]
    median = statistics.median(walls)
    return {
        "n": len(samples),
        "rows": rows,
        "wall_s_median": median,
        "wall_s_min": min(walls),
        "wall_s_max": max(walls),
        "cpu_s_median": statistics.median(cpu),
        "rows_per_s": rows / median if median > 0 else None,
        "peak_rss_mb_median": statistics.median(rss),
        "peak_rss_mb_max": max(rss),
        "samples": samples,
    }


def fmt_sample(m: dict[str, Any]) -> str:
    return f"wall {m['wall_s']:.1f}s, cpu {m['cpu_s']:.1f}s, peak RSS {m['peak_rss_mb']:.0f} MB"
