{{ config(materialized='view') }}

{#- The (model spec, group) pairs to retrain, e.g. offer campaigns: those
    whose latest drift measurement of the model still serving them exceeds var `drift_threshold` on any feature or
    prediction check, with the reason in words (worst first). -#}

with drift as (select * from {{ ref('ml_drift') }}),

serving as (select * from {{ ref('ml_serving_models') }}),

sessions as (
    select
        model_name,
        group_id,
        invocation_id,
        row_number() over (
            partition by model_name, group_id
            order by recorded_at desc, invocation_id desc
        ) as recency_rank
    from (
        select distinct
            model_name,
            group_id,
            invocation_id,
            recorded_at
        from drift
    ) as group_sessions
),

latest as (
    select drift.*
    from drift
    inner join sessions
        on
            {{ warehouse_ml.keys_match('drift', 'sessions', ['model_name', 'group_id', 'invocation_id']) }}
            and sessions.recency_rank = 1
    inner join serving on drift.model_id = serving.model_id
),

drifted as (
    select
        *,
        feature || ' vs ' || replace(reference, '_', ' ')
        || ' (KL ' || cast(cast(round(kl_divergence, 3) as decimal(18, 3)) as varchar) || ')' as finding
    from latest
    where is_drifted
),

final as (
    select
        {{ warehouse_ml.model_group_keys() }},
        invocation_id,
        'KL divergence above ' || cast(cast(max(threshold) as decimal(18, 3)) as varchar) || ': '
        || {{ warehouse_ml.ordered_string_agg('finding', '; ', 'kl_divergence desc, feature, reference') }} as reason,
        cast(sum(case when kind = 'feature' then 1 else 0 end) as integer) as n_drifted_features,
        cast(sum(case when kind = 'prediction' then 1 else 0 end) as integer) as n_drifted_predictions,
        max(kl_divergence) as max_kl_divergence,
        max(threshold) as threshold,
        max(recorded_at) as recorded_at
    from drifted
    group by model_name, group_id, model_id, invocation_id
)

select * from final
