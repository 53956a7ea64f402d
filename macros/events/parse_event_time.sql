{#- A text timestamp as UTC `timestamp(6)` without zone, or NULL when it
    cannot be read: ISO 8601 / 'YYYY-MM-DD HH:MM:SS[.ffffff]' with a zone
    (Z, +hh:mm) is converted to UTC; without a zone it is taken as UTC. -#}
{% macro parse_event_time(text) -%}
    {{ return(adapter.dispatch('parse_event_time', 'warehouse_ml')(text)) }}
{%- endmacro %}

{% macro default__parse_event_time(text) -%}
    {#- Trino: from_iso8601_timestamp reads a zone; a zone-less text casts as it is. -#}
    case
        when regexp_like({{ text }}, '([zZ]|[+-][0-9]{2}(:?[0-9]{2})?)$')
            then try(cast(from_iso8601_timestamp_nanos(replace({{ text }}, ' ', 'T')) at time zone 'UTC' as timestamp(6)))
        else try(cast({{ text }} as timestamp(6)))
    end
{%- endmacro %}

{% macro duckdb__parse_event_time(text) -%}
    {#- A zone-less text must not meet timestamptz: DuckDB would read it in the session's time zone. -#}
    case
        when regexp_matches({{ text }}, '([zZ]|[+-][0-9]{2}(:?[0-9]{2})?)$')
            then timezone('UTC', try_cast({{ text }} as timestamptz))
        else try_cast({{ text }} as timestamp)
    end
{%- endmacro %}
