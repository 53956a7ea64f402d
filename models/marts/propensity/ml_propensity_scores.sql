{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='point_id',
    full_refresh=false,
    on_schema_change='append_new_columns',
) }}

{#- Every propensity score ever served (event specs): one row per model,
    entity and scoring time, never overwritten by a later run, so the table
    is the score history. A re-run for the same scoring time rewrites that
    time's rows (unique key point_id = model, entity and time) with the same
    scores: a point is scored once (ml_scores), so hourly runs are safe to
    repeat; var rescore_requests scores the points again with today's models. -#}

with points as (
    select
        model_name,
        point_id,
        entity_id,
        point_time
    from {{ ref('int_event_scoring_points') }}
),

scores as (
    select
        model_name,
        request_id,
        model_id,
        probability
    from {{ ref('ml_scores') }}
    where class_index = 1
),

final as (
    select
        points.model_name,
        points.point_id,
        points.entity_id,
        points.point_time as scored_for,
        scores.model_id,
        scores.probability,
        cast({{ warehouse_ml.quote_literal(var('scoring_scope', 'daily')) }} as {{ dbt.type_string() }}) as scoring_scope,
        '{{ invocation_id }}' as invocation_id,
        current_timestamp as scored_at
    from points
    inner join scores
        on {{ warehouse_ml.keys_match('points', 'scores', ['model_name']) }} and points.point_id = scores.request_id
)

select * from final
