"""The world the users live in: countries, cities, ISPs and devices, plus the user draw.

The category tables are hand-written package data under ``data/`` (approximate real
coordinates and plausible weights), read with :mod:`importlib.resources`:

- ``countries.csv``: ``country`` (ISO-2), ``weight`` (share of traffic, %);
- ``cities.csv``: ``country``, ``city``, ``lat``, ``long``, ``weight`` (within the country);
- ``isps.csv``: ``country``, ``isp``, most common first (weight ``1 / (rank + 1) ** 0.8``);
- ``device_types.csv``: ``device_type``, ``weight``;
- ``operating_systems.csv``: ``device_type``, ``os``, ``weight`` (within the device type);
- ``browsers.csv``: ``os``, ``browser``, ``weight`` (within the OS);
- ``os_versions.csv``: ``os``, ``os_version``, ``weight``;
- ``browser_versions.csv``: ``browser``, ``browser_version``, ``weight``; browser ``*``
  holds the versions of every browser without rows of its own.

Editing a table changes every generated sample (and its Bayes error) for every seed.
The seeded parts (jittered location points, CIDR networks) are drawn in :func:`_world`.
"""

from __future__ import annotations

import csv
import dataclasses
from functools import lru_cache
from importlib import resources

import numpy as np

from warehouse_ml.generator.config import (
    _EMPTY_NETWORK_RATE,
    _NETWORKS_PER_ISP,
    _POINTS_PER_CITY,
    _STREAM_WORLD,
    FloatArray,
    IntArray,
)
from warehouse_ml.generator.draws import _Nested, _nested_from_table, _rng

Weighted = tuple[tuple[str, float], ...]
CountryRow = tuple[str, float, list[tuple[str, float, float, float]], list[str]]

_DEFAULT_BROWSER = "*"  # browser_versions.csv key for browsers without their own rows


