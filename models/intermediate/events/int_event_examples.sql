{#- The training examples of every event spec: each point of int_event_points
    with its point-in-time features (macro event_point_features), the source
    of the generic model layer for these specs (spec field `source`). One row
    per point; columns not used by a spec are NULL. -#}
{%- set specs = warehouse_ml.event_specs() %}
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

points_{{ loop.index }} as (
    select * from {{ ref('int_event_points') }}
    where model_name = {{ warehouse_ml.quote_literal(spec['name']) }}
),

features_{{ loop.index }} as (
    {{ warehouse_ml.event_point_features(spec, 'points_' ~ loop.index, ref('fit_event_type_ranks')) }}
),
{%- endfor %}

examples as (
    {%- for spec in specs %}
    {%- set own = spec['features']['numeric'] + spec['features']['categorical'] %}
    select
        model_name,
        point_id,
        entity_id,
        point_time,
        label,
        split,
        cast(null as {{ dbt.type_string() }}) as reject_reason,
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
        0 as label,
        cast(null as {{ dbt.type_string() }}) as split,
        cast(null as {{ dbt.type_string() }}) as reject_reason
    where false
    {%- endif %}
)

select * from examples
