"""Latency of `wml serve` on loopback: a bounded load run at 1 and 16 concurrent clients.

Starts `wml serve` as its own process(es) on the demo warehouse, replays the
warehouse's accepted scoring requests as POSTed records, and GETs with a
browser User-Agent, each client one keep-alive connection sending requests
back to back (closed loop). The load comes from wrk (C, Debian's `wrk`
package; installed with apt when missing and allowed) so that the load
generator takes little of the cores the server runs on; `--load python` uses
threads in this interpreter instead. Also times the same work in process
(encode + score, no HTTP) to tell server work from transport and queueing.
Writes bench/results/serve_latency.json and .md.

    .venv/bin/python bench/serve_latency/run.py --db warehouse.duckdb
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import duckdb

ROOT = Path(__file__).resolve().parents[2]
GOAL_P99_MS = 20.0
UA = (
    "Mozilla/5.0 (Linux; Android 10; K; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/114.0.0.0 Mobile Safari/537.36"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_requests(db: Path, limit: int) -> list[tuple[str, bytes]]:
    """(campaign, record JSON) of accepted requests whose campaign has a serving model."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select r.campaign_id, r.record from stg_landing__requests as r "
            "inner join ml_serving_models as s "
            "on s.model_name = 'offer_conversion' and s.group_id = r.campaign_id "
            "where r.reject_reason is null order by r.request_id limit ?",
            [limit],
        ).fetchall()
    return [(c, r.encode()) for c, r in rows]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def summary(latencies_ms: list[float], wall_s: float, errors: int) -> dict[str, Any]:
    return {
        "n": len(latencies_ms),
        "errors": errors,
        "p50_ms": round(percentile(latencies_ms, 50), 3),
        "p90_ms": round(percentile(latencies_ms, 90), 3),
        "p99_ms": round(percentile(latencies_ms, 99), 3),
        "max_ms": round(max(latencies_ms), 3),
        "mean_ms": round(statistics.fmean(latencies_ms), 3),
        "requests_per_s": round(len(latencies_ms) / wall_s, 1),
    }


def wait_healthy(port: int, server: subprocess.Popen) -> None:
    deadline = time.time() + 120
    while True:
        try:
            con = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            con.request("GET", "/health")
            if con.getresponse().status == 200:
                return
        except OSError:
            pass
        if time.time() > deadline or server.poll() is not None:
            raise SystemExit("wml serve did not become healthy within 120 s")
        time.sleep(0.2)


def run_load(port: int, work: list[tuple[str, str, bytes | None]], clients: int) -> dict[str, Any]:
    """Send ``work`` (method, path, body) split over ``clients`` keep-alive connections."""
    shares = [work[i::clients] for i in range(clients)]
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    start = threading.Barrier(clients + 1)

    def client(k: int) -> None:
        con = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Content-Type": "application/json", "User-Agent": UA}
        start.wait()
        for method, path, body in shares[k]:
            t0 = time.perf_counter()
            con.request(method, path, body=body, headers=headers)
            response = con.getresponse()
            response.read()
            latencies[k].append((time.perf_counter() - t0) * 1000)
            errors[k] += response.status != 200
        con.close()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return summary([x for per in latencies for x in per], wall, sum(errors))


WRK_SCRIPT = """
local work = {%s}
local i = 0
request = function()
  i = i %% #work + 1
  local w = work[i]
  return wrk.format(w[1], w[2], {["Content-Type"] = "application/json", ["User-Agent"] = %s}, w[3])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WML n=%%d errors=%%d p50=%%d p90=%%d p99=%%d max=%%d mean=%%f us=%%d\\n",
    summary.requests, e.status + e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean, summary.duration))
end
"""


def _lua(text: str) -> str:
    # A long bracket string takes the record as it is (JSON escapes are not Lua's).
    level = 1
    while f"]{'=' * level}]" in text:
        level += 1
    return f"[{'=' * level}[{text}]{'=' * level}]"


def ensure_wrk() -> str:
    """wrk's path; installs Debian's package when it is missing (the CI image allows apt)."""
    found = shutil.which("wrk")
    if found is None and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, capture_output=True)
        found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk is not installed (apt-get install wrk) and could not be installed")
    return found


