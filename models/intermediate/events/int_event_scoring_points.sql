{#- The points every event spec scores now: one per entity at the scoring
    time t (var score_at, default the start of the hour after the log's
    latest event), with the same point-in-time features as training
    (event_point_features). Var scoring_scope picks the entities: `daily`
    (default) every entity with an event in the longest window or
    active_within before t; `hourly` only those with an event in the last
    hour, or loaded within var late_data_lookback before now (late data), so an
    hourly run's cost follows the active entities. The scoring source of the
    generic layer for event specs (spec field scoring.source). -#}
{%- set specs = warehouse_ml.event_specs() %}
{%- set scope = var('scoring_scope', 'daily') %}
{%- if scope not in ['daily', 'hourly'] %}
{{ exceptions.raise_compiler_error("var scoring_scope must be daily or hourly, got '" ~ scope ~ "'") }}
{%- endif %}
{%- set score_at = var('score_at', none) %}
{%- if score_at is not none and not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}(:[0-9]{2})?)?$', score_at | string) %}
{{ exceptions.raise_compiler_error("var score_at must be a UTC timestamp 'YYYY-MM-DD[ HH:MM[:SS]]', got '" ~ score_at ~ "'") }}
{%- endif %}
{%- set late = warehouse_ml.duration_seconds(var('late_data_lookback', '2 hours')) %}
{%- set columns = [] %}
{%- set categorical = [] %}
{%- for spec in specs %}
{%- do categorical.extend(spec['features']['categorical']) %}
{%- for column in spec['features']['numeric'] + spec['features']['categorical'] if column not in columns %}
{%- do columns.append(column) %}
{%- endfor %}
{%- endfor %}

with
{%- for spec in specs %}
{%- set ev = spec['events'] %}
{%- set i = loop.index %}
{%- set reach = [ev['points']['active_within'] or ev['points']['every'] or '0 seconds'] + ev['windows'] %}
{%- set lookback = reach | map('string') | map('trim') | list %}
{%- set ns = namespace(longest=0) %}
{%- for w in lookback %}{%- set ns.longest = [ns.longest, warehouse_ml.duration_seconds(w)] | max %}{%- endfor %}
{%- set ns.longest = [ns.longest, ev['rolling_weeks'] * 604800] | max %}

events_{{ i }} as (
    select
        entity_id,
        event_time,
        loaded_at
    from {{ ref(ev['source']) }}
    where reject_reason is null
),

score_time_{{ i }} as (
    {%- if score_at is not none %}
    select cast({{ warehouse_ml.quote_literal(score_at) }} as timestamp) as score_at
    {%- else %}
    select {{ dbt.date_trunc('hour', 'max(event_time)') }} + interval '1' hour as score_at
    from events_{{ i }}
    {%- endif %}
),

active_{{ i }} as (
    select distinct events_{{ i }}.entity_id
    from events_{{ i }}
    cross join score_time_{{ i }} as clock
    where
        events_{{ i }}.event_time < clock.score_at
        {%- if scope == 'hourly' %}
        and (
            events_{{ i }}.event_time >= clock.score_at - interval '1' hour
            -- Late data: loaded within the lookback before now (the load clock, not
            -- the event clock), whatever its event time.
            or events_{{ i }}.loaded_at >= {{ warehouse_ml.event_load_time('current_timestamp') }} - interval '{{ late }}' second
        )
        {%- else %}
        and events_{{ i }}.event_time >= clock.score_at - interval '{{ ns.longest }}' second
        {%- endif %}
),

points_{{ i }} as (
    select
        cast({{ warehouse_ml.quote_literal(spec['name'] ~ ':') }} || active_{{ i }}.entity_id || '@'
            || cast(clock.score_at as {{ dbt.type_string() }}) as {{ dbt.type_string() }}) as point_id,
        active_{{ i }}.entity_id,
        clock.score_at as point_time
        {%- for column in ev['categorical'] if ev['points']['event_type'] is not none %},
        -- A snapshot has no triggering event: its point properties are missing.
        cast(null as {{ dbt.type_string() }}) as point_{{ column }}
        {%- endfor %}
    from active_{{ i }}
    cross join score_time_{{ i }} as clock
),

features_{{ i }} as (
    {{ warehouse_ml.event_point_features(spec, 'points_' ~ i, ref('fit_event_type_ranks')) }}
),
{%- endfor %}

scoring_points as (
    {%- for spec in specs %}
    {%- set own = spec['features']['numeric'] + spec['features']['categorical'] %}
    select
        cast({{ warehouse_ml.quote_literal(spec['name']) }} as {{ dbt.type_string() }}) as model_name,
        point_id,
        entity_id,
        point_time,
        cast(null as {{ dbt.type_string() }}) as reject_reason,
        current_timestamp as ingested_at,
        {%- for column in columns %}
        {%- if column in own %}
        {{ column }}{{ "," if not loop.last }}
        {%- else %}
        cast(null as {{ dbt.type_string() if column in categorical else 'double' }}) as {{ column }}{{ "," if not loop.last }}
        {%- endif %}
        {%- endfor %}
    from features_{{ loop.index }}
    {{ "union all" if not loop.last }}
    {%- endfor %}
    {%- if not specs %}
    select
        cast(null as {{ dbt.type_string() }}) as model_name,
        cast(null as {{ dbt.type_string() }}) as point_id,
        cast(null as {{ dbt.type_string() }}) as entity_id,
        cast(null as timestamp) as point_time,
        cast(null as {{ dbt.type_string() }}) as reject_reason,
        current_timestamp as ingested_at
    where false
    {%- endif %}
)

select * from scoring_points
