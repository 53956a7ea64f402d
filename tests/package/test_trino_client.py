"""Offline tests of the Trino-side package code: settings, literals, statement
batching, the registry log's text parts and the landing plan's validation. No
server: a stub records the statements a real client would send."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest
import requests

from warehouse_ml.registry import REGISTRY_COLUMNS
from warehouse_ml.trino_client import TrinoClient, TrinoSettings, sql_literal
from warehouse_ml.trino_loader import load_landed_files
from warehouse_ml.trino_registry import CHUNK_CHARS, append_registry_rows


class StubClient(TrinoClient):
    """A TrinoClient that records statements instead of sending them."""

    def __init__(self, settings: TrinoSettings | None = None) -> None:
        self.settings = settings or TrinoSettings()
        self.statements: list[str] = []

    def execute(self, sql, params=None):
        self.statements.append(sql)
        return [[0]]


def test_settings_follow_the_profile_defaults_and_env():
    assert TrinoSettings.from_env({}) == TrinoSettings()
    s = TrinoSettings.from_env(
        {"WML_TRINO_PORT": "18080", "WML_TRINO_SCHEMA": "ML", "WML_TRINO_CATALOG": "iceberg"}
    )
    assert (s.port, s.landing_schema, s.qualified("t")) == (
        18080,
        "ml_landing",
        "iceberg.ml.t",
    )
    assert s.env()["WML_TRINO_LANDING_SCHEMA"] == "ml_landing"
    assert TrinoSettings(landing="raw").landing_schema == "raw"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"WML_TRINO_SCHEMA": "a-b"}, "WML_TRINO_SCHEMA"),
        ({"WML_TRINO_CATALOG": "x; drop"}, "WML_TRINO_CATALOG"),
        ({"WML_TRINO_PORT": "http"}, "WML_TRINO_PORT"),
        ({"WML_TRINO_SCHEME": "ftp"}, "WML_TRINO_SCHEME"),
    ],
)
def test_settings_refuse_unsafe_values(env, message):
    with pytest.raises(ValueError, match=message):
        TrinoSettings.from_env(env)


def test_password_settings_need_https_and_stay_out_of_logs(tmp_path, monkeypatch):
    cert = tmp_path / "ca.pem"
    cert.write_text("-----BEGIN CERTIFICATE-----\n")
    env = {"WML_TRINO_PASSWORD": "hunter2", "WML_TRINO_CERT": str(cert)}
    with pytest.raises(ValueError, match="WML_TRINO_SCHEME=https"):
        TrinoSettings.from_env(env)
    with pytest.raises(ValueError, match="WML_TRINO_CERT"):
        TrinoSettings.from_env({**env, "WML_TRINO_SCHEME": "https", "WML_TRINO_CERT": "/no/such"})
    s = TrinoSettings.from_env({**env, "WML_TRINO_SCHEME": "https"})
    assert (s.password, s.cert) == ("hunter2", str(cert))
    assert "hunter2" not in repr(s)
    # dbt-trino gets the same credentials, and requests verifies with the named certificate.
    child = s.env()
    assert (child["WML_TRINO_PASSWORD"], child["WML_TRINO_CERT"]) == ("hunter2", str(cert))
    assert child["REQUESTS_CA_BUNDLE"] == str(cert)
    args = s.connect_args()
    assert args["http_scheme"] == "https"
    assert (args["auth"]._username, args["auth"]._password) == ("warehouse_ml", "hunter2")
    # An inherited CA bundle must not replace the certificate the user named.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    session = args["http_session"]
    merged = session.merge_environment_settings("https://127.0.0.1:1/", {}, None, None, None)
    assert merged["verify"] == str(cert)
    plain = requests.Session()
    plain.verify = str(cert)
    assert (
        plain.merge_environment_settings("https://127.0.0.1:1/", {}, None, None, None)["verify"]
        == "/etc/ssl/certs/ca-certificates.crt"
    )  # what happens without CertPinnedSession
    assert "auth" not in TrinoSettings().connect_args()
    assert "http_session" not in TrinoSettings().connect_args()


def test_sql_literals():
    assert sql_literal("it's") == "'it''s'"
    assert sql_literal("a\\nb\u00a0😀") == "'a\\nb\u00a0😀'"  # no backslash escapes in Trino
    assert sql_literal(None) == sql_literal(pd.NA) == "NULL"
    assert sql_literal(True) == "TRUE"
    assert sql_literal(7) == "7"
    assert sql_literal(0.1) == "0.1e0"  # a double, not a DECIMAL
    assert sql_literal(1e20) == "1e+20"
    stamp = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert sql_literal(stamp) == "TIMESTAMP '2026-01-02 03:04:05.000006 UTC'"
    with pytest.raises(TypeError):
        sql_literal(object())


def test_insert_rows_stays_under_the_statement_limit():
    client = StubClient()
    rows = [(i, "x" * 90) for i in range(100)]
    assert client.insert_rows("memory.s.t", ["n", "text"], rows, max_chars=1_000) == 100
    assert len(client.statements) > 10
    assert all(len(sql) <= 1_000 for sql in client.statements)
    assert sum(sql.count("'xxx") for sql in client.statements) == 100
    with pytest.raises(ValueError, match="does not fit"):
        client.insert_rows("memory.s.t", ["text"], [("y" * 2_000,)], max_chars=1_000)
    with pytest.raises(ValueError, match="column"):
        client.insert_rows("memory.s.t", ["bad name"], [(1,)])


def _registry_row(model_id: str, booster: str | None) -> dict:
    row = {c: None for c in REGISTRY_COLUMNS}
    row.update(
        model_id=model_id,
        campaign_id="c",
        status="champion" if booster else "rejected",
        booster_json=booster,
        scoring_sql="select 1" if booster else None,
        n_train_rows=10,
        trained_at=pd.Timestamp("2026-01-01", tz="UTC"),
    )
    return row


def test_registry_texts_are_logged_in_parts_that_glue_back():
    client = StubClient()
    booster = "".join(chr(65 + i % 26) for i in range(CHUNK_CHARS * 2 + 5))
    rows = pd.DataFrame([_registry_row("m1", booster), _registry_row("m2", None)])
    assert append_registry_rows(client, rows) == 2
    texts, log = client.statements[0], client.statements[-1]
    assert texts.startswith("insert into iceberg.warehouse_ml.ml_models_log_text (")
    assert log.startswith("insert into iceberg.warehouse_ml.ml_models_log (")
    # three parts of the booster (0, 1, 2) and one of the SQL; none for the rejected model
    assert texts.count("'booster_json', 0,") == texts.count("'booster_json', 2,") == 1
    assert texts.count("'scoring_sql', 0,") == 1 and "'booster_json', 3," not in texts
    assert "booster_json" not in log.split("values")[0]  # the log row holds no long text
    with pytest.raises(ValueError, match="same model_id"):
        append_registry_rows(client, pd.concat([rows, rows]))


def test_loader_refuses_a_malformed_plan(tmp_path):
    with pytest.raises(ValueError, match="lacks"):
        load_landed_files(StubClient(), [{"dataset": "conversions"}], project_root=tmp_path)
    with pytest.raises(ValueError, match="unknown dataset"):
        load_landed_files(
            StubClient(),
            [{"dataset": "x", "source_file": "f", "file_format": "json", "sql": "select 1"}],
            project_root=tmp_path,
        )
