"""Client IP → country, city, lat, long (and isp where the database has it).

The database is any MaxMind DB file of the GeoIP2/GeoLite2-City layout
(``country.iso_code``, ``city.names.en``, ``location.latitude``/``longitude``;
``traits.isp`` or ``traits.autonomous_system_organization`` when present),
read with MaxMind's own ``maxminddb`` reader. Country is the ISO code, as in
the landed records. Without a database the endpoint says so in ``notices``.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Any

__all__ = ["GEOIP_ENV", "GeoIp", "open_geoip"]

GEOIP_ENV = "WML_GEOIP_DB"


def _get(record: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(record, dict):
            return None
        record = record.get(key)
    return record


class GeoIp:
    """A MaxMind-format database opened for lookups."""

    def __init__(self, path: str | Path) -> None:
        import maxminddb

        self.path = Path(path)
        # Whole file in memory: lookups never touch the disk while serving.
        self._reader = maxminddb.open_database(str(self.path), maxminddb.MODE_MEMORY)

    def lookup(self, ip: str) -> tuple[dict[str, Any], str | None]:
        """The fields the database gives for ``ip``, and a notice when it gives none.

        Raises:
            ValueError: ``ip`` is not an IPv4 or IPv6 address.
        """
        address = ipaddress.ip_address(ip.strip())
        try:
            record = self._reader.get(address)
        except ValueError:
            # An IPv6 address looked up in an IPv4-only database.
            record = None
        if not record:
            return {}, f"ip {address} is not in the GeoIP database"
        names = _get(record, "city", "names") or {}
        fields = {
            "country": _get(record, "country", "iso_code"),
            "city": names.get("en") if isinstance(names, dict) else None,
            "lat": _get(record, "location", "latitude"),
            "long": _get(record, "location", "longitude"),
            "isp": _get(record, "traits", "isp")
            or _get(record, "traits", "autonomous_system_organization"),
        }
        return {k: v for k, v in fields.items() if v not in (None, "")}, None

    def close(self) -> None:
        self._reader.close()


def open_geoip(path: str | Path | None) -> GeoIp | None:
    """The database at ``path``, else at ``$WML_GEOIP_DB``; None when neither is set."""
    chosen = path or os.environ.get(GEOIP_ENV)
    if not chosen:
        return None
    if not Path(chosen).is_file():
        raise FileNotFoundError(f"GeoIP database {chosen} does not exist")
    return GeoIp(chosen)
