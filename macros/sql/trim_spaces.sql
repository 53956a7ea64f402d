{#- Remove leading and trailing space characters (Unicode category Zs: the
    ASCII space, no-break spaces, em/en spaces, ideographic space), nothing
    else: tabs and line breaks are kept, so every engine sees the same text. -#}
{% macro trim_spaces(expr) -%}
    {{ return(adapter.dispatch('trim_spaces', 'warehouse_ml')(expr)) }}
{%- endmacro %}

{% macro default__trim_spaces(expr) -%}
    trim({{ expr }})
{%- endmacro %}

{% macro trino__trim_spaces(expr) -%}
    {#- Trino's trim() strips Java whitespace (tabs, line breaks, not U+00A0); DuckDB's strips exactly the Zs spaces listed here. -#}
    trim(BOTH U&'\0020\00A0\1680\2000\2001\2002\2003\2004\2005\2006\2007\2008\2009\200A\202F\205F\3000' FROM {{ expr }})
{%- endmacro %}
