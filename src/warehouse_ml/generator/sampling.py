"""Drawing a sample: events and scoring requests as Arrow tables of seed-formatted strings."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

from warehouse_ml.generator.campaigns import _campaign_codes, _campaigns
from warehouse_ml.generator.config import (
    _CHUNK_ROWS,
    _STREAM_EVENTS,
    _STREAM_REQUESTS,
    EVENT_COLUMNS,
    REQUEST_COLUMNS,
    GeneratorConfig,
    IntArray,
)
from warehouse_ml.generator.draws import _rng, _uuid4_array
from warehouse_ml.generator.world import _draw_users, _user_model, _UserModel, _Users

_LARGE_STRING_ROWS = 20_000_000  # above this, use 64-bit string offsets


def _string_type(n: int) -> pa.DataType:
    """32-bit offsets while they cannot overflow, 64-bit beyond."""
    return pa.large_string() if n > _LARGE_STRING_ROWS else pa.string()


def _take(pool: Sequence[str], codes: IntArray, type_: pa.DataType) -> pa.Array:
    """Materialise a string column from a small pool and per-row codes (C++ take)."""
    return pa.array(pool, type=type_).take(pa.array(codes, type=pa.int64()))


def _user_arrays(model: _UserModel, users: _Users, type_: pa.DataType) -> dict[str, pa.Array]:
    """String columns for the user fields, formatted like the seed."""
    w = model.world
    return {
        "country": _take(w.countries, users.country, type_),
        "city": _take(w.cities, users.city, type_),
        "long": _take(model.long_strings, users.point, type_),
        "lat": _take(model.lat_strings, users.point, type_),
        "isp": _take(w.isps, users.isp, type_),
        "network": _take(w.networks, users.network, type_),
        "dOs": _take(w.oses, users.os, type_),
        "dType": _take(w.dtypes, users.dtype, type_),
        "dOsVersion": _take(w.os_versions, users.os_version, type_),
        "dBrowser": _take(w.browsers, users.browser, type_),
        "dBrowserVersion": _take(w.browser_versions, users.browser_version, type_),
    }


def _events_table(cfg: GeneratorConfig) -> pa.Table:
    """Events as an Arrow table of strings (EVENT_COLUMNS order)."""
    n = cfg.n_events
    rng = _rng(cfg.seed, _STREAM_EVENTS)
    type_ = _string_type(n)
    campaigns = _campaigns(cfg)
    model = _user_model(cfg.seed, 0.0)
    ids = _uuid4_array(rng, n, type_)
    camp = _campaign_codes(cfg, n, rng)
    users = _draw_users(model, n, rng)
    u_offer = rng.random(n)

    offer_offsets = np.cumsum([0] + [len(c.offers) for c in campaigns])
    offer = np.empty(n, dtype=np.int64)
    for ci, c in enumerate(campaigns):
        rows = np.flatnonzero(camp == ci)
        for lo in range(0, rows.size, _CHUNK_ROWS):
            r = rows[lo : lo + _CHUNK_ROWS]
            p = c.probabilities(
                users.country[r],
                users.os[r],
                users.browser[r],
                users.dtype[r],
                users.lat[r],
                users.long[r],
            )
            local = (p.cumsum(axis=1) < u_offer[r, None]).sum(axis=1)
            offer[r] = offer_offsets[ci] + np.minimum(local, len(c.offers) - 1)

    columns = {
        "id": ids,
        "campaign": _take([c.campaign_id for c in campaigns], camp, type_),
        "offer": _take([o for c in campaigns for o in c.offers], offer, type_),
        **_user_arrays(model, users, type_),
    }
    return pa.table({name: columns[name] for name in EVENT_COLUMNS})


def _requests_table(cfg: GeneratorConfig) -> pa.Table:
    """Requests as an Arrow table of strings (REQUEST_COLUMNS order)."""
    n = cfg.n_requests
    rng = _rng(cfg.seed, _STREAM_REQUESTS)
    type_ = _string_type(n)
    campaigns = _campaigns(cfg)
    model = _user_model(cfg.seed, float(cfg.shift))
    ids = _uuid4_array(rng, n, type_)
    if cfg.shift:
        # Shifted requests are a new batch: fresh ids, so they are not taken for
        # duplicates of the unshifted batch of the same seed.
        salt = 1 + round(float(cfg.shift) * 1_000_000)
        ids = _uuid4_array(_rng(cfg.seed, _STREAM_REQUESTS, salt), n, type_)
    camp = _campaign_codes(cfg, n, rng)
    users = _draw_users(model, n, rng)
    columns = {
        "id": ids,
        "campaign": _take([c.campaign_id for c in campaigns], camp, type_),
        **_user_arrays(model, users, type_),
    }
    return pa.table({name: columns[name] for name in REQUEST_COLUMNS})


def generate_events(cfg: GeneratorConfig) -> pd.DataFrame:
    """Conversion events: one row per conversion, columns ``EVENT_COLUMNS``, all strings.

    Each row's offer is drawn from :func:`true_offer_probabilities` for its campaign, so
    a model trained on these rows can at best reach the Bayes error.
    """
    return _events_table(cfg).to_pandas()


def generate_requests(cfg: GeneratorConfig) -> pd.DataFrame:
    """Scoring requests: columns ``REQUEST_COLUMNS`` (``id`` = request id), all strings.

    Users come from the same distribution as the events unless ``cfg.shift > 0``.
    """
    return _requests_table(cfg).to_pandas()
