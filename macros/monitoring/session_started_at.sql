{#- When this dbt invocation started (UTC), as a timestamp with time zone: the
    same value on every monitoring row of a session, so tables line up by
    session in time. -#}
{% macro session_started_at() -%}
    {{ return(adapter.dispatch('session_started_at', 'warehouse_ml')(run_started_at.strftime('%Y-%m-%d %H:%M:%S.%f'))) }}
{%- endmacro %}

{% macro default__session_started_at(started) -%}
    {#- A timestamp with a numeric UTC offset, as SQL's TIMESTAMP WITH TIME ZONE literals spell it (DuckDB, Postgres). -#}
    cast('{{ started }}+00:00' as timestamp with time zone)
{%- endmacro %}

{% macro trino__session_started_at(started) -%}
    {#- Trino's timestamp with time zone defaults to millisecond precision: spell out (6) to keep the microseconds. -#}
    cast('{{ started }} UTC' as timestamp(6) with time zone)
{%- endmacro %}
