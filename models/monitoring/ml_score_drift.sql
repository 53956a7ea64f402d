{{ config(materialized='incremental', incremental_strategy='append', full_refresh=false) }}

{#- Score drift of propensity models, one row per session and serving model
    that scored in it: the KL divergence (nats) of this session's scores,
    in ten equal-width probability bins, from the same model's calibrated
    scores on its calibration slice (the validation split, whose bin counts
    are ml_metrics' reliability_n_rows[<bin>]). Both histograms get var
    drift_smoothing per bin; above var drift_threshold is drift. -#}
{%- set smoothing = warehouse_ml.drift_smoothing() %}

with scored as (
    select
        model_name,
        model_id,
        case when probability >= 1.0 then 9 else cast(floor(probability * 10) as integer) end as bin
    from {{ ref('ml_propensity_scores') }}
    where invocation_id = '{{ invocation_id }}'
),

bins as (
    select distinct
        scored.model_name,
        scored.model_id,
        grid.bin
    from scored
    cross join unnest({{ warehouse_ml.integer_series(0, 9) }}) as grid (bin)
),

current_counts as (
    select
        bins.model_name,
        bins.model_id,
        bins.bin,
        count(scored.bin) as n_rows
    from bins
    left join scored
        on
            bins.model_id = scored.model_id
            and bins.bin = scored.bin
    group by bins.model_name, bins.model_id, bins.bin
),

reference_counts as (
    select
        model_id,
        cast(substr(metric, length('reliability_n_rows[') + 1, length(metric) - length('reliability_n_rows[') - 1) as integer) as bin,
        max(value) as n_rows
    from {{ ref('ml_metrics') }}
    where split = 'validation' and metric like 'reliability_n_rows[%'
    group by model_id, metric
),

smoothed as (
    select
        current_counts.model_name,
        current_counts.model_id,
        current_counts.bin,
        current_counts.n_rows as n_scored,
        coalesce(reference_counts.n_rows, 0) as n_reference,
        (current_counts.n_rows + {{ smoothing }})
        / sum(current_counts.n_rows + {{ smoothing }}) over (partition by current_counts.model_id) as p_scored,
        (coalesce(reference_counts.n_rows, 0) + {{ smoothing }})
        / sum(coalesce(reference_counts.n_rows, 0) + {{ smoothing }}) over (partition by current_counts.model_id) as p_reference
    from current_counts
    left join reference_counts
        on
            current_counts.model_id = reference_counts.model_id
            and current_counts.bin = reference_counts.bin
),

final as (
    select
        '{{ invocation_id }}' as invocation_id,
        current_timestamp as recorded_at,
        model_name,
        model_id,
        sum(n_scored) as n_scored,
        sum(n_reference) as n_reference,
        sum(p_scored * ln(p_scored / p_reference)) as kl_divergence,
        cast({{ warehouse_ml.drift_threshold() }} as double) as threshold,
        sum(p_scored * ln(p_scored / p_reference)) > {{ warehouse_ml.drift_threshold() }} as is_drifted
    from smoothed
    group by model_name, model_id
)

select * from final
