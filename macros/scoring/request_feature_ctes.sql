{#- CTE definitions (each followed by a comma) that encode request rows into
    the long feature form, ending with the CTE `request_features` (model_name,
    request_id, feature_index, value): numeric inputs at their positions,
    categorical ones one-hot against the fitted state of the model that serves
    the row's group (unseen and rare values light no column, or the column's
    `__other__` level in bucket mode), explicit vectors as given. Shared by the
    batch scorer (int_scoring_features) and `predict`, so ad-hoc scores are
    encoded exactly as the batch ones.
    sources: a list of dicts {spec, relation, where}: the rows of each spec
    (relation: a relation or CTE name with the spec's scoring key and feature
    columns; where: an extra filter on them as `source_rows`, or none).
    assigned: a CTE of the rows to encode (model_name, request_id, group_id,
    fitted_state_id, feature_vector). -#}
{% macro request_feature_ctes(sources, assigned) -%}
    {%- set specs = sources | map(attribute='spec') | list -%}
    {%- set categorical_inputs = warehouse_ml.spec_inputs(specs, 'categorical') -%}
    {%- set numeric_inputs = warehouse_ml.spec_inputs(specs, 'numeric') -%}
    {%- set string = dbt.type_string() -%}
    {%- for source in sources %}
    requests_{{ loop.index }} as (
        select
            {{ assigned }}.model_name,
            {{ assigned }}.request_id,
            {{ assigned }}.group_id,
            {%- for column in source['spec']['features']['numeric'] + source['spec']['features']['categorical'] %}
            source_rows.{{ column }},
            {%- endfor %}
            {{ assigned }}.fitted_state_id
        from {{ source['relation'] }} as source_rows
        inner join {{ assigned }}
            on
                {{ assigned }}.model_name = {{ warehouse_ml.quote_literal(source['spec']['name']) }}
                and cast(source_rows.{{ source['spec']['scoring']['key'] }} as {{ string }}) = {{ assigned }}.request_id
        where {{ assigned }}.feature_vector is null{{ ' and (' ~ source['where'] ~ ')' if source['where'] }}
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

    onehot as (
        {{ warehouse_ml.encode_onehot('raw_categories', 'request_id') }}
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
        from {{ assigned }}
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

    request_features as (
        {{- warehouse_ml.union_long_features(['numeric', 'onehot', 'explicit'], 'request_id') }}
    ),
{%- endmacro %}
