{#- The prediction points of every event spec (events.points): each event of
    a type (seed 001) or a snapshot grid for entities active before it (seed
    004). One row per point: its entity, time t, label (an outcome event in
    (t, t + horizon]; NULL while the horizon is still open at the log's
    watermark, so open points are never trained on) and out-of-time split
    (earlier points train, later ones validate and test; a point whose
    horizon reaches into the next split is purged, split NULL). Training
    points come from at most events.entity_cap entities (a hash sample). -#}
{%- set specs = warehouse_ml.event_specs() %}
{%- set point_columns = [] %}
{%- for spec in specs %}
-- depends_on: {{ ref(spec['events']['source']) }}
{%- for column in spec['features']['categorical'] if column.startswith('point_') and column not in point_columns %}
{%- do point_columns.append(column) %}
{%- endfor %}
{%- endfor %}

with
{%- for spec in specs %}
{%- set ev = spec['events'] %}
{%- set i = loop.index %}
{%- set horizon = warehouse_ml.duration_seconds(ev['outcome']['horizon']) %}

events_{{ i }} as (
    select * from {{ ref(ev['source']) }}
    where reject_reason is null
),

watermark_{{ i }} as (
    select max(event_time) as watermark from events_{{ i }}
),

{%- if ev['points']['event_type'] is not none %}

candidates_{{ i }} as (
    select
        entity_id,
        event_time as point_time,
        {%- for column in ev['categorical'] %}
        {{ column }} as point_{{ column }},
        {%- endfor %}
        -- Two points of an entity at the same time are told apart by event id.
        row_number() over (partition by entity_id, event_time order by event_id) as point_number
    from events_{{ i }}
    where event_type = {{ warehouse_ml.quote_literal(ev['points']['event_type']) }}
),
{%- else %}
{%- set every = warehouse_ml.duration_seconds(ev['points']['every']) %}
{%- set active = warehouse_ml.duration_seconds(ev['points']['active_within'] or ev['points']['every']) %}

-- Grid times t = k * every with the event in [t - active_within, t).
active_ranges_{{ i }} as (
    select distinct
        entity_id,
        floor({{ warehouse_ml.epoch_seconds('event_time') }} / {{ every }}) + 1 as first_k,
        floor(({{ warehouse_ml.epoch_seconds('event_time') }} + {{ active }}) / {{ every }}) as last_k
    from events_{{ i }}
),

candidates_{{ i }} as (
    select distinct
        active_ranges_{{ i }}.entity_id,
        {{ warehouse_ml.epoch_timestamp('cast(grid.k as bigint) * ' ~ every) }} as point_time,
        1 as point_number
    from active_ranges_{{ i }}
    cross join unnest({{ warehouse_ml.integer_series('cast(active_ranges_' ~ i ~ '.first_k as bigint)', 'cast(active_ranges_' ~ i ~ '.last_k as bigint)') }}) as grid (k)
),
{%- endif %}

points_{{ i }} as (
    select candidates_{{ i }}.*
    from candidates_{{ i }}
    cross join watermark_{{ i }}
    where candidates_{{ i }}.point_time <= watermark_{{ i }}.watermark
),

outcomes_{{ i }} as (
    {{ warehouse_ml.event_outcomes(spec, 'points_' ~ i, 'events_' ~ i) }}
),

capped_{{ i }} as (
    select entity_id
    from (
        select
            entity_id,
            row_number() over (order by {{ warehouse_ml.text_digest(warehouse_ml.quote_literal(spec['name'] ~ ':') ~ ' || entity_id') }}, entity_id) as entity_order
        from (select distinct entity_id from points_{{ i }}) as entities
    ) as ordered
    where entity_order <= {{ ev['entity_cap'] }}
),

labelled_{{ i }} as (
    select
        points_{{ i }}.*,
        case
            when points_{{ i }}.point_time + interval '{{ horizon }}' second <= watermark_{{ i }}.watermark
                then case when outcomes_{{ i }}.n_outcomes > 0 then 1 else 0 end
        end as label,
        capped_{{ i }}.entity_id is not null as in_entity_cap
    from points_{{ i }}
    cross join watermark_{{ i }}
    inner join outcomes_{{ i }}
        on
            points_{{ i }}.entity_id = outcomes_{{ i }}.entity_id
            and points_{{ i }}.point_time = outcomes_{{ i }}.point_time
            and points_{{ i }}.point_number = outcomes_{{ i }}.point_number
    left join capped_{{ i }} on points_{{ i }}.entity_id = capped_{{ i }}.entity_id
),

ranked_{{ i }} as (
    select
        *,
        case
            when label is not null and in_entity_cap
                then percent_rank() over (
                    partition by label is not null and in_entity_cap order by point_time
                )
        end as time_rank
    from labelled_{{ i }}
),

split_{{ i }} as (
    select
        *,
        case
            when time_rank < {{ spec['split']['train_fraction'] }} then 'train'
            when time_rank < {{ spec['split']['train_fraction'] + spec['split']['validation_fraction'] }} then 'validation'
            when time_rank is not null then 'test'
        end as unpurged_split
    from ranked_{{ i }}
),

cutoffs_{{ i }} as (
    select
        min(case when unpurged_split = 'validation' then point_time end) as validation_from,
        min(case when unpurged_split = 'test' then point_time end) as test_from
    from split_{{ i }}
),

final_{{ i }} as (
    select
        cast({{ warehouse_ml.quote_literal(spec['name']) }} as {{ dbt.type_string() }}) as model_name,
        {{ warehouse_ml.event_point_id(spec, 'split_' ~ i ~ '.entity_id', 'split_' ~ i ~ '.point_time', 'split_' ~ i ~ '.point_number') }} as point_id,
        split_{{ i }}.entity_id,
        split_{{ i }}.point_time,
        {%- for column in ev['categorical'] if ev['points']['event_type'] is not none %}
        split_{{ i }}.point_{{ column }},
        {%- endfor %}
        split_{{ i }}.label,
        -- Purge: a training point whose horizon reaches the validation period (or a
        -- validation point's the test period) would learn from outcomes it is judged on.
        case
            when
                split_{{ i }}.unpurged_split = 'train'
                and split_{{ i }}.point_time + interval '{{ horizon }}' second > cutoffs_{{ i }}.validation_from
                then null
            when
                split_{{ i }}.unpurged_split = 'validation'
                and split_{{ i }}.point_time + interval '{{ horizon }}' second > cutoffs_{{ i }}.test_from
                then null
            else split_{{ i }}.unpurged_split
        end as split,
        split_{{ i }}.in_entity_cap
    from split_{{ i }}
    cross join cutoffs_{{ i }}
),
{%- endfor %}

{#- Each spec's point_<property> columns, NULL (typed) where the spec has none. -#}
{%- set string = dbt.type_string() %}
{%- set point_sql = {} %}
{%- for spec in specs %}
{%- set items = [] %}
{%- for column in point_columns %}
{%- do items.append((column if column in spec['features']['categorical'] else 'cast(null as ' ~ string ~ ')') ~ ' as ' ~ column) %}
{%- endfor %}
{%- do point_sql.update({spec['name']: items}) %}
{%- endfor %}

points as (
    {%- set columns = [['label', 'integer'], ['split', string], ['in_entity_cap', 'boolean']] %}
    {%- call(spec, i) warehouse_ml.union_event_specs(specs, columns) %}
    select
        model_name,
        point_id,
        entity_id,
        point_time{{ (',\n        ' ~ point_sql[spec['name']] | join(',\n        ')) if point_sql[spec['name']] }},
        label,
        split,
        in_entity_cap
    from final_{{ i }}
    {%- endcall %}
)

select * from points
