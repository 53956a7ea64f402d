{#- The point-in-time features of one event spec's points, as a query: one row
    per point of `points` (columns point_id, entity_id, point_time and, for
    event points, point_<column>) with the feature columns the spec derives
    (warehouse_ml.spec_events.event_feature_columns).

    Every window is half-open, [t - offset - w, t - offset): events and points
    go into one stream per entity ordered by time, each window is a
    `range between interval 'w' second preceding and current row` frame, and
    the events at exactly the point's time (its frame peers) are subtracted,
    so an event at t is never a feature while one at t - w is. When few points
    of an entity can see one event (a snapshot grid with ceil(longest / every)
    <= 16, or points_per_entity_time <= 16, e.g. scoring's one point per
    entity), each point is instead joined to its entity's events in
    [t - offset - longest, t - offset) and every feature is a conditional
    aggregate of those pairs: the same values without a window frame (the
    frames cost several times the join at 10M events). Only events of
    the points' entities are read (a semi-join), so the cost follows the
    number of points' entities, not the log's size. No inequality-only join:
    DuckDB and Trino (no ASOF join) run the same SQL.

    Group rates (events.group_rates): per group column, outcome events over
    base events of the point's group in the rate window before t, smoothed
    toward all groups' rate over the same window; the same half-open frames
    over one stream per group value.

    ranks: a relation of (model_name, event_type, type_rank) fitted on the
    training period (fit_event_type_ranks). -#}
{% macro event_point_features(spec, points, ranks, points_per_entity_time=none) -%}
    {%- set ev = spec['events'] -%}
    {%- set name = warehouse_ml.quote_literal(spec['name']) -%}
    {%- set offset = warehouse_ml.duration_seconds(ev['leakage_offset']) -%}
    {%- set top = range(1, ev['top_event_types'] + 1) | list -%}
    {#- (label, seconds) of every frame the features need: the windows, then the rolling-week edges. -#}
    {%- set frames = [] -%}
    {%- for w in ev['windows'] -%}
        {%- set seconds = warehouse_ml.duration_seconds(w) -%}
        {%- do frames.append([warehouse_ml.window_label(seconds), seconds]) -%}
    {%- endfor -%}
    {%- for week in range(1, ev['rolling_weeks'] + 1) -%}
        {%- do frames.append(['w' ~ week, week * 604800]) -%}
    {%- endfor -%}
    {%- set longest = frames | map(attribute=1) | max -%}
    {#- How many points of one entity an event can be in the windows of: one per
        grid time in (t, t + longest] for a snapshot spec, `points_per_entity_time`
        (scoring: 1) when the caller knows it, unbounded for event points. -#}
    {%- if points_per_entity_time is not none -%}
        {%- set fanout = points_per_entity_time -%}
    {%- elif ev['points']['event_type'] is none -%}
        {%- set every = warehouse_ml.duration_seconds(ev['points']['every']) -%}
        {%- set fanout = (longest + every - 1) // every -%}
    {%- else -%}
        {%- set fanout = none -%}
    {%- endif -%}
    {%- set by_join = fanout is not none and fanout <= 16 -%}
    {#- measure name -> SQL of the event's contribution (0 on point rows). -#}
    {%- set measures = {'events': 'is_event'} -%}
    {%- for k in top -%}
        {%- do measures.update({'type' ~ k: 'case when type_rank = ' ~ k ~ ' then 1 else 0 end'}) -%}
    {%- endfor -%}
    {#- Property sums in decimal(38, 9): exact, so a window's sum does not depend on
        the order or the frame the engine added in (training and scoring agree). -#}
    {%- for column in ev['numeric'] -%}
        {%- set exact = 'cast(coalesce(' ~ column ~ ', 0) as decimal(38, 9))' -%}
        {%- do measures.update({column ~ '_sum': exact}) -%}
        {%- for k in top -%}
            {%- do measures.update({'type' ~ k ~ '_' ~ column ~ '_sum': 'case when type_rank = ' ~ k ~ ' then ' ~ exact ~ ' else 0 end'}) -%}
        {%- endfor -%}
    {%- endfor %}
    with target_points as (
        select * from {{ points }}
    ),

    {%- set rates = ev['group_rates'] %}
    {%- set rate_window = warehouse_ml.group_rate_window(ev) if rates['columns'] else 0 %}

    -- The accepted events any feature of these points can see; older history would
    -- not change a feature (every window and "last" value is capped to its reach).
    {#- Only the columns some feature, rate or outcome reads: the staged log is wide
        and this CTE is read twice, so the engine may materialise it. -#}
    {%- set logged_columns = ['entity_id', 'event_time', 'event_id', 'event_type'] %}
    {%- for column in ev['numeric'] + ev['categorical'] + rates['columns'] + (ev['outcome']['where'] | list) + (ev['outcome']['at_least'] | list) %}
    {%- if column not in logged_columns %}{%- do logged_columns.append(column) %}{%- endif %}
    {%- endfor %}
    logged as (
        select
            {%- for column in logged_columns %}
            events.{{ column }}{{ "," if not loop.last }}
            {%- endfor %}
        from {{ ref(ev['source']) }} as events
        cross join (
            select
                min(point_time) - interval '{{ offset + [longest, rate_window] | max }}' second as first_needed,
                max(point_time) - interval '{{ offset }}' second as last_needed
            from target_points
        ) as bounds
        where
            events.reject_reason is null
            and events.event_time >= bounds.first_needed
            and events.event_time < bounds.last_needed
    ),

    point_entities as (
        select distinct entity_id from target_points
    ),

    history as (
        select
            logged.entity_id,
            logged.event_time,
            logged.event_id,
            coalesce(ranks.type_rank, 0) as type_rank
            {%- for column in ev['numeric'] + ev['categorical'] %},
            logged.{{ column }}
            {%- endfor %}
        from logged
        inner join point_entities on logged.entity_id = point_entities.entity_id
        left join {{ ranks }} as ranks
            on
                ranks.model_name = {{ name }}
                and logged.event_type = ranks.event_type
    ),

    {%- if by_join %}

    -- Few points per entity and window (a snapshot grid, or one scoring time): each
    -- point is joined to its entity's events in [t - offset - longest, t - offset) and
    -- every feature is a conditional aggregate of those pairs, the same half-open
    -- windows as the frames below (equi-join on the entity, no window frames).
    {%- set edges = frames | map(attribute=1) | unique | list %}
    point_edges as (
        select
            point_id,
            entity_id,
            point_time - interval '{{ offset }}' second as ts
            {%- for seconds in edges %},
            point_time - interval '{{ offset + seconds }}' second as from_{{ seconds }}
            {%- endfor %}
        from target_points
    ),

    {%- if ev['categorical'] %}

    -- The total order of an entity's events (time, then event id) for last/first values.
    ordered_history as (
        select
            *,
            row_number() over (partition by entity_id order by event_time, event_id) as seq
        from history
    ),
    {%- endif %}

    pairs as (
        select
            point_edges.*,
            events.event_time as event_ts,
            events.type_rank
            {%- for column in ev['numeric'] + ev['categorical'] %},
            events.{{ column }}
            {%- endfor %}
            {%- if ev['categorical'] %},
            events.seq
            {%- endif %}
        from point_edges
        left join {{ 'ordered_history' if ev['categorical'] else 'history' }} as events
            on
                point_edges.entity_id = events.entity_id
                and events.event_time >= point_edges.from_{{ longest }}
                and events.event_time < point_edges.ts
    ),

    {%- set pair_measures = {} %}
    {%- for measure, value in measures.items() %}
    {%- do pair_measures.update({measure: '1' if value == 'is_event' else value}) %}
    {%- endfor %}
    aggregated as (
        select
            point_id,
            ts,
            {%- for label, seconds in frames if not label.startswith('w') %}
            {%- for measure, value in pair_measures.items() %}
            sum(case when event_ts >= from_{{ seconds }} then {{ value }} else 0 end) as {{ measure }}_{{ label }},
            {%- endfor %}
            {%- endfor %}
            {%- for week in range(1, ev['rolling_weeks'] + 1) %}
            {%- for k in ['events'] + top %}
            {%- set measure = 'events' if k == 'events' else 'type' ~ k %}
            sum(
                case
                    when event_ts >= from_{{ week * 604800 }}{{ ' and event_ts < from_' ~ ((week - 1) * 604800) if week > 1 else '' }}
                        then {{ pair_measures[measure] }}
                    else 0
                end
            ) as {{ measure }}_week{{ week }},
            {%- endfor %}
            {%- endfor %}
            {%- for column in ev['categorical'] %}
            max_by({{ column }}, case when {{ column }} is not null then seq end) as last_{{ column }},
            min_by({{ column }}, case when {{ column }} is not null then seq end) as first_{{ column }},
            {%- endfor %}
            max(event_ts) as last_event_ts
        from pairs
        group by point_id, ts
    ),

    features as (
        select
            point_id,
            {%- for label, seconds in frames if not label.startswith('w') %}
            {%- for measure in measures %}
            cast({{ measure }}_{{ label }} as double) as {{ measure }}_{{ label }},
            {%- endfor %}
            {%- endfor %}
            {%- for week in range(1, ev['rolling_weeks'] + 1) %}
            {%- for k in ['events'] + top %}
            {%- set measure = 'events' if k == 'events' else 'type' ~ k %}
            cast({{ measure }}_week{{ week }} as double) as {{ measure }}_week{{ week }},
            {%- endfor %}
            {%- endfor %}
            -- NULL without an event in the longest window before t (as below).
            case
                when last_event_ts >= ts - interval '{{ longest }}' second
                    then {{ warehouse_ml.hours_between('last_event_ts', 'ts') }}
            end as hours_since_last_event
            {%- for column in ev['categorical'] %},
            last_{{ column }},
            first_{{ column }}
            {%- endfor %}
        from aggregated
    ),
    {%- else %}

    stream as (
        select
            entity_id,
            event_time as ts,
            1 as is_event,
            event_id,
            type_rank,
            {%- for column in ev['numeric'] + ev['categorical'] %}
            {{ column }},
            {%- endfor %}
            cast(null as {{ dbt.type_string() }}) as point_id
        from history
        union all
        select
            entity_id,
            point_time - interval '{{ offset }}' second as ts,
            0 as is_event,
            cast(null as {{ dbt.type_string() }}) as event_id,
            0 as type_rank,
            {%- for column in ev['numeric'] %}
            cast(null as double) as {{ column }},
            {%- endfor %}
            {%- for column in ev['categorical'] %}
            cast(null as {{ dbt.type_string() }}) as {{ column }},
            {%- endfor %}
            point_id
        from target_points
    ),

    -- One total order per entity: time, points before the events at their own time,
    -- then event id, so "the rows before a point" are exactly the events before t and
    -- ties between events at one time are broken the same way on every run.
    sequenced as (
        select
            *,
            row_number() over (partition by entity_id order by ts, is_event, event_id) as seq
        from stream
    ),

    windowed as (
        select
            point_id,
            is_event,
            ts,
            {%- for measure, value in measures.items() %}
            sum({{ value }}) over (partition by entity_id, ts) as {{ measure }}_at_t,
            {#- Rolling weeks count events (all and per type) only: no frame for their sums. -#}
            {%- for label, seconds in frames if not (label.startswith('w') and measure.endswith('_sum')) %}
            sum({{ value }}) over (
                partition by entity_id order by ts
                range between interval '{{ seconds }}' second preceding and current row
            ) as {{ measure }}_{{ label }}_to_t,
            {%- endfor %}
            {%- endfor %}
            {%- for column in ev['categorical'] %}
            {%- set key = 'case when is_event = 1 and ' ~ column ~ ' is not null then seq end' %}
            max_by({{ column }}, {{ key }}) over (
                partition by entity_id order by seq
                rows between unbounded preceding and 1 preceding
            ) as last_{{ column }}_value,
            max(case when is_event = 1 and {{ column }} is not null then ts end) over (
                partition by entity_id order by seq
                rows between unbounded preceding and 1 preceding
            ) as last_{{ column }}_ts,
            min_by({{ column }}, {{ key }}) over (
                partition by entity_id order by ts
                range between interval '{{ longest }}' second preceding and current row
            ) as first_{{ column }}_value,
            min(case when is_event = 1 and {{ column }} is not null then ts end) over (
                partition by entity_id order by ts
                range between interval '{{ longest }}' second preceding and current row
            ) as first_{{ column }}_ts,
            {%- endfor %}
            max(case when is_event = 1 then ts end) over (
                partition by entity_id order by seq
                rows between unbounded preceding and 1 preceding
            ) as last_event_ts
        from sequenced
    ),

    features as (
        select
            windowed.point_id,
            {%- for label, seconds in frames if not label.startswith('w') %}
            {%- set outer_label = label %}
            {%- for measure in measures %}
            cast({{ measure }}_{{ outer_label }}_to_t - {{ measure }}_at_t as double) as {{ measure }}_{{ outer_label }},
            {%- endfor %}
            {%- endfor %}
            {%- for week in range(1, ev['rolling_weeks'] + 1) %}
            {%- for k in ['events'] + top %}
            {%- set measure = 'events' if k == 'events' else 'type' ~ k %}
            cast({{ measure }}_w{{ week }}_to_t - {{ ('0' if week == 1 else measure ~ '_w' ~ (week - 1) ~ '_to_t') }}{{ ' - ' ~ measure ~ '_at_t' if week == 1 else '' }} as double) as {{ measure }}_week{{ week }},
            {%- endfor %}
            {%- endfor %}
            -- NULL when the entity has no event in the longest window before t, so the
            -- value never depends on how much older history a run happened to read.
            case
                when windowed.last_event_ts >= windowed.ts - interval '{{ longest }}' second
                    then {{ warehouse_ml.hours_between('windowed.last_event_ts', 'windowed.ts') }}
            end as hours_since_last_event
            {%- for column in ev['categorical'] %},
            case
                when last_{{ column }}_ts >= windowed.ts - interval '{{ longest }}' second then last_{{ column }}_value
            end as last_{{ column }},
            case when first_{{ column }}_ts < windowed.ts then first_{{ column }}_value end as first_{{ column }}
            {%- endfor %}
        from windowed
        where windowed.is_event = 0
    ),
    {%- endif %}

    {%- set rate_columns = [] %}
    {%- if rates['columns'] %}
    {%- set rate_label = warehouse_ml.window_label(rate_window) %}
    {%- set weight = rates['prior_weight'] | float %}
    {%- for column in rates['columns'] %}{%- do rate_columns.append(column ~ '_rate_' ~ rate_label) %}{%- endfor %}

    -- Group rates read every entity's events (a group spans entities).
    rate_events as (
        select
            event_time as ts,
            case when {{ warehouse_ml.event_outcome_condition(ev) }} then 1 else 0 end as outcomes,
            {%- if ev['points']['event_type'] is not none %}
            case when event_type = {{ warehouse_ml.quote_literal(ev['points']['event_type']) }} then 1 else 0 end as bases
            {%- else %}
            1 as bases
            {%- endif %}
            {%- for column in rates['columns'] %},
            {{ column }}
            {%- endfor %}
        from logged
        where event_time >= (select min(point_time) from target_points) - interval '{{ offset + rate_window }}' second
    ),

    -- A point's group: its own event's value (event points) or the entity's last value.
    rate_points as (
        select
            target_points.point_id,
            target_points.point_time - interval '{{ offset }}' second as ts
            {%- for column in rates['columns'] %},
            {{ 'target_points.point_' ~ column if ev['points']['event_type'] is not none else 'features.last_' ~ column }} as {{ column }}
            {%- endfor %}
        from target_points
        inner join features on target_points.point_id = features.point_id
    ),

    {%- for column in [none] + rates['columns'] %}
    {%- set part = 'partition by ' ~ column ~ ' ' if column else '' %}
    {%- set peers = 'partition by ' ~ (column ~ ', ' if column else '') ~ 'ts' %}

    -- Outcome and base events in [t - w, t) of {{ 'group ' ~ column if column else 'all groups (the prior)' }}: a
    -- range frame to t less the events at exactly t, as for the entity features.
    rate_{{ column or 'all' }} as (
        select
            point_id,
            sum(outcomes) over ({{ part }}order by ts range between interval '{{ rate_window }}' second preceding and current row)
            - sum(outcomes) over ({{ peers }}) as outcomes,
            sum(bases) over ({{ part }}order by ts range between interval '{{ rate_window }}' second preceding and current row)
            - sum(bases) over ({{ peers }}) as bases
        from (
            select
                ts,
                outcomes,
                bases,
                {{ column ~ ',' if column }}
                cast(null as {{ dbt.type_string() }}) as point_id
            from rate_events
            {{ 'where ' ~ column ~ ' is not null' if column }}
            union all
            select
                ts,
                0 as outcomes,
                0 as bases,
                {{ column ~ ',' if column }}
                point_id
            from rate_points
            {{ 'where ' ~ column ~ ' is not null' if column }}
        ) as rate_stream
    ),
    {%- endfor %}

    -- Smoothed toward the rate of all groups: (outcomes + w * prior) / (bases + w); a point
    -- with no group value gets the prior, and no base event in the window at all gives NULL.
    group_rates as (
        select
            rate_points.point_id
            {%- for column in rates['columns'] %},
            (coalesce(rate_{{ column }}.outcomes, 0) + {{ weight }} * rate_all.outcomes / nullif(cast(rate_all.bases as double), 0))
            / (coalesce(rate_{{ column }}.bases, 0) + {{ weight }}) as {{ rate_columns[loop.index0] }}
            {%- endfor %}
        from rate_points
        inner join rate_all on rate_points.point_id = rate_all.point_id
        {%- for column in rates['columns'] %}
        left join rate_{{ column }} on rate_points.point_id = rate_{{ column }}.point_id
        {%- endfor %}
    ),
    {%- endif %}

    final as (
        select
            target_points.*,
            {%- for column in spec['features']['numeric'] + spec['features']['categorical'] if not column.startswith('point_') %}
            {{ 'group_rates' if column in rate_columns else 'features' }}.{{ column }}{{ "," if not loop.last }}
            {%- endfor %}
        from target_points
        inner join features on target_points.point_id = features.point_id
        {%- if rate_columns %}
        inner join group_rates on target_points.point_id = group_rates.point_id
        {%- endif %}
    )

    select * from final
{%- endmacro %}
