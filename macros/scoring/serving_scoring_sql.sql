{#- The compiled scoring SQL of every serving model (of one spec when
    model_name is given), read at run time from the registry: a list of
    [model_id, scoring_sql]. -#}
{% macro serving_scoring_sql(model_name=none) -%}
    {#- ref() before the early return: dbt records the caller's dependencies at parse time. -#}
    {%- set serving_models = ref('ml_serving_models') -%}
    {%- set registry = ref('ml_models') -%}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set sql -%}
        select
            serving.model_id,
            models.scoring_sql
        from {{ serving_models }} as serving
        inner join {{ registry }} as models on serving.model_id = models.model_id
        where
            models.scoring_sql is not null
            {%- if model_name is not none %}
            and serving.model_name = {{ warehouse_ml.quote_literal(model_name) }}
            {%- endif %}
        order by serving.model_name, serving.group_id
    {%- endset -%}
    {%- set out = [] -%}
    {%- for row in run_query(sql) -%}
        {%- do warehouse_ml._validate_uuid_list([row[0]], 'model_id') -%}
        {%- do out.append([row[0], row[1]]) -%}
    {%- endfor -%}
    {{ return(out) }}
{%- endmacro %}
