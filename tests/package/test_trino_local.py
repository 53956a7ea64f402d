"""Offline tests of the local Trino provisioning script (scripts/trino/trino_local.py):
config generation, settings validation and Java discovery. No server, no download."""

from __future__ import annotations

import hashlib
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "scripts" / "trino" / "trino_local.py"


@pytest.fixture(scope="module")
def trino_local():
    spec = importlib.util.spec_from_file_location("wml_trino_local", SCRIPT)
    assert spec and spec.loader, f"cannot load {SCRIPT}"
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _read_props(path: Path) -> dict[str, str]:
    props = {}
    for line in path.read_text().splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            props[key] = value
    return props


def test_script_writes_loopback_only_config(trino_local, tmp_path, monkeypatch):
    monkeypatch.setenv("WML_TRINO_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("WML_TRINO_PORT", "18089")
    monkeypatch.setenv("WML_TRINO_HEAP", "2G")
    monkeypatch.setenv("WML_TRINO_WORKERS", "0")
    monkeypatch.setenv("WML_TRINO_AUTH", "none")
    s = trino_local.Settings()
    trino_local.write_config(s)

    config = _read_props(s.etc / "config.properties")
    assert config["coordinator"] == "true"
    assert config["node-scheduler.include-coordinator"] == "true"  # one node runs everything
    assert config["http-server.http.port"] == "18089"
    assert config["discovery.uri"] == "http://127.0.0.1:18089"
    node = _read_props(s.etc / "node.properties")
    assert node["node.bind-ip"] == "127.0.0.1"
    assert node["node.data-dir"] == str(s.data)
    assert _read_props(s.etc / "catalog" / "memory.properties")["connector.name"] == "memory"
    # The default plugins give a persistent iceberg catalog: its metastore and files live under
    # the cache (not in the memory of a node), in a folder stop and restart leave alone.
    iceberg = _read_props(s.etc / "catalog" / "iceberg.properties")
    assert iceberg["connector.name"] == "iceberg"
    assert iceberg["hive.metastore.catalog.dir"] == f"local://{s.cache / 'warehouse' / 'iceberg'}"
    assert iceberg["local.location"] == "/"  # a plain path: a local:// URI stops Trino
    assert (s.cache / "warehouse" / "iceberg").is_dir()
    # ... and a hive catalog for the external tables over the landing folders.
    hive = _read_props(s.etc / "catalog" / "hive.properties")
    assert hive["connector.name"] == "hive"
    assert hive["hive.metastore"] == "file"
    assert hive["hive.metastore.catalog.dir"] == f"local://{s.cache / 'warehouse' / 'hive'}"
    assert hive["local.location"] == "/"
    jvm = (s.etc / "jvm.config").read_text().splitlines()
    assert jvm[0] == "-Xmx2G"
    assert not (s.cache / "workers").exists()

    cmd = trino_local.java_command(s, Path("/opt/java/bin/java"))
    assert cmd[0] == "/opt/java/bin/java"
    assert cmd[-1] == "io.trino.server.TrinoServer"
    assert f"-Dconfig={s.etc / 'config.properties'}" in cmd
    assert "-Dnode.bind-ip=127.0.0.1" in cmd


def test_script_writes_a_coordinator_and_workers(trino_local, tmp_path, monkeypatch):
    monkeypatch.setenv("WML_TRINO_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("WML_TRINO_PORT", "18089")
    monkeypatch.delenv("WML_TRINO_HEAP", raising=False)
    monkeypatch.delenv("WML_TRINO_WORKER_PORT", raising=False)
    monkeypatch.setenv("WML_TRINO_WORKERS", "2")
    monkeypatch.setenv("WML_TRINO_WORKER_HEAP", "4G")
    monkeypatch.setenv("WML_TRINO_AUTH", "none")
    s = trino_local.Settings()
    trino_local.write_config(s)
    coordinator, *workers = s.nodes()

    config = _read_props(coordinator.config)
    assert config["coordinator"] == "true"
    assert config["node-scheduler.include-coordinator"] == "false"  # plans, runs no tasks
    assert config["query.max-memory"] == "4GB"  # 2 GB per 4G worker (60% of its heap)
    assert (coordinator.etc / "jvm.config").read_text().splitlines()[0] == "-Xmx2G"
    assert [w.port for w in workers] == [18090, 18091]
    ids = {coordinator.node_id} | {w.node_id for w in workers}
    assert len(ids) == 3  # a node id clash would make Trino see one node
    for worker in workers:
        props = _read_props(worker.config)
        assert props["coordinator"] == "false"
        assert props["http-server.http.port"] == str(worker.port)
        assert props["discovery.uri"] == "http://127.0.0.1:18089"
        assert props["catalog.config-dir"] == config["catalog.config-dir"]  # same catalogs
        assert "node-scheduler.include-coordinator" not in props
        assert (worker.etc / "jvm.config").read_text().splitlines()[0] == "-Xmx4G"
        cmd = trino_local.java_command(s, Path("/opt/java/bin/java"), node=worker)
        assert f"-Dconfig={worker.config}" in cmd
        assert f"-Dnode.id={worker.node_id}" in cmd
        assert f"-Dnode.data-dir={worker.data}" in cmd
    # each role trains and reads its own AOT cache
    assert s.aot_file((25,), "worker") != s.aot_file((25,))
    # `stop` also finds workers that an earlier, larger cluster left behind
    stale = s.cache / "workers" / "worker-5" / "trino.pid"
    stale.parent.mkdir(parents=True)
    stale.write_text("999999 127.0.0.1:1\n")
    assert stale in {n.pid_file for n in trino_local.known_nodes(s)}


def test_script_sets_up_password_auth_over_https(trino_local, tmp_path, monkeypatch):
    monkeypatch.setenv("WML_TRINO_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("WML_TRINO_PORT", "18089")
    monkeypatch.setenv("WML_TRINO_WORKERS", "1")
    monkeypatch.delenv("WML_TRINO_AUTH", raising=False)  # password auth is the default
    monkeypatch.delenv("WML_TRINO_WORKER_PORT", raising=False)
    monkeypatch.delenv("WML_TRINO_INTERNAL_PORT", raising=False)
    monkeypatch.delenv("WML_TRINO_USER", raising=False)
    monkeypatch.setenv("WML_TRINO_PASSWORD", "s3cret-for-the-test")
    s = trino_local.Settings()
    java, _ = trino_local.find_java()
    auth = trino_local.secrets_for(s, java)
    trino_local.write_config(s, auth)
    coordinator, worker = s.nodes()

    config = _read_props(coordinator.config)
    assert config["http-server.https.enabled"] == "true"
    assert config["http-server.https.port"] == "18089"  # clients: HTTPS on WML_TRINO_PORT
    assert config["http-server.http.port"] == "18091"  # the nodes' own traffic
    assert config["http-server.authentication.type"] == "PASSWORD"
    assert "http-server.authentication.allow-insecure-over-http" not in config
    assert _read_props(worker.config)["discovery.uri"] == "http://127.0.0.1:18091"
    secret = config["internal-communication.shared-secret"]
    assert (
        len(secret) >= 32
        and _read_props(worker.config)["internal-communication.shared-secret"] == secret
    )
    authenticator = _read_props(Path(config["password-authenticator.config-files"]))
    assert authenticator == {
        "password-authenticator.name": "file",
        "file.password-file": str(auth.password_db),
    }
    # The entry Trino's file authenticator reads: user:iterations:salt:PBKDF2WithHmacSHA1.
    user, iterations, salt, digest = auth.password_db.read_text().strip().split(":")
    assert user == "warehouse_ml" and int(iterations) >= 1000
    expected = hashlib.pbkdf2_hmac(
        "sha1", b"s3cret-for-the-test", bytes.fromhex(salt), int(iterations), len(digest) // 2
    )
    assert expected.hex() == digest
    # Secrets are private, clients get what they need, and the server side stays apart.
    for path in (auth.folder, auth.password_db, auth.credentials_env, coordinator.config):
        assert path.stat().st_mode & 0o077 == 0, path
    creds = trino_local.client_credentials(s)
    assert creds == {
        "WML_TRINO_USER": "warehouse_ml",
        "WML_TRINO_PASSWORD": "s3cret-for-the-test",
        "WML_TRINO_CERT": str(auth.ca_cert),
        "WML_TRINO_SCHEME": "https",
    }
    # The self-signed certificate names the loopback address clients connect to.
    printed = subprocess.run(
        [str(java.parent / "keytool"), "-printcert", "-file", str(auth.ca_cert)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "IPAddress: 127.0.0.1" in printed and "CN=localhost" in printed
    # A second start keeps the certificate and the password entry (clients keep working).
    again = trino_local.secrets_for(s, java)
    assert again.ca_cert.read_text() == auth.ca_cert.read_text()
    assert again.shared_secret == auth.shared_secret
    assert auth.password_db.read_text().split(":")[2] == salt


def test_script_aot_cache_flags(trino_local, tmp_path, monkeypatch):
    monkeypatch.setenv("WML_TRINO_CACHE", str(tmp_path))
    monkeypatch.delenv("WML_TRINO_AOT", raising=False)
    s = trino_local.Settings()
    cache = s.aot_file((25, 0, 2))
    assert trino_local.aot_flags(s, (24, 0, 1)) == []  # one-step AOT training needs JDK 25
    assert trino_local.aot_flags(s, (25, 0, 2)) == [f"-XX:AOTCacheOutput={cache}"]
    cache.write_bytes(b"x")
    assert trino_local.aot_flags(s, (25, 0, 2)) == [f"-XX:AOTCache={cache}"]
    monkeypatch.setenv("WML_TRINO_AOT", "0")
    assert trino_local.aot_flags(trino_local.Settings(), (25, 0, 2)) == []


def test_without_the_lake_plugins_there_are_no_lake_catalogs(trino_local, tmp_path, monkeypatch):
    monkeypatch.setenv("WML_TRINO_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("WML_TRINO_AUTH", "none")
    monkeypatch.setenv("WML_TRINO_PLUGINS", "memory")
    s = trino_local.Settings()
    trino_local.write_config(s)
    assert sorted(p.name for p in (s.etc / "catalog").iterdir()) == ["memory.properties"]


def test_script_artifact_urls_are_pinned(trino_local, monkeypatch):
    monkeypatch.delenv("WML_MAVEN_REPO", raising=False)
    monkeypatch.setenv("WML_TRINO_PLUGINS", "memory")
    s = trino_local.Settings()
    urls = [s.artifact_url(a, e) for a, e, _ in s.artifacts()]
    v = trino_local.TRINO_VERSION
    assert urls == [
        f"https://repo1.maven.org/maven2/io/trino/trino-server-core/{v}/trino-server-core-{v}.tar.gz",
        f"https://repo1.maven.org/maven2/io/trino/trino-memory/{v}/trino-memory-{v}.zip",
    ]


@pytest.mark.parametrize(
    ("var", "value"),
    [
        ("WML_TRINO_PORT", "80800"),
        ("WML_TRINO_PORT", "x"),
        ("WML_TRINO_HEAP", "2"),
        ("WML_TRINO_WORKERS", "-1"),
        ("WML_TRINO_WORKERS", "9"),
        ("WML_TRINO_WORKER_HEAP", "lots"),
        ("WML_TRINO_WORKER_PORT", "70000"),
        ("WML_TRINO_AUTH", "kerberos"),
        ("WML_TRINO_INTERNAL_PORT", "0"),
    ],
)
def test_script_rejects_bad_settings(trino_local, monkeypatch, var, value):
    monkeypatch.setenv(var, value)
    with pytest.raises(trino_local.TrinoLocalError, match=var):
        trino_local.Settings()


def test_script_reports_unusable_java(trino_local, tmp_path, monkeypatch):
    monkeypatch.setenv("WML_TRINO_JAVA", str(tmp_path / "no-such-jdk"))
    with pytest.raises(trino_local.TrinoLocalError, match=r"No Java >= 24\.0\.1.*WML_TRINO_JAVA"):
        trino_local.find_java()


def test_query_memory_follows_the_task_heap(trino_local):
    assert trino_local.query_memory_gb("3G") == 1  # the default worker: 1 GB + 768 MB headroom
    assert trino_local.query_memory_gb("1536M") == 1
    assert trino_local.query_memory_gb("10G") == 6
    assert trino_local.query_memory_gb("10240m") == 6
