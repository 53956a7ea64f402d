{#- The compiled scoring SQL of every serving model, read at run time from the
    registry: a list of [model_id, scoring_sql]. -#}
{% macro serving_scoring_sql() -%}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set sql -%}
        select
            serving.model_id,
            models.scoring_sql
        from {{ ref('ml_serving_models') }} as serving
        inner join {{ ref('ml_models') }} as models on serving.model_id = models.model_id
        where models.scoring_sql is not null
        order by serving.model_name, serving.group_id
    {%- endset -%}
    {%- set out = [] -%}
    {%- for row in run_query(sql) -%}
        {%- do warehouse_ml._validate_uuid_list([row[0]], 'model_id') -%}
        {%- do out.append([row[0], row[1]]) -%}
    {%- endfor -%}
    {{ return(out) }}
{%- endmacro %}
