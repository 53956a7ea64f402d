{#- A spec's numeric model inputs in feature order: [column, relation] pairs,
    the source's numeric columns first (relation none), then each upstream
    relation's. Their positions are the first feature indexes. -#}
{% macro spec_numeric_columns(spec) -%}
    {%- set out = [] -%}
    {%- for column in spec['features']['numeric'] -%}{%- do out.append([column, none]) -%}{%- endfor -%}
    {%- for upstream in spec['features']['upstream'] -%}
        {%- for column in upstream['numeric'] -%}{%- do out.append([column, upstream]) -%}{%- endfor -%}
    {%- endfor -%}
    {{ return(out) }}
{%- endmacro %}
