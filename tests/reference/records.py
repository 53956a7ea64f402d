"""Landed conversion records shaped like the seed's, for ingestion edge cases."""

from __future__ import annotations


def seed_record(n: int, campaign: str, offer: str, /, **fields: object) -> dict[str, object]:
    """A valid seed-shaped record with id ``...-<n>`` (every value a string, as the seed
    lands them), ``fields`` replacing or adding keys (e.g. a broken value)."""
    base: dict[str, object] = {
        "id": f"00000000-0000-4000-8000-{n:012d}",
        "campaign": campaign,
        "offer": offer,
        "country": "PL",
        "city": "Warsaw",
        "long": "21.0026",
        "lat": "52.2484",
        "isp": "T-Mobile",
        "network": "",
        "dOs": "Android",
        "dType": "mobile",
        "dOsVersion": "7.0",
        "dBrowser": "Chrome WebView",
        "dBrowserVersion": "65.0",
    }
    return {**base, **fields}
