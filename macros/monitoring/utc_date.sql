{#- The UTC calendar date of a timestamp with time zone (`current_timestamp`
    as the pipeline stores it). A bare cast to date would take the session's
    time zone, so the same row could fall on different days per client. -#}
{% macro utc_date(timestamp_tz) -%}
    {{ return(adapter.dispatch('utc_date', 'warehouse_ml')(timestamp_tz)) }}
{%- endmacro %}

{% macro default__utc_date(timestamp_tz) -%}
    cast(({{ timestamp_tz }}) at time zone 'UTC' as date)
{%- endmacro %}
