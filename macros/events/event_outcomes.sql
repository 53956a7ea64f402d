{#- For each point of `points` (entity_id, point_time, point_number), the number
    of the spec's outcome events in (t, t + horizon]: a following range frame
    from t over one stream of points and outcomes per entity, less the
    outcomes at exactly t (its peers). Shared by the training labels
    (int_event_points) and the realised outcomes of served scores. -#}
{% macro event_outcomes(spec, points, events) -%}
    {%- set ev = spec['events'] -%}
    {%- set horizon = warehouse_ml.duration_seconds(ev['outcome']['horizon']) %}
    with label_stream as (
        select
            entity_id,
            point_time as ts,
            0 as is_outcome,
            point_time,
            point_number
        from {{ points }}
        union all
        select
            entity_id,
            event_time as ts,
            1 as is_outcome,
            cast(null as timestamp) as point_time,
            0 as point_number
        from {{ events }}
        where
            reject_reason is null
            and {{ warehouse_ml.event_outcome_condition(ev) }}
    ),

    counted as (
        select
            entity_id,
            point_time,
            point_number,
            is_outcome,
            sum(is_outcome) over (
                partition by entity_id order by ts
                range between current row and interval '{{ horizon }}' second following
            ) - sum(is_outcome) over (partition by entity_id, ts) as n_outcomes
        from label_stream
    )

    select
        entity_id,
        point_time,
        point_number,
        n_outcomes
    from counted
    where is_outcome = 0
{%- endmacro %}
