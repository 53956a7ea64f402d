"""Password authentication over HTTPS on the suite's Trino cluster.

scripts/trino/trino_local.py starts the local cluster with Trino's file password
authenticator and a self-signed certificate made at set-up; scripts/test_trino.sh
sources the credentials it wrote (WML_TRINO_USER, WML_TRINO_PASSWORD,
WML_TRINO_CERT, WML_TRINO_SCHEME=https). Against a server without authentication
set WML_TRINO_AUTH=none and these tests are skipped.
"""

from __future__ import annotations

import os

import pytest
import requests

from warehouse_ml.trino_client import CertPinnedSession, TrinoClient, TrinoSettings

REQUIRED = os.environ.get("WML_TRINO_REQUIRED", "").strip().lower() not in ("", "0", "false", "no")
AUTH = os.environ.get("WML_TRINO_AUTH", "").strip().lower() or "password"


@pytest.fixture(scope="module")
def settings() -> TrinoSettings:
    if AUTH == "none":
        pytest.skip("WML_TRINO_AUTH=none: the server has no password authentication")
    settings = TrinoSettings.from_env()
    if not settings.password:
        message = (
            "WML_TRINO_PASSWORD is not set: source <cache>/secrets/credentials.env written by "
            "`scripts/trino/trino_local.py start` (scripts/test_trino.sh does)"
        )
        if REQUIRED:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return settings


def _post(settings: TrinoSettings, url: str, auth=None) -> requests.Response:
    session = CertPinnedSession(settings.cert) if settings.cert else requests.Session()
    with session:
        return session.post(
            url, data="SELECT 1", headers={"X-Trino-User": settings.user}, auth=auth, timeout=30
        )


def test_the_right_password_runs_queries_as_that_user(settings):
    with TrinoClient(settings) as client:
        assert client.execute("SELECT current_user, 1") == [[settings.user, 1]]
    answer = _post(settings, f"https://{settings.host}:{settings.port}/v1/statement",
                   auth=(settings.user, settings.password))  # fmt: skip
    assert answer.status_code == 200, answer.text[:300]


@pytest.mark.parametrize("password", [None, "not-the-password", ""])
def test_a_request_without_the_right_password_is_refused(settings, password):
    auth = None if password is None else (settings.user, password)
    answer = _post(settings, f"https://{settings.host}:{settings.port}/v1/statement", auth=auth)
    assert answer.status_code == 401, answer.text[:300]
    bad = TrinoSettings(**{**_fields(settings), "password": password or "x"})
    refused = r"401|[Uu]nauthori[sz]ed|Access Denied|credentials"
    with pytest.raises(Exception, match=refused), TrinoClient(bad) as client:
        client.execute("SELECT 1")


def test_plain_http_is_refused_even_with_the_password(settings):
    # The coordinator's HTTP port carries only the nodes' own traffic (shared secret).
    with TrinoClient(settings) as client:
        uri = client.execute(
            "SELECT http_uri FROM system.runtime.nodes WHERE coordinator AND state = 'active'"
        )[0][0]
    assert uri.startswith("http://"), uri
    answer = requests.post(
        f"{uri}/v1/statement",
        data="SELECT 1",
        headers={"X-Trino-User": settings.user},
        auth=(settings.user, settings.password),
        timeout=30,
    )
    assert answer.status_code in (401, 403), answer.text[:300]


def test_an_untrusted_certificate_is_refused(settings):
    # Verification really happens: the system's authorities do not vouch for this server.
    other = TrinoSettings(**{**_fields(settings), "cert": ""})
    untrusted = r"CERTIFICATE_VERIFY_FAILED|certificate verify failed"
    with pytest.raises(Exception, match=untrusted), TrinoClient(other) as client:
        client.execute("SELECT 1")


def _fields(settings: TrinoSettings) -> dict:
    return {name: getattr(settings, name) for name in settings.__dataclass_fields__}
