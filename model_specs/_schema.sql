# {% macro model_spec_schema() %}{% set schema %}
# The fields of a warehouse_ml model spec, read by both readers of specs: the
# dbt macro model_specs() (macros/specs/) and warehouse_ml.spec (Python). This
# file is YAML; its first and last lines are YAML comments that dbt reads as a
# macro wrapper, so dbt can load it while it parses the project (dbt's Jinja
# cannot open files). Each field: type, required or default, and its meaning
# (the README's "Model specs" table is checked against this file).
# Types: name (lower-case identifier), column (a column name), string, boolean,
# integer, number, fraction (0 <= x <= 1), duration ('<n> <unit>', unit second,
# minute, hour, day or week, singular or plural), enum (values), list (items),
# object (fields), map (any keys, values).
name: {type: name, required: true, doc: "the model's name: lower case, digits, underscores; equal to the file name; ml_models.model_name"}
description: {type: string, default: "", doc: "what the model predicts, in words"}
enabled: {type: boolean, default: true, doc: "false leaves the spec out of builds unless var model_specs names it"}
source: {type: name, required: true, doc: "the staging model (dbt model name) holding one row per training example; rows with a non-NULL reject_reason are skipped"}
entity_key: {type: column, required: true, doc: "the source column identifying what one example (and one prediction) is for"}
group_key: {type: column, default: null, doc: "optional source column: one model per value (offers: the campaign); without it one model for all rows"}
groups: {type: list, items: {type: string}, default: [], doc: "group values to train (empty: all); var campaigns overrides it for specs grouped by campaign_id"}
label:
  type: object
  required: true
  doc: "what is predicted"
  fields:
    column: {type: column, required: true, doc: "the source column holding the outcome"}
    kind: {type: enum, values: [multiclass, binary], required: true, doc: "multiclass: one class per distinct value (per group); binary: positive vs everything else"}
    positive: {type: string, default: null, doc: "binary only: the value that counts as the positive class"}
features:
  type: object
  required: true
  doc: "the model's inputs, in this order: numeric, upstream, then one-hot columns"
  fields:
    numeric: {type: list, items: {type: column}, default: [], doc: "source columns used as numbers (NULL is missing)"}
    categorical: {type: list, items: {type: column}, default: [], doc: "source columns one-hot encoded with a vocabulary fitted on the training split per group"}
    monitored: {type: list, items: {type: column}, default: [], doc: "source columns that are not inputs but whose missing-value rate eda_null_rates watches (e.g. columns dropped as too sparse)"}
    encoding: {type: enum, values: [onehot], default: onehot, doc: "how categorical columns are encoded; columns are named <column>_<percent-encoded value>"}
    rare_values:
      type: object
      default: {}
      doc: "scikit-learn's min_frequency rule, fitted per group on the training split"
      fields:
        min_frequency: {type: fraction, default: 0.01, doc: "a value under this share of a group's training rows is rare (var rare_min_frequency overrides)"}
        min_count: {type: integer, default: 10, doc: "a value in fewer training rows is rare (var rare_min_count overrides)"}
        handling: {type: enum, values: [drop, bucket], default: drop, doc: "drop: training rows holding a rare value are dropped and rare or unseen values light no column; bucket: they share an __other__ column (var rare_value_handling overrides)"}
    upstream:
      type: list
      default: []
      doc: "numeric columns of other dbt models (precomputed aggregates), joined on the entity key"
      items:
        type: object
        fields:
          relation: {type: name, required: true, doc: "the dbt model to join"}
          key: {type: column, required: true, doc: "its column equal to the entity key"}
          numeric: {type: list, items: {type: column}, required: true, doc: "its numeric columns to use"}
split:
  type: object
  default: {}
  doc: "how examples are assigned to train, validation and test"
  fields:
    method: {type: enum, values: [hash, time], default: hash, doc: "hash: a fraction from md5('<seed>:' || key); time: cut-offs on a time column"}
    key: {type: column, default: null, doc: "hash: the column hashed (default the entity key)"}
    seed: {type: integer, default: 13, doc: "hash: the seed in the hash (var split_seed overrides)"}
    train_fraction: {type: fraction, default: 0.70, doc: "hash: share of examples in train (var train_fraction overrides)"}
    validation_fraction: {type: fraction, default: 0.15, doc: "hash: share in validation; the rest is test (var validation_fraction overrides)"}
    time_column: {type: column, default: null, doc: "time: the source column compared with the cut-offs"}
    validation_from: {type: string, default: null, doc: "time: examples at or after this timestamp (and before test_from) are validation"}
    test_from: {type: string, default: null, doc: "time: examples at or after this timestamp are test"}
