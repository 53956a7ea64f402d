{#- Realised against predicted, once horizons close: for every served
    propensity score (ml_propensity_scores) whose horizon (t, t + horizon] has
    closed by the event log's watermark, whether the outcome happened, then
    per model, scoring time and score decile (1 = lowest tenth of that run's
    scores) the mean predicted probability next to the realised rate. A
    calibrated model keeps the two close in every decile. -#}
{%- set specs = warehouse_ml.event_specs() %}

with
{%- for spec in specs %}
{%- set i = loop.index %}
{%- set horizon = warehouse_ml.duration_seconds(spec['events']['outcome']['horizon']) %}

scored_{{ i }} as (
    select
        entity_id,
        scored_for as point_time,
        1 as point_number,
        model_id,
        probability
    from {{ ref('ml_propensity_scores') }}
    where model_name = {{ warehouse_ml.quote_literal(spec['name']) }}
),

events_{{ i }} as (
    select * from {{ ref(spec['events']['source']) }}
),

watermark_{{ i }} as (
    select max(event_time) as watermark from events_{{ i }}
    where reject_reason is null
),

outcomes_{{ i }} as (
    {{ warehouse_ml.event_outcomes(spec, 'scored_' ~ i, 'events_' ~ i) }}
),

realised_{{ i }} as (
    select
        cast({{ warehouse_ml.quote_literal(spec['name']) }} as {{ dbt.type_string() }}) as model_name,
        scored_{{ i }}.point_time as scored_for,
        scored_{{ i }}.model_id,
        scored_{{ i }}.probability,
        case when outcomes_{{ i }}.n_outcomes > 0 then 1 else 0 end as outcome
    from scored_{{ i }}
    inner join outcomes_{{ i }}
        on
            scored_{{ i }}.entity_id = outcomes_{{ i }}.entity_id
            and scored_{{ i }}.point_time = outcomes_{{ i }}.point_time
    cross join watermark_{{ i }}
    where scored_{{ i }}.point_time + interval '{{ horizon }}' second <= watermark_{{ i }}.watermark
),
{%- endfor %}

realised as (
    {%- set string = dbt.type_string() %}
    {%- call(spec, i) warehouse_ml.union_or_empty(specs, [
        ['model_name', string], ['scored_for', 'timestamp'], ['model_id', string],
        ['probability', 'double'], ['outcome', 'integer'],
    ]) %}
    select * from realised_{{ i }}
    {%- endcall %}
),

ranked as (
    select
        *,
        ntile(10) over (partition by model_name, scored_for order by probability) as decile
    from realised
),

final as (
    select
        model_name,
        scored_for,
        decile,
        count(*) as n_scores,
        min(model_id) as model_id,
        count(distinct model_id) as n_models,
        avg(probability) as mean_predicted,
        avg(cast(outcome as double)) as realised_rate
    from ranked
    group by model_name, scored_for, decile
)

select * from final
