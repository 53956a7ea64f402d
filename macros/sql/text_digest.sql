{#- md5 of a text as 32 lowercase hex characters, the same on every engine:
    a short, fixed-size stand-in for a long text in sort keys. -#}
{% macro text_digest(expr) -%}
    {{ return(adapter.dispatch('text_digest', 'warehouse_ml')(expr)) }}
{%- endmacro %}

{% macro default__text_digest(expr) -%}
    {#- dbt's cross-database hash: md5(text) as lowercase hex (DuckDB, Postgres, Snowflake, ...). -#}
    {{ dbt.hash(expr) }}
{%- endmacro %}

{% macro trino__text_digest(expr) -%}
    {#- Trino's md5 takes and returns varbinary: encode the text as UTF-8, print the digest as lowercase hex. -#}
    lower(to_hex(md5(to_utf8({{ expr }}))))
{%- endmacro %}
