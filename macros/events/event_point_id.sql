{#- The key of a prediction point, `<model>:<entity>@<t>#<n>` (n tells apart
    points of one entity at one time): the same in training
    (int_event_points) and scoring (int_event_scoring_points). -#}
{% macro event_point_id(spec, entity, time, number) -%}
    cast(
        {{ warehouse_ml.quote_literal(spec['name'] ~ ':') }} || {{ entity }} || '@'
        || {{ warehouse_ml.timestamp_text(time) }} || '#' || cast({{ number }} as {{ dbt.type_string() }})
        as {{ dbt.type_string() }}
    )
{%- endmacro %}
