"""Password authentication over HTTPS for the local Trino cluster (used by trino_local.py).

Trino accepts passwords only over HTTPS, and a password authenticator needs a shared secret
for the nodes' own traffic, so ``ensure_secrets`` makes, once per cache, everything that takes:

    secrets/server.p12        a self-signed certificate for 127.0.0.1/localhost and its key
                              (PKCS12, made by the keytool of the Java that runs Trino)
    secrets/ca.pem            that certificate alone: what clients verify the server with
    secrets/password.db       ``user:iterations:salt:hash`` (PBKDF2WithHmacSHA1, as Trino's file
                              authenticator reads it), so no bcrypt tool is needed
    secrets/shared-secret     internal-communication.shared-secret of every node
    secrets/credentials.env   WML_TRINO_USER / _PASSWORD / _CERT / _SCHEME for clients to source
    secrets/server.env        the keystore password and the shared secret (server side only)

The password is ``WML_TRINO_PASSWORD`` when set, else random; nothing here is committed (the
cache is git-ignored) and the folder is private to its owner.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

# Trino refuses fewer than 1000; this costs about 0.1 s per check, and checks are cached.
PBKDF2_ITERATIONS = 100_000
# Browsers and TLS libraries reject longer validity; a fresh one is made when it runs low.
CERT_DAYS = 365
_USER_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.@-]*")


class AuthError(RuntimeError):
    """A failure with a message meant for the user."""


@dataclass(frozen=True)
class Secrets:
    """Where the secrets live and what clients need to connect."""

    folder: Path
    user: str
    password: str = field(repr=False)
    keystore_password: str = field(repr=False)
    shared_secret: str = field(repr=False)

    @property
    def keystore(self) -> Path:
        return self.folder / "server.p12"

    @property
    def ca_cert(self) -> Path:
        return self.folder / "ca.pem"

    @property
    def password_db(self) -> Path:
        return self.folder / "password.db"

    @property
    def credentials_env(self) -> Path:
        return self.folder / "credentials.env"


def password_line(user: str, password: str, salt: bytes, iterations: int) -> str:
    """One password.db entry: Trino recomputes PBKDF2WithHmacSHA1 with the hash's length."""
    digest = hashlib.pbkdf2_hmac("sha1", password.encode(), salt, iterations, dklen=32)
    return f"{user}:{iterations}:{salt.hex()}:{digest.hex()}"


def read_env_file(path: Path) -> dict[str, str]:
    values = {}
    if path.is_file():
        for line in path.read_text().splitlines():
            key, sep, value = line.partition("=")
            if sep and not line.startswith("#"):
                values[key.strip()] = value.strip().strip("'")
    return values


def _write_private(path: Path, text: str) -> None:
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(text)


def _make_keystore(keytool: Path, folder: Path, host: str, store_password: str) -> None:
    keystore, ca_cert = folder / "server.p12", folder / "ca.pem"
    keystore.unlink(missing_ok=True)
    names = "dns:localhost,ip:127.0.0.1" + (f",ip:{host}" if host != "127.0.0.1" else "")
    common = ["-keystore", str(keystore), "-storetype", "PKCS12", "-storepass", store_password]
    # The certificate is its own CA (clients trust exactly it), so it carries CA usage too.
    make = [
        str(keytool), "-genkeypair", "-alias", "trino", "-keyalg", "RSA", "-keysize", "2048",
        "-validity", str(CERT_DAYS), "-dname", "CN=localhost", "-ext", f"SAN={names}",
        "-ext", "bc:c=ca:true", "-ext", "ku:c=digitalSignature,keyEncipherment,keyCertSign",
        "-ext", "eku=serverAuth", *common,
    ]  # fmt: skip
    export = [str(keytool), "-exportcert", "-rfc", "-alias", "trino", "-file", str(ca_cert)]
    for cmd in (make, [*export, *common]):
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise AuthError(f"keytool failed ({' '.join(cmd[:2])}): {done.stderr or done.stdout}")
    keystore.chmod(0o600)


def _cert_is_fresh(keytool: Path, keystore: Path, store_password: str) -> bool:
    """False when the certificate is missing or has under 30 days left."""
    if not keystore.is_file():
        return False
    done = subprocess.run(
        [str(keytool), "-list", "-v", "-keystore", str(keystore), "-storepass", store_password],
        capture_output=True,
        text=True,
        check=False,
    )
    match = re.search(r"until: (.+)", done.stdout)
    if done.returncode != 0 or not match:
        return False
    parts = match.group(1).split()
    try:  # "Wed Dec 02 01:02:03 UTC 2027" -> RFC 2822 "Wed, 02 Dec 2027 01:02:03 +0000"
        until = parsedate_to_datetime(f"{parts[0]}, {parts[2]} {parts[1]} {parts[5]} {parts[3]}")
    except (IndexError, TypeError, ValueError):
        return False
    if until.tzinfo is None:
        until = until.replace(tzinfo=UTC)
    return (until - datetime.now(UTC)).days >= 30


def ensure_secrets(folder: Path, keytool: Path, host: str, user: str | None = None) -> Secrets:
    """Make (or reuse) the certificate, password database, shared secret and client env."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    known = read_env_file(folder / "credentials.env") | read_env_file(folder / "server.env")
    user = user or known.get("WML_TRINO_USER") or "warehouse_ml"
    if not _USER_RE.fullmatch(user):
        raise AuthError(f"WML_TRINO_USER must be a plain user name, got {user!r}")
    wanted = os.environ.get("WML_TRINO_PASSWORD", "").strip()
    password = wanted or known.get("WML_TRINO_PASSWORD") or secrets.token_urlsafe(24)
    if ":" in password or "\n" in password:
        raise AuthError("WML_TRINO_PASSWORD must not contain ':' or a line break")
    store_password = known.get("WML_TRINO_KEYSTORE_PASSWORD") or secrets.token_urlsafe(24)
    shared_secret = known.get("WML_TRINO_SHARED_SECRET") or secrets.token_urlsafe(48)
    result = Secrets(folder, user, password, store_password, shared_secret)
    if not _cert_is_fresh(keytool, result.keystore, store_password):
        _make_keystore(keytool, folder, host, store_password)
    if known.get("WML_TRINO_PASSWORD") != password or known.get("WML_TRINO_USER") != user:
        _write_private(
            result.password_db,
            password_line(user, password, os.urandom(16), PBKDF2_ITERATIONS) + "\n",
        )
    _write_private(
        result.credentials_env,
        "# Made by scripts/trino/trino_local.py: source it to reach the local cluster.\n"
        f"WML_TRINO_USER={user}\nWML_TRINO_PASSWORD={password}\n"
        f"WML_TRINO_CERT={result.ca_cert}\nWML_TRINO_SCHEME=https\n",
    )
    _write_private(
        folder / "server.env",
        f"WML_TRINO_KEYSTORE_PASSWORD={store_password}\nWML_TRINO_SHARED_SECRET={shared_secret}\n",
    )
    return result
