{#- The model inputs, validated: numeric columns first (the seed's order,
    long then lat), then the categorical columns left after `dropped_columns`. -#}
{% macro numeric_feature_columns() -%}
    {{ return(['long', 'lat']) }}
{%- endmacro %}

{% macro categorical_feature_columns() -%}
    {%- set staged = ['country', 'dos', 'dtype', 'dbrowser', 'city', 'isp', 'network', 'dos_version', 'dbrowser_version'] -%}
    {%- set dropped = var('dropped_columns', []) -%}
    {%- if dropped is string -%}{%- set dropped = [dropped] -%}{%- endif -%}
    {%- for col in dropped -%}
        {%- if col not in staged -%}
            {{ exceptions.raise_compiler_error("var 'dropped_columns': '" ~ col ~ "' is not a categorical column; choose from " ~ staged | join(', ')) }}
        {%- endif -%}
    {%- endfor -%}
    {%- set kept = [] -%}
    {%- for col in staged if col not in dropped -%}{%- do kept.append(col) -%}{%- endfor -%}
    {%- if not kept -%}
        {{ exceptions.raise_compiler_error("var 'dropped_columns' drops every categorical column; keep at least one") }}
    {%- endif -%}
    {{ return(kept) }}
{%- endmacro %}
