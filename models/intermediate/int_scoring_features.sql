{#- Scorable requests in the model's long feature form (model_name,
    request_id, feature_index, value), encoded with the fitted state of the
    model that serves the request's group. Unseen and rare values light no
    one-hot column (all zeros, as the seed's API does) or, in bucket mode, the
    column's `__other__` level; explicit vectors are used as given. -#}
{%- set specs = warehouse_ml.scoring_specs() %}
{%- set categorical_inputs = warehouse_ml.spec_inputs(specs, 'categorical') %}
{%- set numeric_inputs = warehouse_ml.spec_inputs(specs, 'numeric') %}
{%- set string = dbt.type_string() %}

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
    {%- for input in categorical_inputs %}
    select
        model_name,
        request_id,
        group_id,
        fitted_state_id,
        cast({{ warehouse_ml.quote_literal(input['column']) }} as {{ string }}) as column_name,
        cast({{ input['column'] }} as {{ string }}) as category
    from requests_{{ input['spec_index'] }}
    where {{ input['column'] }} is not null
    {{ "union all" if not loop.last }}
    {%- endfor %}
    {%- if not categorical_inputs %}
    {{ warehouse_ml.empty_select([
        ['model_name', string], ['request_id', string], ['group_id', string],
        ['fitted_state_id', string], ['column_name', string], ['category', string],
    ]) }}
    {%- endif %}
),

levels as (select * from {{ ref('fit_category_levels') }}),

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
    {%- for input in numeric_inputs %}
    {%- set requests = 'requests_' ~ input['spec_index'] %}
    {%- set upstream = input['upstream'] %}
    select
        {{ requests }}.model_name,
        {{ requests }}.request_id,
        {{ input['position'] }} as feature_index,
        cast({{ 'upstream_rows' if upstream else requests }}.{{ input['column'] }} as double) as value
    from {{ requests }}
    {%- if upstream %}
    left join {{ ref(upstream['relation']) }} as upstream_rows
        on {{ requests }}.request_id = cast(upstream_rows.{{ upstream['key'] }} as {{ string }})
    {%- endif %}
    {{ "union all" if not loop.last }}
    {%- endfor %}
    {%- if not numeric_inputs %}
    {{ warehouse_ml.empty_select([['model_name', string], ['request_id', string], ['feature_index', 'integer'], ['value', 'double']]) }}
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