def run_wrk(
    port: int, work: list[tuple[str, str, bytes | None]], clients: int, seconds: float
) -> dict[str, Any]:
    """wrk with ``clients`` keep-alive connections cycling through ``work`` for ``seconds``."""
    entries = ", ".join(
        "{" + ", ".join([_lua(m), _lua(path), _lua(body.decode()) if body else "nil"]) + "}"
        for m, path, body in work
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_SCRIPT % (entries, _lua(UA)))
    try:
        out = subprocess.run(
            [
                ensure_wrk(),
                f"-t{min(clients, 2)}",
                f"-c{clients}",
                f"-d{seconds:g}s",
                "-s",
                f.name,
                f"http://127.0.0.1:{port}",
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        os.unlink(f.name)
    line = next(x for x in out.splitlines() if x.startswith("WML "))
    v = {k: float(x) for k, x in (kv.split("=") for kv in line.split()[1:])}
    return {
        "n": int(v["n"]),
        "errors": int(v["errors"]),
        "p50_ms": round(v["p50"] / 1000, 3),
        "p90_ms": round(v["p90"] / 1000, 3),
        "p99_ms": round(v["p99"] / 1000, 3),
        "max_ms": round(v["max"] / 1000, 3),
        "mean_ms": round(v["mean"] / 1000, 3),
        "requests_per_s": round(v["n"] / (v["us"] / 1e6), 1),
    }


def in_process(db: Path, requests: list[tuple[str, bytes]]) -> dict[str, Any]:
    """The server's own work per request (stage, encode, score, answer), no HTTP."""
    from warehouse_ml.serve.app import DEFAULT_MODEL, _score
    from warehouse_ml.serve.models import ModelStore, score_on_one_thread
    from warehouse_ml.serve.user_agent import warm_up

    store = ModelStore(db)
    store.refresh()
    warm_up()
    score_on_one_thread()
    assert store.current is not None
    times = []
    for campaign, body in requests:
        fields = json.loads(body)
        t0 = time.perf_counter()
        _score(store.current, DEFAULT_MODEL, campaign, fields, None, None, None)
        times.append((time.perf_counter() - t0) * 1000)
    models = store.current.models.values()
    return {
        **summary(times, sum(times) / 1000, 0),
        "models": [
            {
                "group_id": m.group_id,
                "model_id": m.model_id,
                "n_features": len(m.feature_columns),
                "n_classes": len(m.labels),
                "n_rounds": m.booster.num_boosted_rounds(),
            }
            for m in models
            if m.model_name == DEFAULT_MODEL
        ],
    }


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def markdown(results: dict[str, Any]) -> str:
    lines = [
        "# `wml serve` latency on loopback",
        "",
        f"Run {results['started_at']} on {results['machine']['cores']} cores "
        f"({results['machine']['cpu']}); load average before {results['load_before']}, "
        f"after {results['load_after']}.",
        f"Command `{results['command']}`; warehouse `{results['warehouse']}`; server "
        f"`{results['server_command']}`.",
        f"Server processes (`--workers`): {results.get('workers', 1)}. Closed loop: each "
        "client is one keep-alive connection sending requests back to back; latency is "
        "request sent → answer read. Load generator: "
        + (
            f"wrk ({results['runs'][0]['n'] if results['runs'] else 0} requests or more a "
            "run, for a fixed time)."
            if results.get("load_generator") == "wrk"
            else "threads of the benchmark's own interpreter, a fixed number of requests."
        ),
        "",
        "| scenario | clients | n | errors | p50 ms | p90 ms | p99 ms | max ms | req/s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for run in results["runs"]:
        lines.append(
            f"| {run['scenario']} | {run['clients']} | {run['n']} | {run['errors']} | "
            f"{run['p50_ms']:.2f} | {run['p90_ms']:.2f} | {run['p99_ms']:.2f} | "
            f"{run['max_ms']:.2f} | {run['requests_per_s']:.0f} |"
        )
    work = results["in_process"]
    models = work["models"]
    lines += [
        "",
        f"In process (no HTTP, one request at a time): p50 {work['p50_ms']:.2f} ms, "
        f"p99 {work['p99_ms']:.2f} ms over {work['n']} requests; models: "
        + ", ".join(
            f"{m['n_rounds']} rounds x {m['n_classes']} classes, {m['n_features']} features"
            for m in models
        )
        + ".",
        "",
        f"Goal p99 <= {GOAL_P99_MS:g} ms: "
        + ", ".join(
            f"{r['scenario']} x{r['clients']} {'met' if r['p99_ms'] <= GOAL_P99_MS else 'missed'}"
            for r in results["runs"]
        )
        + ".",
    ]
    for run in results["runs"]:
        if run["p99_ms"] <= GOAL_P99_MS or run["clients"] == 1:
            continue
        # Closed loop: each client waits for its answer, so with one event loop serving
        # them in turn a request waits for the others' (Little's law: clients / rate).
        per_request = 1000 / run["requests_per_s"]
        lines += [
            "",
            f"Cause of the miss ({run['scenario']}, {run['clients']} clients): each of "
            f"{results.get('workers', 1)} server process(es) answers one request at a time; "
            f"at {run['requests_per_s']:.0f} req/s they "
            f"spend {per_request:.2f} ms per request, so {run['clients']} clients queue "
            f"about {run['clients'] * per_request:.0f} ms (measured p50 {run['p50_ms']:.0f} ms). "
            f"Of those {per_request:.2f} ms, {work['p50_ms']:.2f} ms (p50) is the endpoint's "
            "own work (staging, encoding, XGBoost predict, answer); the rest is HTTP and JSON "
            "in the same process and CPU shared with the load generator on "
            f"{results['machine']['cores']} cores.",
        ]
    if results.get("note"):
        lines += ["", results["note"]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db", default=os.environ.get("WML_DUCKDB_PATH", str(ROOT / "warehouse.duckdb"))
    )
    parser.add_argument("--requests", type=int, default=2000, help="requests per run")
    parser.add_argument("--clients", default="1,16", help="concurrency levels")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    parser.add_argument("--note", default="", help="a sentence for the Markdown file")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="wml serve --workers"
    )
    parser.add_argument(
        "--load", choices=("wrk", "python"), default="wrk", help="load generator (default wrk)"
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="wrk: seconds per run")
    args = parser.parse_args(argv)
    db = Path(args.db).resolve()
    requests = load_requests(db, args.requests)
    if not requests:
        raise SystemExit(f"no scorable requests with a serving model in {db}: build it first")
    while len(requests) < args.requests:
        requests += requests[: args.requests - len(requests)]
    posts = [("POST", f"/predict/{c}", body) for c, body in requests]
    gets = [
        ("GET", f"/predict/{c}?country={quote(json.loads(body).get('country') or '')}", None)
        for c, body in requests
    ]
    wml = str(Path(sys.executable).with_name("wml"))
    load_before = [round(x, 2) for x in os.getloadavg()]
    started_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    runs = []
    port = free_port()
    server_cmd = [wml, "serve", "--db", str(db), "--port", str(port)]
    server_cmd += ["--workers", str(args.workers), "--log-level", "warning", "--no-access-log"]
    server = subprocess.Popen(server_cmd, cwd=ROOT)
    try:
        wait_healthy(port, server)
        run_load(port, posts[:400], 4)  # warm-up: connections, caches, first allocations
        for clients in (int(c) for c in args.clients.split(",")):
            for scenario, work in (("POST record", posts), ("GET user agent", gets)):
                if args.load == "wrk":
                    result = run_wrk(port, work, clients, args.seconds)
                else:
                    result = run_load(port, work, clients)
                runs.append({"scenario": scenario, "clients": clients, **result})
                print(f"[serve_latency] {scenario} x{clients}: {result}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    results = {
        "started_at": started_at,
        "command": shlex.join([Path(sys.executable).name, *sys.argv]),
        "server_command": shlex.join(["wml", *server_cmd[1:]]),
        "warehouse": db.name,
        "machine": machine(),
        "load_before": load_before,
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "goal_p99_ms": GOAL_P99_MS,
        "load_generator": args.load,
        "workers": args.workers,
        "runs": runs,
        "in_process": in_process(db, requests[:500]),
        "note": args.note,
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "serve_latency.json").write_text(json.dumps(results, indent=2) + "\n")
    (out / "serve_latency.md").write_text(markdown(results))
    print(markdown(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
