"""A posted scoring request, staged the way ``stg_landing__requests`` stages a landed one.

The batch path reads each field of a landed JSON record as text, trims it
(DuckDB's ``trim``: the Unicode space separators, not tabs or line breaks),
treats empty text as absent, renames the seed's fields (``dOs`` → ``dos``,
``dOsVersion`` → ``dos_version``...) and types ``lat``/``long`` as finite
doubles in range (macros/ingestion/). A record the batch path would reject is
answered here with :class:`RequestError` and the same reason.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

__all__ = [
    "RECORD_FIELDS",
    "RequestError",
    "plain_number",
    "stage_record",
    "trim_spaces",
]

#: Staged column → the landed record's field (macros/ingestion/landed_user_fields.sql).
RECORD_FIELDS: dict[str, str] = {
    "country": "country",
    "city": "city",
    "isp": "isp",
    "network": "network",
    "dos": "dOs",
    "dtype": "dType",
    "dos_version": "dOsVersion",
    "dbrowser": "dBrowser",
    "dbrowser_version": "dBrowserVersion",
    "lat": "lat",
    "long": "long",
}

# What DuckDB's trim() removes: the Zs category (see macros/sql/trim_spaces.sql).
_SPACES = "\u0020\u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u202f\u205f\u3000"
_PLAIN_NUMBER = re.compile(r"^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$")
_RANGES = {"lat": 90.0, "long": 180.0}


class RequestError(ValueError):
    """A request the endpoint cannot score; ``status`` is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def trim_spaces(text: str) -> str:
    """``text`` trimmed as the warehouse trims a landed field."""
    return text.strip(_SPACES)


def _as_text(name: str, value: Any) -> str | None:
    """A field's value as the warehouse reads it from JSON text (None: absent)."""
    if value is None:
        return None
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise RequestError(f"{name} is not a number")
        text = repr(value)
    elif isinstance(value, str):
        text = value
    else:
        raise RequestError(f"field {name} must be text or a number, not {type(value).__name__}")
    return trim_spaces(text) or None


def _to_double(name: str, text: str | None) -> float | None:
    """lat/long: absent stays None; anything but a finite number in range is an error."""
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise RequestError(f"{name} is not a number")
    bound = _RANGES[name]
    if not -bound <= value <= bound:
        raise RequestError(f"{name} out of range [-{bound:g}, {bound:g}]")
    return value


def stage_record(fields: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Staged user fields of a posted record, and the names of fields it ignored.

    ``fields`` may use the seed's names (``dOs``) or the staged ones (``dos``);
    giving both with different values is an error. ``id`` and ``campaign`` are
    not user fields (the campaign is in the path) and are left to the caller.

    Example:
        >>> stage_record({"dOs": " Android ", "lat": "59.3", "long": 18})
        ({'dos': 'Android', 'lat': 59.3, 'long': 18.0}, [])
    """
    staged: dict[str, Any] = {}
    known = set(RECORD_FIELDS) | set(RECORD_FIELDS.values()) | {"id", "campaign", "input"}
    ignored = sorted(name for name in fields if name not in known)
    for column, field in RECORD_FIELDS.items():
        values = {
            name: _as_text(name, fields[name])
            for name in dict.fromkeys((field, column))
            if name in fields
        }
        present = {v for v in values.values() if v is not None}
        if len(present) > 1:
            raise RequestError(f"fields {field} and {column} disagree: give one of them")
        text = present.pop() if present else None
        value = _to_double(column, text) if column in _RANGES else text
        if value is not None:
            staged[column] = value
    return staged, ignored


def plain_number(text: str) -> bool:
    """Whether ``text`` is a plain decimal number, the only form an explicit vector accepts."""
    return bool(_PLAIN_NUMBER.match(text))
