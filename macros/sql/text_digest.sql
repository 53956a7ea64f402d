{#- md5 of a text as 32 lowercase hex characters, the same on every engine:
    a short, fixed-size stand-in for a long text in sort keys. -#}
{% macro text_digest(expr) -%}
    {{ return(adapter.dispatch('text_digest', 'warehouse_ml')(expr)) }}
{%- endmacro %}

{% macro default__text_digest(expr) -%}
    lower(to_hex(md5(to_utf8({{ expr }}))))
{%- endmacro %}

{% macro duckdb__text_digest(expr) -%}
    md5({{ expr }})
{%- endmacro %}
