"""Talk to Trino from Python: connection settings, queries into frames, bulk inserts.

The settings are the ones the dbt profile's ``trino`` target reads
(``WML_TRINO_HOST``, ``WML_TRINO_PORT``, ``WML_TRINO_CATALOG``,
``WML_TRINO_SCHEMA``, ``WML_TRINO_USER``, ``WML_TRINO_SCHEME``, and for password
authentication over HTTPS ``WML_TRINO_PASSWORD`` and ``WML_TRINO_CERT``), with
the same defaults, so the runner's own queries and dbt's land in the same schema.

Rows are written with ``INSERT ... VALUES`` statements kept under Trino's
``query.max-length`` (1,000,000 characters by default): that works on any
catalog that accepts inserts (memory, Hive, Iceberg) without a staging bucket.

Example::

    >>> settings = TrinoSettings.from_env({"WML_TRINO_SCHEMA": "ml"})
    >>> settings.qualified("ml_models_log"), settings.landing_schema
    ('memory.ml.ml_models_log', 'ml_landing')
    >>> sql_literal("O'Brien"), sql_literal(None), sql_literal(3)
    ("'O''Brien'", 'NULL', '3')
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import requests

__all__ = [
    "MAX_STATEMENT_CHARS",
    "CertPinnedSession",
    "TrinoClient",
    "TrinoSettings",
    "sql_literal",
    "validate_identifier",
]

#: Budget for one statement's text, below Trino's default query.max-length (1,000,000).
MAX_STATEMENT_CHARS = 900_000

_IDENTIFIER_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: Column types insert_json_rows casts to (written by the code, checked anyway).
_TYPE_RE = re.compile(r"[a-z][a-z0-9_]*(\([0-9, ]+\))?( with time zone)?")


def validate_identifier(name: str, what: str) -> str:
    """Return ``name`` lower-cased if it is a plain SQL identifier, else raise ``ValueError``.

    Catalog, schema and table names are pasted into SQL, so only
    ``[A-Za-z_][A-Za-z0-9_]*`` is accepted (Trino folds them to lower case).
    """
    if not isinstance(name, str) or not _IDENTIFIER_RE.fullmatch(name):
        raise ValueError(
            f"{what} must be a plain identifier ([A-Za-z_][A-Za-z0-9_]*), got {name!r}"
        )
    return name.lower()


@dataclass(frozen=True)
class TrinoSettings:
    """Where the Trino target lives; mirrors the ``trino`` output of ``profiles.yml``."""

    host: str = "127.0.0.1"
    port: int = 8080
    user: str = "warehouse_ml"
    catalog: str = "iceberg"
    schema: str = "warehouse_ml"
    http_scheme: str = "http"
    landing: str = ""
    #: The Hive catalog whose external tables read landed JSON lines in place; "none": copy them.
    lake_catalog: str = "hive"
    #: Password authentication (HTTPS only); kept out of repr so logs never show it.
    password: str = field(default="", repr=False)
    #: The PEM certificate (or CA bundle) to verify the server with; empty: the system's.
    cert: str = ""

    def __post_init__(self) -> None:
        validate_identifier(self.catalog, "WML_TRINO_CATALOG")
        validate_identifier(self.schema, "WML_TRINO_SCHEMA")
        if self.landing:
            validate_identifier(self.landing, "WML_TRINO_LANDING_SCHEMA")
        validate_identifier(self.lake_catalog, "WML_TRINO_LAKE_CATALOG")
        if not 0 < int(self.port) < 65536:
            raise ValueError(f"WML_TRINO_PORT must be a TCP port, got {self.port!r}")
        if self.http_scheme not in ("http", "https"):
            raise ValueError(f"WML_TRINO_SCHEME must be http or https, got {self.http_scheme!r}")
        if self.password and self.http_scheme != "https":
            # Trino (and its client) accept passwords only over HTTPS.
            raise ValueError("WML_TRINO_PASSWORD needs WML_TRINO_SCHEME=https")
        if self.cert and not os.path.isfile(self.cert):
            raise ValueError(f"WML_TRINO_CERT must name a PEM file, got {self.cert!r}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> TrinoSettings:
        """Settings from ``WML_TRINO_*`` variables (blank means the default)."""
        env = os.environ if environ is None else environ

        def get(name: str, default: str) -> str:
            return (env.get(name) or "").strip() or default

        port = get("WML_TRINO_PORT", "8080")
        if not port.isdigit():
            raise ValueError(f"WML_TRINO_PORT must be a TCP port, got {port!r}")
        return cls(
            host=get("WML_TRINO_HOST", cls.host),
            port=int(port),
            user=get("WML_TRINO_USER", cls.user),
            catalog=get("WML_TRINO_CATALOG", cls.catalog),
            schema=get("WML_TRINO_SCHEMA", cls.schema),
            http_scheme=get("WML_TRINO_SCHEME", cls.http_scheme),
            landing=get("WML_TRINO_LANDING_SCHEMA", ""),
            lake_catalog=get("WML_TRINO_LAKE_CATALOG", cls.lake_catalog).lower(),
            password=env.get("WML_TRINO_PASSWORD") or "",
            cert=get("WML_TRINO_CERT", ""),
        )

    @property
    def reads_lake(self) -> bool:
        """Whether landed JSON lines are read in place (see warehouse_ml.trino_lake)."""
        return self.lake_catalog != "none"

    @property
    def landing_schema(self) -> str:
        """The landing source tables' schema (dbt var ``landing_schema``'s default too)."""
        return (self.landing or f"{self.schema}_landing").lower()

    def qualified(self, table: str, schema: str | None = None) -> str:
        """``catalog.schema.table`` for a validated table name."""
        schema = validate_identifier(schema or self.schema, "schema")
        return f"{self.catalog.lower()}.{schema}.{validate_identifier(table, 'table')}"

    def env(self) -> dict[str, str]:
        """The environment that points dbt's ``trino`` target at these settings."""
        env = {
            "WML_TARGET": "trino",
            "WML_TRINO_HOST": self.host,
            "WML_TRINO_PORT": str(self.port),
            "WML_TRINO_USER": self.user,
            "WML_TRINO_CATALOG": self.catalog,
            "WML_TRINO_SCHEMA": self.schema,
            "WML_TRINO_SCHEME": self.http_scheme,
            "WML_TRINO_LANDING_SCHEMA": self.landing_schema,
            "WML_TRINO_LAKE_CATALOG": self.lake_catalog,
            "WML_TRINO_PASSWORD": self.password,
            "WML_TRINO_CERT": self.cert,
        }
        if self.cert:
            # dbt-trino hands the certificate to requests, which lets an inherited
            # REQUESTS_CA_BUNDLE replace it; the dbt process talks only to Trino.
            env["REQUESTS_CA_BUNDLE"] = self.cert
        return env

    def connect_args(self) -> dict[str, Any]:
        """Keyword arguments for ``trino.dbapi.connect`` (host, port, user, TLS, auth)."""
        import trino

        args: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "http_scheme": self.http_scheme,
        }
        if self.password:
            args["auth"] = trino.auth.BasicAuthentication(self.user, self.password)
        if self.cert:
            args["http_session"] = CertPinnedSession(self.cert)
        return args