training:
  type: object
  default: {}
  doc: "XGBoost and the hyperparameter search (each dbt var of the same name overrides it for every spec)"
  fields:
    objective: {type: enum, values: ["multi:softprob", "binary:logistic"], default: null, doc: "XGBoost objective; default from label.kind (multi:softprob or binary:logistic)"}
    eval_metric: {type: enum, values: [mlogloss, logloss, auc, aucpr], default: null, doc: "the validation metric the search minimises (and early stopping watches); default mlogloss or logloss"}
    hpo_trials: {type: integer, default: 10, doc: "optuna TPE trials per group"}
    hpo_seed: {type: integer, default: 13, doc: "seed of the search and of XGBoost"}
    num_boost_round: {type: integer, default: 300, doc: "upper bound on boosting rounds"}
    early_stopping_rounds: {type: integer, default: 20, doc: "stop after this many rounds without improvement"}
    min_training_rows: {type: integer, default: 50, doc: "a group with fewer training rows is recorded as not trained"}
    refit_on_validation: {type: boolean, default: true, doc: "fit the chosen model on training + validation rows (rounds scaled); the test split stays unseen"}
    imbalance: {type: enum, values: [none, scale_pos_weight, max_delta_step], default: none, doc: "binary only: scale_pos_weight weighs positives by negatives/positives of the training split; max_delta_step caps each tree's step (1), as XGBoost advises for imbalanced probabilities"}
    training_threads: {type: integer, default: 0, doc: "XGBoost threads; 0 = every core; a fixed count gives bit-identical models"}
    search_space:
      type: map
      default: {}
      doc: "hyperparameter -> {low, high, log, integer}; empty: the seed's ranges (alpha, eta, gamma, min_child_weight, max_depth, subsample)"
      values:
        type: object
        fields:
          low: {type: number, required: true, doc: "lower bound (inclusive)"}
          high: {type: number, required: true, doc: "upper bound (inclusive)"}
          log: {type: boolean, default: false, doc: "sample in log space"}
          integer: {type: boolean, default: false, doc: "sample integers"}
gate:
  type: object
  default: {}
  doc: "the quality gate on the test split: a model that fails it is recorded as rejected and never serves"
  fields:
    metric: {type: enum, values: [hamming_loss, log_loss, auc, pr_auc, brier_score, ece], default: null, doc: "the test metric judged; default hamming_loss (multiclass) or auc (binary)"}
    direction: {type: enum, values: [max, min], default: null, doc: "max: the metric must be at most the threshold; min: at least; default from the metric (auc and pr_auc: min)"}
    threshold: {type: number, default: null, doc: "the limit; default 0.40 for hamming_loss (the seed's gate, var max_hamming_loss overrides), 0.5 for auc"}
calibration: {type: enum, values: [none, isotonic, sigmoid], default: none, doc: "binary only: a calibrator fitted on the validation split's predictions (isotonic; sigmoid, i.e. Platt scaling, below 1,000 validation rows or when asked), stored in ml_models.calibration and applied by both scorers; needs training.refit_on_validation: false"}
sampling:
  type: object
  default: {}
  doc: "caps that bound training memory and time"
  fields:
    training_sample_cap: {type: integer, default: 5000000, doc: "training reads at most this many training rows per group (a deterministic hash sample)"}
    hpo_sample_cap: {type: integer, default: 100000, doc: "trials search on a seeded sample of at most this many training and validation rows; the winner is refitted on all"}
