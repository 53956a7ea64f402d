"""Deterministic, vectorised sample-data generator for offer-conversion events.

Why: the project reproduces an offer-prediction system whose real data set is a few
thousand rows of one campaign. To build, test and benchmark the warehouse pipeline we
need data of any size, with the seed's exact record format, *and* with a known ground
truth: every generated offer is drawn from a per-campaign softmax over the user's
country, operating system, browser, device type and location, so the error of the best
possible classifier (the Bayes error) is known and a trained model can be judged
against it.

What: conversion events (``EVENT_COLUMNS``) and scoring requests (``REQUEST_COLUMNS``)
with string values formatted like the seed (``"long": "21.0026"``, ``"network": ""``),
UUID ids, ISO-2 countries with realistic coordinates and city names (some non-ASCII),
a long tail of rare countries, operating systems and browsers (some with spaces,
slashes, non-ASCII letters, and ``"Slim"``/``"slim"`` differing only by case).
Everything is a pure function of :class:`GeneratorConfig`: the same config gives
byte-identical files. All per-row work is numpy/pyarrow vectorised (no Python loop per
row), so millions of events take seconds.

Example::

    >>> from warehouse_ml.generator import (
    ...     EVENT_COLUMNS, GeneratorConfig, bayes_error, generate_events, generate_requests)
    >>> cfg = GeneratorConfig(n_events=1_000, n_requests=200)
    >>> events = generate_events(cfg)
    >>> list(events.columns) == list(EVENT_COLUMNS)
    True
    >>> 0.0 < bayes_error(generate_requests(cfg), cfg) < 1.0
    True

Command line: ``python -m warehouse_ml.generator --out data/sample --events 50000``.

Event streams with known truth (entities' timed events and an outcome whose chance
depends on their recent history, for propensity models) are a separate part,
:mod:`warehouse_ml.generator.streams`, re-exported here: :class:`EventStreamConfig`,
:func:`generate_stream`, :func:`write_stream`, :func:`bayes_auc`, :func:`bayes_log_loss`
(command line: ``python -m warehouse_ml.generator events --out data/stream``).

Layout (each module depends only on the ones above it):

- :mod:`~warehouse_ml.generator.config`: columns, formats, :class:`GeneratorConfig`, constants;
- :mod:`~warehouse_ml.generator.draws`: seeded streams, nested categorical sampling, UUIDs;
- :mod:`~warehouse_ml.generator.world`: category tables (``data/*.csv``) and the user draw;
- :mod:`~warehouse_ml.generator.campaigns`: campaigns and the true offer model;
- :mod:`~warehouse_ml.generator.sampling`: events and requests as tables;
- :mod:`~warehouse_ml.generator.oracle`: true probabilities, Bayes error, oracle;
- :mod:`~warehouse_ml.generator.files`: writing a sample to disk;
- :mod:`~warehouse_ml.generator.cli`: the command line;
- :mod:`~warehouse_ml.generator.streams`: event streams (uses ``config``, ``draws``, ``files``).
"""

from warehouse_ml.generator.campaigns import campaign_offers
from warehouse_ml.generator.cli import main
from warehouse_ml.generator.config import (
    EVENT_COLUMNS,
    FEATURE_COLUMNS,
    FORMATS,
    REQUEST_COLUMNS,
    GeneratorConfig,
)
from warehouse_ml.generator.files import write_sample
from warehouse_ml.generator.oracle import (
    bayes_error,
    bayes_error_by_campaign,
    empirical_bayes_error,
    oracle_error,
    oracle_predict,
    true_offer_probabilities,
)
from warehouse_ml.generator.sampling import generate_events, generate_requests
from warehouse_ml.generator.streams import (
    EventStreamConfig,
    bayes_auc,
    bayes_log_loss,
    empirical_bayes_auc,
    empirical_bayes_log_loss,
    generate_stream,
    write_stream,
)

__all__ = [
    "EVENT_COLUMNS",
    "FEATURE_COLUMNS",
    "FORMATS",
    "REQUEST_COLUMNS",
    "EventStreamConfig",
    "GeneratorConfig",
    "bayes_auc",
    "bayes_error",
    "bayes_error_by_campaign",
    "bayes_log_loss",
    "campaign_offers",
    "empirical_bayes_auc",
    "empirical_bayes_error",
    "empirical_bayes_log_loss",
    "generate_events",
    "generate_requests",
    "generate_stream",
    "main",
    "oracle_error",
    "oracle_predict",
    "true_offer_probabilities",
    "write_sample",
    "write_stream",
]
