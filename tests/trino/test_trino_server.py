"""Tests against a real local Trino server (see scripts/trino/trino_local.py).

Start one with ``.venv/bin/python scripts/trino/trino_local.py start``.  Connection settings come
from ``WML_TRINO_HOST`` (127.0.0.1), ``WML_TRINO_PORT`` (8080) and ``WML_TRINO_CATALOG``
(memory).  When the server does not answer, the server tests are skipped -- unless
``WML_TRINO_REQUIRED`` is set (to anything but ``0``/``false``/empty), in which case they fail.

The provisioning script's offline tests (config generation, settings validation, Java
discovery) need no server: they live in tests/package/test_trino_local.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import urllib.parse
import uuid

import pytest

HOST = os.environ.get("WML_TRINO_HOST", "").strip() or "127.0.0.1"
PORT = int(os.environ.get("WML_TRINO_PORT", "").strip() or "8080")
CATALOG = os.environ.get("WML_TRINO_CATALOG", "").strip() or "memory"
REQUIRED = os.environ.get("WML_TRINO_REQUIRED", "").strip().lower() not in ("", "0", "false", "no")


# --------------------------------------------------------------------------- live server


@pytest.fixture(scope="module")
def cursor():
    def unavailable(reason: str):
        if REQUIRED:
            pytest.fail(f"WML_TRINO_REQUIRED is set but {reason}", pytrace=False)
        pytest.skip(
            f"{reason} (set WML_TRINO_REQUIRED=1 to make this a failure; start a server "
            "with `.venv/bin/python scripts/trino/trino_local.py start`)"
        )

    try:
        import trino
    except ImportError:
        unavailable("the `trino` Python client is not installed")
    try:
        from warehouse_ml.trino_client import TrinoSettings

        # Host, port, user and, on a cluster with password authentication, HTTPS + credentials.
        conn = trino.dbapi.connect(
            **TrinoSettings.from_env().connect_args(),
            catalog=CATALOG,
            schema="default",
            request_timeout=30,
            max_attempts=1,
        )
        cur = conn.cursor()
        cur.execute("SELECT 1")
        assert cur.fetchall() == [[1]]
    except Exception as exc:
        unavailable(
            f"no Trino answers SELECT 1 at {HOST}:{PORT} ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0][:200] if str(exc) else ''})"
        )
    yield cur
    conn.close()


def q(cur, sql: str, *params):
    cur.execute(sql, list(params) if params else None)
    return cur.fetchall()


def one(cur, sql: str, *params):
    rows = q(cur, sql, *params)
    assert len(rows) == 1 and len(rows[0]) == 1, rows
    return rows[0][0]


@pytest.fixture
def schema(cursor):
    name = f"wml_pytest_{uuid.uuid4().hex[:10]}"
    q(cursor, f"CREATE SCHEMA {CATALOG}.{name}")
    yield f"{CATALOG}.{name}"
    q(cursor, f"DROP SCHEMA {CATALOG}.{name} CASCADE")


def test_server_version(cursor):
    version = one(cursor, "SELECT version()")
    assert version.isdigit(), version


def test_memory_table_roundtrip(cursor, schema):
    table = f"{schema}.offers"
    q(cursor, f"CREATE TABLE {table} (id bigint, ua varchar, amount double, day date)")
    inserted = q(
        cursor,
        f"INSERT INTO {table} VALUES (1, 'Mobile Safari', 10.5, DATE '2024-01-01'), "
        "(2, 'São Paulo ~*', NULL, DATE '2024-02-29'), (3, NULL, -0.25, NULL)",
    )
    assert inserted == [[3]]
    rows = q(cursor, f"SELECT id, ua, amount, CAST(day AS varchar) FROM {table} ORDER BY id")
    assert rows == [
        [1, "Mobile Safari", 10.5, "2024-01-01"],
        [2, "São Paulo ~*", None, "2024-02-29"],
        [3, None, -0.25, None],
    ]
    q(cursor, f"CREATE TABLE {schema}.agg AS SELECT count(*) AS n, sum(amount) AS s FROM {table}")
    assert q(cursor, f"SELECT n, s FROM {schema}.agg") == [[3, 10.25]]


# The local cluster's size (scripts/trino/trino_local.py, default one worker). Against a
# server of your own, set it to the number of workers you expect (0: a single node).
WORKERS = int(os.environ.get("WML_TRINO_WORKERS", "").strip() or "1")


@pytest.mark.skipif(WORKERS == 0, reason="WML_TRINO_WORKERS=0: a single-node server")
def test_query_work_runs_on_the_workers(cursor, schema):
    nodes = q(
        cursor, "SELECT node_id, coordinator FROM system.runtime.nodes WHERE state = 'active'"
    )
    workers = {node for node, is_coordinator in nodes if not is_coordinator}
    assert len(workers) >= WORKERS, nodes
    table = f"{schema}.numbers"
    q(
        cursor,
        f"CREATE TABLE {table} AS SELECT a * 1000 + b AS n "
        "FROM unnest(sequence(1, 100)) AS t(a) CROSS JOIN unnest(sequence(1, 1000)) AS u(b)",
    )
    assert one(cursor, f"SELECT sum(n) FROM {table}") == sum(
        a * 1000 + b for a in range(1, 101) for b in range(1, 1001)
    )
    query_id = cursor.query_id
    tasks = q(
        cursor,
        "SELECT node_id, sum(processed_input_rows) FROM system.runtime.tasks "
        "WHERE query_id = ? GROUP BY node_id",
        query_id,
    )
    # Every task of the scan and the aggregation ran on a worker: the coordinator only planned.
    assert tasks and {node for node, _ in tasks} <= workers, (tasks, nodes)
    assert sum(rows for _, rows in tasks) >= 100_000


# url_encode follows Java's URLEncoder (HTML form encoding), quote(v, safe="") follows RFC 3986:
# space -> '+' instead of '%20', '~' -> '%7E' instead of '~', '*' kept instead of '%2A'.
# Everything else (UTF-8 bytes, upper-case hex, '-', '_', '.', reserved chars) is identical.
URL_ENCODE_KNOWN_DIFFERENCES = {
    "Mobile Safari": "Mobile+Safari",
    "São Paulo": "S%C3%A3o+Paulo",
    "~": "%7E",
    "*": "*",
    " ": "+",
    "a b+c": "a+b%2Bc",
    "A-Z_a.z~0": "A-Z_a.z%7E0",
    "~user *x": "%7Euser+*x",
}
URL_ENCODE_SAME = [
    *"-_.!'()+%&=?#/:@,;$[]\"<>\\^`{|}\t\n",
    *["Chrome/WebView", "ü", "é", "日本", "😀", "O'Brien", "", "abcXYZ0189"],
]
# The SQL rewrite that makes Trino match Python exactly ('+' only ever comes from a space,
# a literal plus is already %2B).
URL_ENCODE_AS_QUOTE = "replace(replace(replace(url_encode(?), '+', '%20'), '%7E', '~'), '*', '%2A')"


@pytest.mark.parametrize("value", list(URL_ENCODE_KNOWN_DIFFERENCES) + URL_ENCODE_SAME)
def test_url_encode_vs_urllib_quote(cursor, value):
    python = urllib.parse.quote(value, safe="")
    trino_value = one(cursor, "SELECT url_encode(?)", value)
    if value in URL_ENCODE_KNOWN_DIFFERENCES:
        assert trino_value == URL_ENCODE_KNOWN_DIFFERENCES[value] != python
        assert trino_value == python.replace("%20", "+").replace("~", "%7E").replace("%2A", "*")
    else:
        assert trino_value == python
    assert one(cursor, f"SELECT {URL_ENCODE_AS_QUOTE}", value) == python
    assert one(cursor, "SELECT url_decode(url_encode(?))", value) == value


def test_url_encode_null(cursor):
    assert one(cursor, "SELECT url_encode(CAST(NULL AS varchar))") is None


@pytest.mark.parametrize("value", ["abc", "São Paulo", "", "Mobile Safari"])
def test_md5_hex_and_from_base(cursor, value):
    digest = hashlib.md5(value.encode()).hexdigest()
    row = q(
        cursor,
        "SELECT to_hex(md5(to_utf8(?))), "
        "from_base(substr(lower(to_hex(md5(to_utf8(?)))), 1, 15), 16)",
        value,
        value,
    )[0]
    assert row == [digest.upper(), int(digest[:15], 16)]  # to_hex is upper-case


def test_from_base_overflows_past_bigint(cursor):
    import trino

    # 16 hex digits can exceed bigint: md5('abc') starts with 9..., so 8 digits max is safe-ish,
    # 15 always fits, 16 fails whenever the first digit is >= 8.
    with pytest.raises(trino.exceptions.TrinoUserError, match="Not a valid base-16 number"):
        q(cursor, "SELECT from_base(substr(to_hex(md5(to_utf8('abc'))), 1, 16), 16)")


def test_json_extract_scalar(cursor):
    doc = json.dumps({"a": {"b": "x"}, "n": 1.5, "t": True, "arr": [1, 2], "nul": None, "a b": "y"})
    row = q(
        cursor,
        "SELECT json_extract_scalar(?, '$.a.b'), json_extract_scalar(?, '$.n'), "
        "json_extract_scalar(?, '$.t'), json_extract_scalar(?, '$.arr'), "
        "json_extract_scalar(?, '$.nul'), json_extract_scalar(?, '$.arr[1]'), "
        "json_extract_scalar(?, '$[\"a b\"]'), json_extract_scalar('not json', '$.a')",
        *([doc] * 7),
    )[0]
    # scalars come back as varchar; arrays/objects/null give NULL; invalid JSON gives NULL
    assert row == ["x", "1.5", "true", None, None, "2", "y", None]


def test_try_cast(cursor):
    row = q(
        cursor,
        "SELECT try_cast('12' AS integer), try_cast('x' AS integer), try_cast(' 12 ' AS integer), "
        "try_cast('1.5' AS integer), try_cast('1.5' AS double), try_cast('1e3' AS double), "
        "CAST(try_cast('2024-01-02' AS date) AS varchar), try_cast('2024-13-01' AS date)",
    )[0]
    assert row == [12, None, 12, None, 1.5, 1000.0, "2024-01-02", None]


def test_split_unnest_with_ordinality(cursor):
    rows = q(
        cursor,
        "SELECT s.id, u.part, u.pos FROM (VALUES (1, 'a|b||c'), (2, 'd'), (3, '')) AS s(id, str) "
        "CROSS JOIN UNNEST(split(s.str, '|')) WITH ORDINALITY AS u(part, pos) ORDER BY s.id, u.pos",
    )
    # 1-based positions, empty pieces kept, split('') is [''] (like Python's str.split)
    assert rows == [[1, "a", 1], [1, "b", 2], [1, "", 3], [1, "c", 4], [2, "d", 1], [3, "", 1]]


def test_regexp_like(cursor):
    row = q(
        cursor,
        "SELECT regexp_like('Mobile Safari', 'Safari'), regexp_like('abc', '^b'), "
        "regexp_like('ABC', '(?i)abc'), regexp_like('a.c', 'a\\.c'), "
        "regexp_like(CAST(NULL AS varchar), 'a')",
    )[0]
    assert row == [True, False, True, True, None]  # unanchored search, like re.search
