{#- A relation of per-spec constants the feature SQL joins on model_name:
    the rare-value rule and the number of numeric inputs (the first one-hot
    column's index). -#}
{% macro spec_settings() -%}
    {%- set specs = warehouse_ml.model_specs() -%}
    {%- for spec in specs %}
    select
        cast({{ warehouse_ml.quote_literal(spec['name']) }} as {{ dbt.type_string() }}) as model_name,
        cast({{ spec['features']['rare_values']['min_frequency'] }} as double) as min_frequency,
        {{ spec['features']['rare_values']['min_count'] }} as min_count,
        {{ 'true' if spec['features']['rare_values']['handling'] == 'bucket' else 'false' }} as is_bucket_mode,
        {{ warehouse_ml.spec_numeric_columns(spec) | length }} as n_numeric_features
    {{ "union all" if not loop.last }}
    {%- endfor %}
    {%- if not specs %}
    select
        cast(null as {{ dbt.type_string() }}) as model_name,
        cast(null as double) as min_frequency,
        0 as min_count,
        false as is_bucket_mode,
        0 as n_numeric_features
    where false
    {%- endif %}
{%- endmacro %}