scoring:
  type: object
  default: {}
  doc: "what is scored and how"
  fields:
    engine: {type: enum, values: [default, xgboost, sql], default: default, doc: "xgboost (XGBoost's predict, DuckDB) or sql (the trees compiled to SQL); default: xgboost on DuckDB, sql on Trino (var scoring_engine overrides)"}
    source: {type: name, default: null, doc: "the staging model of scoring requests (same feature columns, no label); none: the spec is trained and monitored but not batch-scored"}
    key: {type: column, default: null, doc: "the request id column of scoring.source"}
    sql_formulation: {type: enum, values: [auto, nested_case, node_table], default: auto, doc: "how the SQL scorer holds the trees: nested_case (each tree a nested CASE in the query), node_table (the trees as rows of ml_model_nodes, walked level by level with joins: SQL that does not grow with the ensemble); auto: nested_case while it fits one statement (Trino's query.max-length, the compiler's split cap on DuckDB), else node_table (var scoring_sql_formulation overrides)"}
events:
  type: object
  default: {}
  doc: "an event-stream propensity model (README, 'Add a propensity model'): with events.source set, the spec's source, entity_key, label, features, split.method and scoring are derived from this section and must not be written"
  fields:
    source: {type: name, default: null, doc: "the staging model of the event log: columns entity_id, event_time (UTC timestamp), event_type, the property columns named below, reject_reason (NULL: usable)"}
    points:
      type: object
      default: {}
      doc: "the prediction points (entity, t): every event of one type, or snapshots"
      fields:
        event_type: {type: string, default: null, doc: "every accepted event of this type is a point (seed 001: each impression)"}
        every: {type: duration, default: null, doc: "snapshots (seed 004): a point every this long, on a grid from 1970-01-01 UTC, for each entity active within active_within before it"}
        active_within: {type: duration, default: null, doc: "snapshots: an entity with an event in [t - active_within, t) gets a point at t (default: every)"}
    outcome:
      type: object
      default: {}
      doc: "the label: 1 when the entity has an outcome event in (t, t + horizon]; points whose horizon has not closed by the log's watermark are scored but not trained on"
      fields:
        event_types: {type: list, items: {type: string}, default: [], doc: "the event types that count as the outcome (required)"}
        horizon: {type: duration, default: null, doc: "how far after t an outcome counts (required), e.g. '15 minutes', '30 days'"}
        where: {type: map, values: {type: list, items: {type: string}}, default: {}, doc: "categorical property -> the values an outcome event must have one of, e.g. {country: [GB, FR]} (a property of events.categorical)"}
        at_least: {type: map, values: {type: number}, default: {}, doc: "numeric property -> the least value an outcome event must have, e.g. {amount: 50} (a property of events.numeric)"}
    leakage_offset: {type: duration, default: "0 seconds", doc: "features use only events before t - leakage_offset"}
    windows: {type: list, items: {type: duration}, default: ["1 hour", "1 day", "7 days"], doc: "half-open look-back windows [t - offset - w, t - offset): event counts (all and per top type) and property sums in each"}
    rolling_weeks: {type: integer, default: 0, doc: "also count events per week for this many weeks back ([t - 7k days, t - 7(k-1) days), seed 004 uses 8)"}
    top_event_types: {type: integer, default: 10, doc: "count the N most frequent event types separately (ranked on training-period events only); the rest count in the totals"}
    categorical: {type: list, items: {type: column}, default: [], doc: "property columns whose last and first value in the longest window (and, for event points, the point event's own value) are one-hot features"}
    numeric: {type: list, items: {type: column}, default: [], doc: "property columns summed over each window, in all and per top event type"}
    group_rates:
      type: object
      default: {}
      doc: "past outcome rates of the group a point belongs to (seed 001: the click-through rate of the item shown), themselves point-in-time: feature <column>_rate_<window>"
      fields:
        columns: {type: list, items: {type: column}, default: [], doc: "properties of events.categorical that name a group; a point's group is its event's value (event points) or the entity's last value (snapshots)"}
        window: {type: duration, default: null, doc: "the rate counts outcome and base events of the group in [t - offset - window, t - offset); default the longest look-back (windows, rolling_weeks)"}
        prior_weight: {type: number, default: 100, doc: "smoothing: (outcomes + prior_weight * overall rate) / (base events + prior_weight), the overall rate over the same window; base events are the points' event type (event points) or all events (snapshots)"}
    entity_cap: {type: integer, default: 5000000, doc: "training points come from at most this many entities, chosen by a hash of the entity id (deterministic)"}
# {% endset %}{{ return(fromyaml(schema)) }}{% endmacro %}
