# {% macro model_spec__purchase_propensity() %}{% set spec %}
# Purchase propensity (seed 004 style) on the generated event stream (`wml
# generate events`, event log `stream`): will a user active in the last 28 days
# buy within a day of a daily snapshot? One binary XGBoost model, calibrated.
# The events section derives the source, entity key, label, features, split
# method and scoring (README, "Add a propensity model").
name: purchase_propensity
description: Whether a user active in the last 28 days purchases within a day of a daily snapshot.
events:
  source: stg_events__stream
  points:
    every: 1 day
    active_within: 28 days
  outcome:
    event_types: [purchase]
    horizon: 1 day
  windows: [1 hour, 1 day, 7 days]
  top_event_types: 3
  categorical: [country]
  numeric: [amount]
features:
  rare_values:
    handling: bucket
split:
  train_fraction: 0.6
  validation_fraction: 0.2
training:
  hpo_trials: 10
  refit_on_validation: false
  imbalance: none
gate:
  metric: auc
  threshold: 0.6
calibration: isotonic
# {% endset %}{{ return(warehouse_ml.parse_model_spec(spec, 'model_specs/purchase_propensity.sql')) }}{% endmacro %}
