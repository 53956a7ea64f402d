"""What a sample looks like: the record columns, the output formats and :class:`GeneratorConfig`.

Also the generator's fixed tuning constants and the ids of its independent random
streams, shared by the other modules of :mod:`warehouse_ml.generator`.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

import numpy as np
import numpy.typing as npt

EVENT_COLUMNS: tuple[str, ...] = (
    "id",
    "campaign",
    "offer",
    "country",
    "city",
    "long",
    "lat",
    "isp",
    "network",
    "dOs",
    "dType",
    "dOsVersion",
    "dBrowser",
    "dBrowserVersion",
)
"""Conversion-event fields, in the seed's key order."""

REQUEST_COLUMNS: tuple[str, ...] = tuple(c for c in EVENT_COLUMNS if c != "offer")
"""Scoring-request fields: ``id`` is the request id, ``campaign`` the campaign to score."""

FEATURE_COLUMNS: tuple[str, ...] = ("country", "dOs", "dType", "dBrowser", "lat", "long")
"""The only fields the true offer probabilities depend on (the seed's model inputs)."""

Format = Literal["json", "csv", "parquet"]
FORMATS: tuple[str, ...] = ("json", "csv", "parquet")

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# Independent random streams, keyed by (seed, stream, ...) so that e.g. the requests do
# not change when n_events changes, and campaign k does not change with n_campaigns.
_STREAM_WORLD = 0
_STREAM_CAMPAIGN = 1
_STREAM_CALIBRATION = 2
_STREAM_EVENTS = 3
_STREAM_REQUESTS = 4
_STREAM_EMPIRICAL = 5

_POINTS_PER_CITY = 16  # distinct geolocated points per city (IP databases return few)
_NETWORKS_PER_ISP = 3
_EMPTY_NETWORK_RATE = 0.004  # the seed has ~0.35% empty "network" values
_CALIBRATION_USERS = 20_000
_TARGET_BAYES_ERROR = (0.20, 0.32)  # per-campaign target range (unshifted users)
_CHUNK_ROWS = 1_000_000  # rows per block when computing probabilities / writing JSON


@dataclasses.dataclass(frozen=True)
class GeneratorConfig:
    """Size, seed and drift of a generated sample.

    ``shift`` (0..1) draws the *requests* (never the events) from a shifted user
    distribution: category weights are flattened towards the rare tail (countries,
    cities, device types, operating systems, browsers) and every location moves by up
    to (+1.5°, -2.5°) in (lat, long). It exists to exercise drift detection.
    """

    n_events: int = 50_000
    n_requests: int = 5_000
    n_campaigns: int = 3
    seed: int = 13
    shift: float = 0.0

    def __post_init__(self) -> None:
        """Reject sizes and strengths the generator cannot honour."""
        if self.n_events < 0 or self.n_requests < 0:
            raise ValueError("n_events and n_requests must be >= 0")
        if self.n_campaigns < 1:
            raise ValueError("n_campaigns must be >= 1")
        if self.seed < 0:
            raise ValueError("seed must be >= 0")
        if not 0.0 <= self.shift <= 1.0:
            raise ValueError("shift must be within [0, 1]")
