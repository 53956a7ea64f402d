{#- Fails (meant to be configured with severity `warn`) for every row of the
    latest monitoring session (the `session_column` value with the largest
    `recorded_at_column`) whose `column_name` (a KL divergence) exceeds its
    `threshold_column`. Older sessions are history and are not re-judged.
    Plain SQL: DuckDB and Trino. -#}
{% test drift_within_threshold(model, column_name, threshold_column='threshold', session_column='invocation_id', recorded_at_column='recorded_at') %}
    {%- do warehouse_ml._validate_identifiers([column_name, threshold_column, session_column, recorded_at_column], 'drift_within_threshold') %}

with history as (
    select * from {{ model }}
),

latest_session as (
    select {{ session_column }} as session_id
    from history
    order by {{ recorded_at_column }} desc, {{ session_column }} desc
    limit 1
),

failures as (
    select history.*
    from history
    inner join latest_session on history.{{ session_column }} = latest_session.session_id
    where history.{{ column_name }} > history.{{ threshold_column }}
)

select * from failures
{% endtest %}
