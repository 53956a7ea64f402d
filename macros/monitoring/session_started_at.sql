{#- When this dbt invocation started (UTC), as a timestamp with time zone: the
    same value on every monitoring row of a session, so tables line up by
    session in time. -#}
{% macro session_started_at() -%}
    {{ return(adapter.dispatch('session_started_at', 'warehouse_ml')(run_started_at.strftime('%Y-%m-%d %H:%M:%S.%f'))) }}
{%- endmacro %}

{% macro default__session_started_at(started) -%}
    {#- Trino reads the zone from the literal and needs the precision spelled out. -#}
    cast('{{ started }} UTC' as timestamp(6) with time zone)
{%- endmacro %}

{% macro duckdb__session_started_at(started) -%}
    {#- DuckDB takes a numeric offset suffix for timestamptz literals. -#}
    cast('{{ started }}+00' as timestamp with time zone)
{%- endmacro %}
