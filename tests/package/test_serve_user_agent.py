"""User-Agent strings give the records' names for OS, browser and device type."""

from __future__ import annotations

import pytest

from warehouse_ml.serve.user_agent import parse_user_agent

MAC_CHROME = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/98.0.4758.109 Safari/537.36"
)
ANDROID_WEBVIEW = (
    "Mozilla/5.0 (Linux; Android 10; K; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/114.0.0.0 Mobile Safari/537.36"
)
SAMSUNG = (
    "Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "SamsungBrowser/21.0 Chrome/110.0.5481.154 Mobile Safari/537.36"
)
IPAD = (
    "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1"
)
ANDROID_TABLET = (
    "Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/115.0.0.0 Safari/537.36"
)
UC = (
    "Mozilla/5.0 (Linux; U; Android 4.4.2; en-US; HM NOTE 1W Build/KOT49H) AppleWebKit/534.30 "
    "(KHTML, like Gecko) Version/4.0 UCBrowser/11.0.5.850 U3/0.8.0 Mobile Safari/534.30"
)
WINDOWS_EDGE = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0"
)


@pytest.mark.parametrize(
    ("ua", "expected"),
    [
        (MAC_CHROME, ("Mac OS", "10.15.7", "Chrome", "98.0.4758.109", "desktop")),
        (ANDROID_WEBVIEW, ("Android", "10", "Chrome WebView", "114.0.0.0", "mobile")),
        (SAMSUNG, ("Android", "13", "Samsung Browser", "21.0", "mobile")),
        (IPAD, ("iOS", "16.6", "Mobile Safari", "16.6", "tablet")),
        (ANDROID_TABLET, ("Android", "13", "Chrome", "115.0.0.0", "tablet")),
        (UC, ("Android", "4.4.2", "UCBrowser", "11.0.5", "mobile")),
        (WINDOWS_EDGE, ("Windows", "10", "Edge", "120.0.0.0", "desktop")),
    ],
)
def test_user_agents_map_to_the_records_vocabulary(ua: str, expected: tuple) -> None:
    got = parse_user_agent(ua)
    assert (got.dos, got.dos_version, got.dbrowser, got.dbrowser_version, got.dtype) == expected


def test_bots_and_empty_or_unknown_strings() -> None:
    assert parse_user_agent("Googlebot/2.1 (+http://www.google.com/bot.html)").dtype == "bot"
    assert parse_user_agent("").as_dict() == {}
    assert parse_user_agent(None).as_dict() == {}
    unknown = parse_user_agent("\x00garbage \u2603 " * 50)
    assert unknown.dos is None and unknown.dtype is None