class CertPinnedSession(requests.Session):
    """A requests session that verifies servers with one certificate, whatever the environment.

    requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE replace a session's own ``verify``
    for every request that does not pass one (the trino client never does), so a
    self-signed or private-CA server would fail verification on machines that set them.
    """

    def __init__(self, cert: str) -> None:
        super().__init__()
        self.verify = cert

    def merge_environment_settings(self, url, proxies, stream, verify, cert):
        merged = super().merge_environment_settings(url, proxies, stream, verify, cert)
        if verify is None:
            merged["verify"] = self.verify
        return merged


def sql_literal(value: Any) -> str:
    """A Python value as a Trino SQL literal (text, integers, floats, booleans, timestamps).

    Text is quoted with doubled single quotes, which is all Trino needs: its
    string literals have no backslash escapes and take any Unicode character.
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return "NULL"
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        if np.isnan(value):
            return "nan()"
        if np.isinf(value):
            return "infinity()" if value > 0 else "-infinity()"
        text = repr(float(value))  # a bare decimal would be a DECIMAL literal in Trino
        return text if "e" in text else text + "e0"
    if isinstance(value, pd.Timestamp | datetime):
        stamp = pd.Timestamp(value)
        stamp = stamp.tz_localize(UTC) if stamp.tzinfo is None else stamp.tz_convert(UTC)
        return f"TIMESTAMP '{stamp.strftime('%Y-%m-%d %H:%M:%S.%f')} UTC'"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"no SQL literal for {type(value).__name__}")


class TrinoClient:
    """A DB-API connection to Trino with the few operations the runner needs."""

    def __init__(self, settings: TrinoSettings, *, source: str = "warehouse_ml") -> None:
        import trino

        self.settings = settings
        self.connection = trino.dbapi.connect(
            **settings.connect_args(),
            catalog=settings.catalog,
            schema=settings.schema,
            source=source,
            # As profiles.yml's session: generated queries (drift histograms, predict over
            # several serving models) plan more stages than Trino's default 150.
            session_properties={"query_max_stage_count": "1000"},
        )

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> TrinoClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> list[list[Any]]:
        """Run one statement to completion and return its rows.

        Fetching is what drives a Trino query to the end, so statements that
        return nothing (DDL, INSERT) are fetched too.
        """
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql, list(params) if params else None)
            return cursor.fetchall()
        finally:
            cursor.close()

    def frame(self, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        """Run a query and return its rows as a DataFrame with the query's column names."""
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql, list(params) if params else None)
            rows = cursor.fetchall()
            columns = [d[0] for d in cursor.description]
        finally:
            cursor.close()
        return pd.DataFrame(rows, columns=columns)

    def table_exists(self, table: str, schema: str | None = None) -> bool:
        schema = validate_identifier(schema or self.settings.schema, "schema")
        rows = self.execute(
            f"select count(*) from {self.settings.catalog}.information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [schema, validate_identifier(table, "table")],
        )
        return rows[0][0] > 0

    def ensure_schema(self, schema: str) -> None:
        schema = validate_identifier(schema, "schema")
        self.execute(f"create schema if not exists {self.settings.catalog}.{schema}")

    def insert_json_rows(
        self,
        table: str,
        columns: Sequence[tuple[str, str]],
        rows: Iterable[Sequence[Any]],
        *,
        max_chars: int = MAX_STATEMENT_CHARS,
    ) -> int:
        """Insert ``rows`` into ``table`` as JSON text unnested in SQL, in as few
        statements as fit; ``columns`` are ``(name, Trino type)`` pairs.

        The same rows as :meth:`insert_rows` for values JSON holds (text,
        integers, finite floats, booleans, NULL), written faster when there
        are many: Trino analyses every row of a ``VALUES`` list as its own
        expressions, and a 900 kB statement of tree nodes took tens of seconds
        to plan, while one JSON literal is a constant parsed when the query
        runs. Returns the number of rows inserted.

        Raises:
            ValueError: a row does not fit in one statement, or holds NaN or infinity.
        """
        names = [validate_identifier(c, "column") for c, _ in columns]
        for _, kind in columns:
            if not _TYPE_RE.fullmatch(kind):
                raise ValueError(f"not a Trino column type: {kind!r}")
        fields = ", ".join(f"{n} {k}" for n, (_, k) in zip(names, columns, strict=True))
        listed = ", ".join(names)
        head = f"insert into {table} ({listed}) select {listed} from unnest(cast(json_parse('["
        tail = f"]') as array(row({fields})))) as json_rows ({listed})"

        def as_json(row: Sequence[Any]) -> str:
            try:
                text = json.dumps(list(row), ensure_ascii=False, allow_nan=False)
            except ValueError as exc:
                raise ValueError(
                    f"a row holds NaN or infinity, which JSON cannot: {row!r:.200}"
                ) from exc
            return text.replace("'", "''")

        return self._execute_batched(head, (as_json(r) for r in rows), ",", tail, max_chars)

    def insert_rows(
        self,
        table: str,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        max_chars: int = MAX_STATEMENT_CHARS,
    ) -> int:
        """Insert ``rows`` into ``table`` (a qualified name) in as few statements as fit.

        Each statement stays under ``max_chars`` characters. Returns the number
        of rows inserted.

        Raises:
            ValueError: a single row does not fit in one statement.
        """
        names = ", ".join(validate_identifier(c, "column") for c in columns)
        head = f"insert into {table} ({names}) values\n"
        texts = ("(" + ", ".join(sql_literal(v) for v in row) + ")" for row in rows)
        return self._execute_batched(head, texts, ",\n", "", max_chars)

    def _execute_batched(
        self, head: str, texts: Iterable[str], separator: str, tail: str, max_chars: int
    ) -> int:
        """Run ``head + texts joined by separator + tail`` in as few statements of at
        most ``max_chars`` characters as fit; return the number of texts."""
        fixed = len(head) + len(tail)
        batch: list[str] = []
        size = fixed
        n = 0
        for text in texts:
            if fixed + len(text) > max_chars:
                raise ValueError(
                    f"a row of {len(text):,} characters does not fit in one Trino statement "
                    f"({max_chars:,}); split the value or raise the server's query.max-length"
                )
            if batch and size + len(text) + len(separator) > max_chars:
                self.execute(head + separator.join(batch) + tail)
                batch, size = [], fixed
            batch.append(text)
            size += len(text) + len(separator)
            n += 1
        if batch:
            self.execute(head + separator.join(batch) + tail)
        return n
