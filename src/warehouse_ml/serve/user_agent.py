"""User-Agent text → the request fields dos, dos_version, dbrowser, dbrowser_version, dtype.

Parsing is ua-parser's (the maintained uap-python, with uap-core's rules). Its
family names are not those of the landed records, which carry the names of the
JavaScript ua-parser the seed's clients used ("Mac OS", "Chrome WebView",
"Samsung Browser"); a model one-hot encodes those names, so uap's are mapped
onto them (the tables below). Unmapped families pass through unchanged.

Device type (uap-core has none) is decided in this order:

* ``bot``: uap's device family ``Spider``;
* ``tablet``: an iPad, Kindle or a device uap calls a tablet, or Android without
  the ``Mobile`` token (Google's advice to Android browsers: tablets omit it);
* ``desktop``: a desktop operating system (Windows, macOS, Linux, Chrome OS,
  BSD) on a device that is not a phone;
* ``mobile``: any other known device or mobile operating system;
* absent when the text says nothing about device or operating system.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["BROWSER_NAMES", "OS_NAMES", "parse_user_agent", "warm_up"]

#: uap-core OS family → the records' name.
OS_NAMES: dict[str, str] = {
    "Mac OS X": "Mac OS",
    "Chrome OS": "Chromium OS",
    "BlackBerry OS": "BlackBerry",
    "Symbian OS": "Symbian",
    "Symbian^3": "Symbian",
    "Windows Phone": "Windows Phone",
}

#: uap-core browser family → the records' name.
BROWSER_NAMES: dict[str, str] = {
    "Chrome Mobile": "Chrome",
    "Chrome Mobile iOS": "Chrome",
    "Chrome Mobile WebView": "Chrome WebView",
    "Android": "Android Browser",
    "Samsung Internet": "Samsung Browser",
    "UC Browser": "UCBrowser",
    "Firefox Mobile": "Firefox",
    "Firefox iOS": "Firefox",
    "Opera Mobile": "Opera",
    "MiuiBrowser": "MIUI Browser",
    "Yandex Browser": "Yandex",
    "QQ Browser": "QQBrowser",
    "QQ Browser Mobile": "QQBrowser",
    "Mobile Safari UI/WKWebView": "WebKit",
    "Google": "GSA",
    "Edge Mobile": "Edge",
}

_DESKTOP_OS = {
    *("Windows", "Mac OS X", "Linux", "Ubuntu", "Chrome OS"),
    *("FreeBSD", "OpenBSD", "Fedora", "Debian"),
}
_TABLET_WORDS = ("ipad", "kindle", "tablet")


@dataclass(frozen=True)
class UserAgentFields:
    """What a User-Agent says, in the records' names (None: not said)."""

    dos: str | None
    dos_version: str | None
    dbrowser: str | None
    dbrowser_version: str | None
    dtype: str | None

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def _version(*parts: Any) -> str | None:
    kept = []
    for part in parts:
        if part is None or part == "":
            break
        kept.append(str(part))
    return ".".join(kept) or None


def _device_type(ua: str, os_family: str | None, device: Any) -> str | None:
    family = (device.family if device else None) or "Other"
    brand = (device.brand if device else None) or ""
    if family == "Spider":
        return "bot"
    words = f"{family} {brand} {(device.model if device else None) or ''}".lower()
    if any(w in words for w in _TABLET_WORDS) or (os_family == "Android" and "Mobile" not in ua):
        return "tablet"
    if os_family in _DESKTOP_OS and family in ("Other", "Mac"):
        return "desktop"
    if family != "Other" or os_family is not None:
        return "mobile"
    return None


def parse_user_agent(ua: str | None) -> UserAgentFields:
    """The request fields a User-Agent string gives.

    Example:
        >>> fields = parse_user_agent("Mozilla/5.0 (iPhone; CPU iPhone OS 15_0 like Mac OS X) "
        ...     "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/15.0 Mobile/15E148 Safari/604.1")
        >>> fields.dos, fields.dos_version, fields.dbrowser, fields.dtype
        ('iOS', '15.0', 'Mobile Safari', 'mobile')
    """
    from ua_parser import parse

    text = (ua or "").strip()
    if not text:
        return UserAgentFields(None, None, None, None, None)
    result = parse(text)
    os_ = result.os
    agent = result.user_agent
    os_family = os_.family if os_ and os_.family != "Other" else None
    browser = agent.family if agent and agent.family != "Other" else None
    return UserAgentFields(
        dos=OS_NAMES.get(os_family, os_family) if os_family else None,
        dos_version=_version(os_.major, os_.minor, os_.patch, os_.patch_minor)
        if os_family and os_
        else None,
        dbrowser=BROWSER_NAMES.get(browser, browser) if browser else None,
        dbrowser_version=_version(agent.major, agent.minor, agent.patch, agent.patch_minor)
        if browser and agent
        else None,
        dtype=_device_type(text, os_family, result.device),
    )


def warm_up() -> None:
    """Build the parser's rules now (about a second) rather than on the first request."""
    parse_user_agent("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0.0.0 Safari/537.36")
