# {% macro model_spec__offer_conversion() %}{% set spec %}
# Offer conversion (seed 000): which offer of a campaign will this user convert
# on. One multiclass XGBoost model per campaign. This file is YAML (the first
# and last lines are a dbt macro wrapper so dbt can read it; see README,
# "Model specs"). Every field is described in model_specs/_schema.sql.
name: offer_conversion
description: Which offer of a campaign a user converts on (one model per campaign).
source: stg_landing__conversions
entity_key: event_id
group_key: campaign_id
label:
  column: offer_id
  kind: multiclass
features:
  # The seed's order: long then lat, then the one-hot columns. The seed drops
  # isp, network, city and the OS/browser versions as too sparse.
  numeric: [long, lat]
  categorical: [country, dos, dtype, dbrowser]
  monitored: [city, isp, network, dos_version, dbrowser_version]
  rare_values:
    min_frequency: 0.01
    min_count: 10
    handling: drop
split:
  method: hash
  key: event_id
  seed: 13
  train_fraction: 0.70
  validation_fraction: 0.15
training:
  objective: multi:softprob
  eval_metric: mlogloss
  hpo_trials: 10
  hpo_seed: 13
  num_boost_round: 300
  early_stopping_rounds: 20
  min_training_rows: 50
  refit_on_validation: true
  training_threads: 0
gate:
  metric: hamming_loss
  direction: max
  threshold: 0.40
calibration: none
sampling:
  training_sample_cap: 5000000
  hpo_sample_cap: 100000
scoring:
  engine: default
  source: stg_landing__requests
  key: request_id
# {% endset %}{{ return(warehouse_ml.parse_model_spec(spec, 'model_specs/offer_conversion.sql')) }}{% endmacro %}
