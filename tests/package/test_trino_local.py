"""Offline tests of the local Trino provisioning script (scripts/trino/trino_local.py):
config generation, settings validation and Java discovery. No server, no download."""

from __future__ import annotations

import importlib.util
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
    s = trino_local.Settings()
    trino_local.write_config(s)

    config = _read_props(s.etc / "config.properties")
    assert config["coordinator"] == "true"
    assert config["node-scheduler.include-coordinator"] == "true"
    assert config["http-server.http.port"] == "18089"
    assert config["discovery.uri"] == "http://127.0.0.1:18089"
    node = _read_props(s.etc / "node.properties")
    assert node["node.bind-ip"] == "127.0.0.1"
    assert node["node.data-dir"] == str(s.data)
    assert _read_props(s.etc / "catalog" / "memory.properties")["connector.name"] == "memory"
    jvm = (s.etc / "jvm.config").read_text().splitlines()
    assert jvm[0] == "-Xmx2G"

    cmd = trino_local.java_command(s, Path("/opt/java/bin/java"))
    assert cmd[0] == "/opt/java/bin/java"
    assert cmd[-1] == "io.trino.server.TrinoServer"
    assert f"-Dconfig={s.etc / 'config.properties'}" in cmd
    assert "-Dnode.bind-ip=127.0.0.1" in cmd


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
    [("WML_TRINO_PORT", "80800"), ("WML_TRINO_PORT", "x"), ("WML_TRINO_HEAP", "2")],
)
def test_script_rejects_bad_settings(trino_local, monkeypatch, var, value):
    monkeypatch.setenv(var, value)
    with pytest.raises(trino_local.TrinoLocalError, match=var):
        trino_local.Settings()


def test_script_reports_unusable_java(trino_local, tmp_path, monkeypatch):
    monkeypatch.setenv("WML_TRINO_JAVA", str(tmp_path / "no-such-jdk"))
    with pytest.raises(trino_local.TrinoLocalError, match=r"No Java >= 24\.0\.1.*WML_TRINO_JAVA"):
        trino_local.find_java()
