{#- The event types each event spec counts separately (events.top_event_types):
    ranked by how often they occur before the spec's validation period, so the
    choice is fitted on training data only. Features name types by rank
    (type1_7d), so the names are known before the data is. -#}
{%- set specs = warehouse_ml.event_specs() %}

with
{%- for spec in specs %}

validation_from_{{ loop.index }} as (
    select min(point_time) as validation_from
    from {{ ref('int_event_points') }}
    where model_name = {{ warehouse_ml.quote_literal(spec['name']) }} and split in ('validation', 'test')
),

counts_{{ loop.index }} as (
    select
        cast({{ warehouse_ml.quote_literal(spec['name']) }} as {{ dbt.type_string() }}) as model_name,
        events.event_type,
        count(*) as n_events
    from {{ ref(spec['events']['source']) }} as events
    cross join validation_from_{{ loop.index }} as cutoff
    where events.reject_reason is null and events.event_time < cutoff.validation_from
    group by events.event_type
),
{%- endfor %}

counts as (
    {%- call(spec, i) warehouse_ml.union_or_empty(
        specs, [['model_name', dbt.type_string()], ['event_type', dbt.type_string()], ['n_events', 'bigint']]
    ) %}
    select * from counts_{{ i }}
    {%- endcall %}
),

ranked as (
    select
        model_name,
        event_type,
        n_events,
        row_number() over (partition by model_name order by n_events desc, event_type asc) as type_rank
    from counts
),

settings as (
    {%- call(spec, i) warehouse_ml.union_or_empty(specs, [['model_name', dbt.type_string()], ['top_event_types', 'integer']]) %}
    select
        cast({{ warehouse_ml.quote_literal(spec['name']) }} as {{ dbt.type_string() }}) as model_name,
        {{ spec['events']['top_event_types'] }} as top_event_types
    {%- endcall %}
),

final as (
    select
        ranked.model_name,
        ranked.event_type,
        ranked.type_rank,
        ranked.n_events
    from ranked
    inner join settings on ranked.model_name = settings.model_name
    where ranked.type_rank <= settings.top_event_types
)

select * from final