def _read_csv(name: str) -> list[dict[str, str]]:
    """Rows of one data file shipped in ``warehouse_ml.generator/data`` (UTF-8, header)."""
    text = resources.files("warehouse_ml.generator").joinpath("data", name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def _weighted(name: str, key: str) -> Weighted:
    """A flat ``(value, weight)`` table, in file order."""
    return tuple((row[key], float(row["weight"])) for row in _read_csv(name))


def _weighted_by(name: str, parent: str, key: str) -> dict[str, Weighted]:
    """``{parent: ((value, weight), ...)}``, parents and values in file order."""
    out: dict[str, list[tuple[str, float]]] = {}
    for row in _read_csv(name):
        out.setdefault(row[parent], []).append((row[key], float(row["weight"])))
    return {p: tuple(values) for p, values in out.items()}


def _country_table() -> list[CountryRow]:
    """(code, weight, cities, isps) per country, in ``countries.csv`` order."""
    by_code: dict[str, CountryRow] = {
        row["country"]: (row["country"], float(row["weight"]), [], [])
        for row in _read_csv("countries.csv")
    }
    for row in _read_csv("cities.csv"):
        by_code[row["country"]][2].append(
            (row["city"], float(row["lat"]), float(row["long"]), float(row["weight"]))
        )
    for row in _read_csv("isps.csv"):
        by_code[row["country"]][3].append(row["isp"])
    return list(by_code.values())


_DTYPES: Weighted = _weighted("device_types.csv", "device_type")
_OS_BY_DTYPE: dict[str, Weighted] = _weighted_by("operating_systems.csv", "device_type", "os")
_BROWSER_BY_OS: dict[str, Weighted] = _weighted_by("browsers.csv", "os", "browser")
_OS_VERSIONS: dict[str, Weighted] = _weighted_by("os_versions.csv", "os", "os_version")
_BROWSER_VERSIONS: dict[str, Weighted] = _weighted_by(
    "browser_versions.csv", "browser", "browser_version"
)
_DEFAULT_BROWSER_VERSIONS: Weighted = _BROWSER_VERSIONS.pop(_DEFAULT_BROWSER)


@dataclasses.dataclass(frozen=True)
class _World:
    """Every category the generator can emit, with sampling tables and string pools."""

    countries: tuple[str, ...]
    country_pick: _Nested
    cities: tuple[str, ...]
    city_pick: _Nested  # parent: country
    city_lat: FloatArray
    city_long: FloatArray
    point_lat: FloatArray  # (n_cities * _POINTS_PER_CITY,), unshifted, 4 decimals
    point_long: FloatArray
    isps: tuple[str, ...]
    isp_pick: _Nested  # parent: country
    networks: tuple[str, ...]  # _NETWORKS_PER_ISP per ISP, then "" last
    dtypes: tuple[str, ...]
    dtype_pick: _Nested
    oses: tuple[str, ...]
    os_pick: _Nested  # parent: dtype
    os_versions: tuple[str, ...]
    os_version_pick: _Nested  # parent: os
    browsers: tuple[str, ...]
    browser_pick: _Nested  # parent: os
    browser_versions: tuple[str, ...]
    browser_version_pick: _Nested  # parent: browser


def _format_coordinates(values: FloatArray) -> tuple[str, ...]:
    """Format coordinates like the seed: shortest repr of a 4-decimal number."""
    return tuple(repr(float(v)) if v != 0 else "0.0" for v in np.round(values, 4))


@lru_cache(maxsize=8)
def _world(seed: int) -> _World:
    """Build the category tables and the seeded location points / networks."""
    rng = _rng(seed, _STREAM_WORLD)
    table = _country_table()
    countries = tuple(code for code, *_ in table)
    country_pick = _Nested.build([0] * len(table), range(len(table)), [w for _, w, *_ in table], 1)

    cities: list[str] = []
    city_par: list[int] = []
    city_w: list[float] = []
    city_lat: list[float] = []
    city_long: list[float] = []
    isps: list[str] = []
    isp_par: list[int] = []
    isp_w: list[float] = []
    for c, (_, _, city_rows, isp_names) in enumerate(table):
        for name, lat, lon, w in city_rows:
            cities.append(name)
            city_par.append(c)
            city_w.append(w)
            city_lat.append(lat)
            city_long.append(lon)
        for rank, name in enumerate(isp_names):
            isps.append(name)
            isp_par.append(c)
            isp_w.append(1.0 / (rank + 1.0) ** 0.8)
    city_pick = _Nested.build(city_par, range(len(cities)), city_w, len(countries))
    isp_pick = _Nested.build(isp_par, range(len(isps)), isp_w, len(countries))

    # Geolocated points: the city centroid plus jittered neighbours (suburbs / IP blocks).
    clat = np.asarray(city_lat)
    clong = np.asarray(city_long)
    jitter = rng.normal(size=(2, len(cities), _POINTS_PER_CITY)) * np.array([[[0.07]], [[0.09]]])
    jitter[:, :, 0] = 0.0
    point_lat = np.round(np.clip(clat[:, None] + jitter[0], -89.9999, 89.9999), 4).ravel()
    point_long = np.round(_wrap_long(clong[:, None] + jitter[1]), 4).ravel()

    # A few CIDR ranges per ISP (dropped by the model, but filled plausibly).
    n_net = len(isps) * _NETWORKS_PER_ISP
    prefix = rng.integers(12, 23, size=n_net)
    first = rng.choice(np.setdiff1d(np.arange(1, 224), [10, 127]), size=n_net)
    rest = rng.integers(0, 2**24, size=n_net)
    base = ((first << 24) | rest) & ~((1 << (32 - prefix)) - 1) & 0xFFFFFFFF
    cidrs = [
        f"{b >> 24}.{(b >> 16) & 255}.{(b >> 8) & 255}.{b & 255}/{p}"
        for b, p in zip(base.tolist(), prefix.tolist(), strict=True)
    ]
    networks = (*cidrs, "")

    dtypes = tuple(name for name, _ in _DTYPES)
    dtype_pick = _Nested.build([0] * len(dtypes), range(len(dtypes)), [w for _, w in _DTYPES], 1)
    oses: list[str] = []
    os_pick = _nested_from_table(dtypes, _OS_BY_DTYPE, oses)
    browsers: list[str] = []
    browser_pick = _nested_from_table(oses, _BROWSER_BY_OS, browsers)
    os_versions: list[str] = []
    os_version_pick = _nested_from_table(oses, _OS_VERSIONS, os_versions)
    browser_versions: list[str] = []
    bv_table = {b: _BROWSER_VERSIONS.get(b, _DEFAULT_BROWSER_VERSIONS) for b in browsers}
    browser_version_pick = _nested_from_table(browsers, bv_table, browser_versions)

    return _World(
        countries=countries,
        country_pick=country_pick,
        cities=tuple(cities),
        city_pick=city_pick,
        city_lat=clat,
        city_long=clong,
        point_lat=point_lat,
        point_long=point_long,
        isps=tuple(isps),
        isp_pick=isp_pick,
        networks=networks,
        dtypes=dtypes,
        dtype_pick=dtype_pick,
        oses=tuple(oses),
        os_pick=os_pick,
        os_versions=tuple(os_versions),
        os_version_pick=os_version_pick,
        browsers=tuple(browsers),
        browser_pick=browser_pick,
        browser_versions=tuple(browser_versions),
        browser_version_pick=browser_version_pick,
    )


def _wrap_long(values: FloatArray) -> FloatArray:
    """Wrap longitudes into [-180, 180)."""
    return (values + 180.0) % 360.0 - 180.0


@dataclasses.dataclass(frozen=True)
class _UserModel:
    """The (possibly shifted) user distribution: samplers plus coordinate string pools."""

    world: _World
    country_pick: _Nested
    city_pick: _Nested
    dtype_pick: _Nested
    os_pick: _Nested
    browser_pick: _Nested
    point_lat: FloatArray
    point_long: FloatArray
    lat_strings: tuple[str, ...]
    long_strings: tuple[str, ...]


@lru_cache(maxsize=16)
def _user_model(seed: int, shift: float) -> _UserModel:
    """Temper the category weights and move the locations by ``shift`` (0 = unchanged)."""
    world = _world(seed)
    power = 1.0 - 0.8 * shift
    if shift > 0:
        point_lat = np.round(np.clip(world.point_lat + 1.5 * shift, -89.9999, 89.9999), 4)
        point_long = np.round(_wrap_long(world.point_long - 2.5 * shift), 4)
    else:
        point_lat, point_long = world.point_lat, world.point_long
    return _UserModel(
        world=world,
        country_pick=world.country_pick.tempered(power),
        city_pick=world.city_pick.tempered(power),
        dtype_pick=world.dtype_pick.tempered(power),
        os_pick=world.os_pick.tempered(power),
        browser_pick=world.browser_pick.tempered(power),
        point_lat=point_lat,
        point_long=point_long,
        lat_strings=_format_coordinates(point_lat),
        long_strings=_format_coordinates(point_long),
    )


@dataclasses.dataclass(frozen=True)
class _Users:
    """Integer codes of drawn users (indices into the world's pools) and their location."""

    country: IntArray
    city: IntArray
    point: IntArray
    isp: IntArray
    network: IntArray
    dtype: IntArray
    os: IntArray
    os_version: IntArray
    browser: IntArray
    browser_version: IntArray
    lat: FloatArray
    long: FloatArray


def _draw_users(model: _UserModel, n: int, rng: np.random.Generator) -> _Users:
    """Draw ``n`` users at once: country → city → point/ISP, device type → OS → browser."""
    w = model.world
    u = rng.random((11, n))
    zeros = np.zeros(n, dtype=np.int64)
    country = model.country_pick.sample(zeros, u[0])
    city = model.city_pick.sample(country, u[1])
    point = city * _POINTS_PER_CITY + (u[2] * _POINTS_PER_CITY).astype(np.int64)
    isp = w.isp_pick.sample(country, u[3])
    network = isp * _NETWORKS_PER_ISP + (u[4] * _NETWORKS_PER_ISP).astype(np.int64)
    network = np.where(u[5] < _EMPTY_NETWORK_RATE, len(w.networks) - 1, network)
    dtype = model.dtype_pick.sample(zeros, u[6])
    os_ = model.os_pick.sample(dtype, u[7])
    browser = model.browser_pick.sample(os_, u[8])
    return _Users(
        country=country,
        city=city,
        point=point,
        isp=isp,
        network=network,
        dtype=dtype,
        os=os_,
        os_version=w.os_version_pick.sample(os_, u[9]),
        browser=browser,
        browser_version=w.browser_version_pick.sample(browser, u[10]),
        lat=model.point_lat[point],
        long=model.point_long[point],
    )
