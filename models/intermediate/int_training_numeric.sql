{#- One row per (example, numeric feature): its feature index (numeric inputs
    come first, in the spec's order, upstream relations' columns after the
    source's), its column name and its value (NULL = missing). -#}
{%- set specs = warehouse_ml.model_specs() %}
{%- set ns = namespace(parts=[]) %}

with examples as (
    select * from {{ ref('int_training_examples') }}
),

numeric_values as (
    {%- for spec in specs %}
    {%- set spec_loop = loop %}
    {%- for column, upstream in warehouse_ml.spec_numeric_columns(spec) %}
    {%- do ns.parts.append(1) %}
    {%- if ns.parts | length > 1 %}
    union all
    {%- endif %}
    select
        examples.model_name,
        examples.entity_id,
        {{ loop.index0 }} as feature_index,
        cast({{ warehouse_ml.quote_literal(column) }} as {{ dbt.type_string() }}) as column_name,
        cast(source_rows.{{ column }} as double) as value
    from examples
    {%- if upstream %}
    left join {{ ref(upstream['relation']) }} as source_rows
        on examples.entity_id = cast(source_rows.{{ upstream['key'] }} as {{ dbt.type_string() }})
    {%- else %}
    inner join {{ ref(spec['source']) }} as source_rows
        on examples.entity_id = cast(source_rows.{{ spec['entity_key'] }} as {{ dbt.type_string() }})
        and source_rows.reject_reason is null
    {%- endif %}
    where examples.model_name = {{ warehouse_ml.quote_literal(spec['name']) }}
    {%- endfor %}
    {%- endfor %}
    {%- if not ns.parts %}
    select
        cast(null as {{ dbt.type_string() }}) as model_name,
        cast(null as {{ dbt.type_string() }}) as entity_id,
        0 as feature_index,
        cast(null as {{ dbt.type_string() }}) as column_name,
        cast(null as double) as value
    where false
    {%- endif %}
),

final as (
    select
        model_name,
        entity_id,
        cast(feature_index as integer) as feature_index,
        column_name,
        value
    from numeric_values
)

select * from final
