{#- Ad hoc: per session, model spec and group, the largest feature and prediction KL
    divergence and how many checks drifted (the "does it spike?" view the seed
    asks for). -#}

with drift as (
    select * from {{ ref('ml_drift') }}
),

per_session as (
    select
        invocation_id,
        model_name,
        group_id,
        model_id,
        {{ warehouse_ml.pivot_max('kind', 'kl_divergence', [['max_feature_kl', 'feature'], ['max_prediction_kl', 'prediction']]) }},
        sum(case when is_drifted then 1 else 0 end) as n_drifted,
        max(threshold) as threshold,
        max(recorded_at) as recorded_at
    from drift
    group by invocation_id, model_name, group_id, model_id
)

select * from per_session
order by model_name, group_id, recorded_at
