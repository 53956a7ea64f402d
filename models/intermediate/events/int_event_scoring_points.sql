{#- What every event spec scores in this run, with the same point-in-time
    features as training (event_point_features), at the scoring time (var
    score_at, default the start of the hour after the log's latest event).
    Snapshot specs (seed 004) score one point per entity at that time; event
    point specs (seed 001) score each recent event of the point type with its
    own properties. Var scoring_scope says what is recent: `daily` (default)
    an event in the spec's longest look-back (event points: the last day);
    `hourly` an event in the last hour; both also take records loaded within
    var late_data_lookback before now (late data). So an hourly run's cost
    follows the active entities. The scoring source of the generic layer for
    event specs (spec field scoring.source). -#}
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

with
{%- for spec in specs %}
{%- set ev = spec['events'] %}
{%- set i = loop.index %}
{%- set reach = [ev['points']['active_within'] or ev['points']['every'] or '0 seconds'] + ev['windows'] %}
{%- set lookback = reach | map('string') | map('trim') | list %}
{%- set ns = namespace(longest=0) %}
{%- for w in lookback %}{%- set ns.longest = [ns.longest, warehouse_ml.duration_seconds(w)] | max %}{%- endfor %}
{%- set ns.longest = [ns.longest, ev['rolling_weeks'] * 604800] | max %}
{%- if scope == 'hourly' %}
{%- set scope_seconds = 3600 %}
{%- elif ev['points']['event_type'] is not none %}
{%- set scope_seconds = 86400 %}
{%- else %}
{%- set scope_seconds = ns.longest %}
{%- endif %}

events_{{ i }} as (
    select * from {{ ref(ev['source']) }}
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

-- Events that make an entity (or, for event points, a point) current in this run.
recent_{{ i }} as (
    select events_{{ i }}.*
    from events_{{ i }}
    cross join score_time_{{ i }} as clock
    where
        events_{{ i }}.event_time < clock.score_at
        and (
            events_{{ i }}.event_time >= clock.score_at - interval '{{ scope_seconds }}' second
            -- Late data: loaded within the lookback before now (the load clock, not
            -- the event clock) and recent enough to be in some feature window.
            or (
                events_{{ i }}.loaded_at >= {{ warehouse_ml.event_load_time('current_timestamp') }} - interval '{{ late }}' second
                and events_{{ i }}.event_time >= clock.score_at - interval '{{ ns.longest }}' second
            )
        )
),
{%- if ev['points']['event_type'] is not none %}

-- Event points (seed 001): the recent events of the point type, each scored with its own properties.
points_{{ i }} as (
    select
        {{ warehouse_ml.event_point_id(spec, 'typed.entity_id', 'typed.event_time', 'typed.point_number') }} as point_id,
        typed.entity_id,
        typed.event_time as point_time
        {%- for column in ev['categorical'] %},
        typed.{{ column }} as point_{{ column }}
        {%- endfor %}
    from (
        select
            events_{{ i }}.*,
            row_number() over (partition by entity_id, event_time order by event_id) as point_number
        from events_{{ i }}
        where event_type = {{ warehouse_ml.quote_literal(ev['points']['event_type']) }}
    ) as typed
    inner join recent_{{ i }} on typed.event_id = recent_{{ i }}.event_id
),
{%- else %}

-- Snapshots (seed 004): every entity with a recent event, at the scoring time.
points_{{ i }} as (
    select
        {{ warehouse_ml.event_point_id(spec, 'active.entity_id', 'clock.score_at', '1') }} as point_id,
        active.entity_id,
        clock.score_at as point_time
    from (select distinct entity_id from recent_{{ i }}) as active
    cross join score_time_{{ i }} as clock
),
{%- endif %}

features_{{ i }} as (
    {#- Snapshot scoring has one point per entity: features by the join, not window frames. #}
    {{ warehouse_ml.event_point_features(
        spec, 'points_' ~ i, ref('fit_event_type_ranks'),
        points_per_entity_time=(1 if spec['events']['points']['event_type'] is none else none),
    ) }}
),
{%- endfor %}

scoring_points as (
    {%- set string = dbt.type_string() %}
    {%- set columns = [['reject_reason', string], ['ingested_at', dbt.type_timestamp() ~ ' with time zone']] %}
    {%- call(spec, i) warehouse_ml.union_event_specs(specs, columns) %}
    select
        cast({{ warehouse_ml.quote_literal(spec['name']) }} as {{ string }}) as model_name,
        point_id,
        entity_id,
        point_time,
        cast(null as {{ string }}) as reject_reason,
        current_timestamp as ingested_at,
        {{ warehouse_ml.event_feature_list(spec, specs) }}
    from features_{{ i }}
    {%- endcall %}
)

select * from scoring_points
