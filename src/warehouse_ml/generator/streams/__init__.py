"""Event streams with known truth, for event-stream propensity models (issue 12).

Why: a propensity model predicts, for one entity at one moment ``t``, whether an event
of a given type happens in ``(t, t + horizon]``, from the entity's history before
``t``. To build and judge the point-in-time features, labels and models for that, we
need logs in which the chance of the outcome really depends on each entity's *recent*
history (so only point-in-time features find it) and in which the best possible
scores (Bayes AUC and log loss) are known.

What: a bursty browse process (sessions of ``view`` events, some followed by
``add_to_cart``; entities with a latent long-tailed base rate and busy and quiet days)
and an outcome (``purchase``) drawn at every prediction point ``t`` of a fixed grid
with the true probability

    p = sigmoid(intercept + country_coef[country]
                + sum_i weight_i * log1p(measure_i of type_i events in [t - w_i, t)))

then written into the log somewhere in ``(t, t + horizon]``, so the label is exactly
"an outcome event in (t, t + horizon]" and ``p`` is exactly its Bayes-optimal
prediction (:mod:`~warehouse_ml.generator.streams.truth` says why). Everything is a
pure function of :class:`EventStreamConfig` (the same config gives identical tables
and files) and vectorised: about a million events a second.

Example::

    >>> from warehouse_ml.generator.streams import (
    ...     EventStreamConfig, bayes_auc, generate_stream)
    >>> stream = generate_stream(EventStreamConfig(n_entities=200, days=14))
    >>> stream.events.column_names
    ['event_id', 'entity_id', 'event_time', 'event_type', 'country', 'amount']
    >>> 0.5 < bayes_auc(stream.points) < 1.0
    True

Command line: ``python -m warehouse_ml.generator events --out data/stream --entities 7000``.

Layout (each module depends only on the ones above it):

- :mod:`~warehouse_ml.generator.streams.config`: columns, :class:`EventStreamConfig`,
  :class:`WindowTerm`, countries and the true model's coefficients, constants;
- :mod:`~warehouse_ml.generator.streams.activity`: entities and the browse events;
- :mod:`~warehouse_ml.generator.streams.truth`: outcomes, points, the event log;
- :mod:`~warehouse_ml.generator.streams.metrics`: Bayes AUC and log loss;
- :mod:`~warehouse_ml.generator.streams.files`: writing a stream to disk;
- :mod:`~warehouse_ml.generator.streams.cli`: the command line.
"""

from warehouse_ml.generator.streams.cli import main
from warehouse_ml.generator.streams.config import (
    COUNTRIES,
    EVENT_LOG_COLUMNS,
    EventStreamConfig,
    WindowTerm,
    default_terms,
    point_columns,
)
from warehouse_ml.generator.streams.files import write_stream
from warehouse_ml.generator.streams.metrics import (
    bayes_auc,
    bayes_log_loss,
    empirical_bayes_auc,
    empirical_bayes_log_loss,
)
from warehouse_ml.generator.streams.truth import (
    EventStream,
    describe_truth,
    generate_stream,
    true_probability,
)

__all__ = [
    "COUNTRIES",
    "EVENT_LOG_COLUMNS",
    "EventStream",
    "EventStreamConfig",
    "WindowTerm",
    "bayes_auc",
    "bayes_log_loss",
    "default_terms",
    "describe_truth",
    "empirical_bayes_auc",
    "empirical_bayes_log_loss",
    "generate_stream",
    "main",
    "point_columns",
    "true_probability",
    "write_stream",
]
