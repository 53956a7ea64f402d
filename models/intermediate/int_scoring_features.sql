{#- Scorable requests in the model's long feature form (model_name,
    request_id, feature_index, value), encoded with the fitted state of the
    model that serves the request's group. Unseen and rare values light no
    one-hot column (all zeros, as the seed's API does) or, in bucket mode, the
    column's `__other__` level; explicit vectors are used as given. -#}
{%- set specs = warehouse_ml.scoring_specs() %}
{%- set ns = namespace(numeric=0, categorical=0) %}

with assigned as (
    select * from {{ ref('int_scoring_requests') }}
    where scoring_error is null
),

{%- for spec in specs %}

requests_{{ loop.index }} as (
    select
        assigned.model_name,
        assigned.request_id,
        assigned.group_id,
        {%- for column in spec['features']['numeric'] + spec['features']['categorical'] %}
        source_rows.{{ column }},
        {%- endfor %}
        assigned.fitted_state_id
    from {{ ref(spec['scoring']['source']) }} as source_rows
    inner join assigned
        on
            assigned.model_name = {{ warehouse_ml.quote_literal(spec['name']) }}
            and cast(source_rows.{{ spec['scoring']['key'] }} as {{ dbt.type_string() }}) = assigned.request_id
    where source_rows.reject_reason is null and assigned.feature_vector is null
),
{%- endfor %}

raw_categories as (
    {%- for spec in specs %}
    {%- set outer = loop %}
    {%- for column in spec['features']['categorical'] %}
    {%- set ns.categorical = ns.categorical + 1 %}
    {%- if ns.categorical > 1 %}
    union all
    {%- endif %}
    select
        model_name,
        request_id,
        group_id,
        fitted_state_id,
        cast({{ warehouse_ml.quote_literal(column) }} as {{ dbt.type_string() }}) as column_name,
        cast({{ column }} as {{ dbt.type_string() }}) as category
    from requests_{{ outer.index }}
    where {{ column }} is not null
    {%- endfor %}
    {%- endfor %}
    {%- if ns.categorical == 0 %}
    select
        cast(null as {{ dbt.type_string() }}) as model_name,
        cast(null as {{ dbt.type_string() }}) as request_id,
        cast(null as {{ dbt.type_string() }}) as group_id,
        cast(null as {{ dbt.type_string() }}) as fitted_state_id,
        cast(null as {{ dbt.type_string() }}) as column_name,
        cast(null as {{ dbt.type_string() }}) as category
    where false
    {%- endif %}
),

levels as (
    select * from {{ ref('fit_category_levels') }}
),

settings as (
    {{ warehouse_ml.spec_settings() }}
),

categories as (
    select * from raw_categories
),

onehot as (
    {{ warehouse_ml.encode_onehot('categories', 'levels', 'settings', 'request_id') }}
),

numeric as (
    {%- for spec in specs %}
    {%- set outer = loop %}
    {%- for column, upstream in warehouse_ml.spec_numeric_columns(spec) %}
    {%- set ns.numeric = ns.numeric + 1 %}
    {%- if ns.numeric > 1 %}
    union all
    {%- endif %}
    select
        requests_{{ outer.index }}.model_name,
        requests_{{ outer.index }}.request_id,
        {{ loop.index0 }} as feature_index,
        cast({{ 'upstream_rows.' if upstream else 'requests_' ~ outer.index ~ '.' }}{{ column }} as double) as value
    from requests_{{ outer.index }}
    {%- if upstream %}
    left join {{ ref(upstream['relation']) }} as upstream_rows
        on requests_{{ outer.index }}.request_id = cast(upstream_rows.{{ upstream['key'] }} as {{ dbt.type_string() }})
    {%- endif %}
    {%- endfor %}
    {%- endfor %}
    {%- if ns.numeric == 0 %}
    select
        cast(null as {{ dbt.type_string() }}) as model_name,
        cast(null as {{ dbt.type_string() }}) as request_id,
        0 as feature_index,
        cast(null as double) as value
    where false
    {%- endif %}
),

with_vector as (
    select
        model_name,
        request_id,
        feature_vector
    from assigned
    where feature_vector is not null
),

explicit as (
    select
        model_name,
        request_id,
        feature_index,
        {{ warehouse_ml.try_to_double('item') }} as value
    from ({{ warehouse_ml.explode_feature_vector('with_vector', ['model_name', 'request_id'], 'feature_vector') }}) as items
),

final as (
    {{- warehouse_ml.union_long_features(['numeric', 'onehot', 'explicit'], 'request_id') }}
)

select * from final
