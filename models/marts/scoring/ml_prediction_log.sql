{{ config(
    materialized='incremental',
    incremental_strategy='append',
    full_refresh=false,
    on_schema_change='append_new_columns',
) }}

{#- Every prediction served, never replaced: one row per scored request the
    first time a build scores it, with the model, its fitted state and the
    scoring engine. Later builds add only requests not logged yet; var
    `rescore_requests: true` logs the re-scored predictions (new rows, the old
    ones stay; a scoring already logged is never logged twice). An interrupted build appends nothing (one insert); a
    request scored by a build that stopped before this model is logged by the
    next build, with the scoring's own invocation and time. -#}
{%- set engines = {} %}
{%- for spec in warehouse_ml.scoring_specs() %}
{%- do engines.update({spec['name']: spec['scoring']['engine']}) %}
{%- endfor %}

with predictions as (
    select * from {{ ref('ml_predictions') }}
    where scoring_error is null
),

models as (select * from {{ ref('ml_models') }}),

final as (
    select
        predictions.model_name,
        predictions.request_id,
        predictions.group_id,
        predictions.model_id,
        models.fitted_state_id,
        cast(case
            {%- for name, engine in engines.items() %}
            when predictions.model_name = {{ warehouse_ml.quote_literal(name) }} then {{ warehouse_ml.quote_literal(engine) }}
            {%- endfor %}
        end as {{ dbt.type_string() }}) as scoring_engine,
        predictions.predicted_label,
        predictions.probability,
        predictions.positive_probability,
        predictions.invocation_id,
        predictions.scored_at
    from predictions
    inner join models on predictions.model_id = models.model_id
    where {{ warehouse_ml.not_in_history('predictions', this, rescored_by='invocation_id') }}
)

select * from final
