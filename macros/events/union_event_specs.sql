{#- The union of one select per event spec (the call block's body, called
    with the spec and its 1-based position), or, when the build has no event
    spec, an empty select of the point key columns (model_name, point_id,
    entity_id, point_time) and `columns` ([name, type] pairs), so the event
    models keep their columns either way:

        {% call(spec, i) warehouse_ml.union_event_specs(specs, [['label', 'integer']]) %}
        select ... from features_{{ i }}
        {% endcall %} -#}
{% macro union_event_specs(specs, columns) -%}
    {#- A call block's own body cannot name the caller of the macro it sits in, so keep a handle. -#}
    {%- set select_for = caller %}
    {%- set string = dbt.type_string() %}
    {%- set keys = [['model_name', string], ['point_id', string], ['entity_id', string], ['point_time', 'timestamp']] %}
    {%- call(spec, i) warehouse_ml.union_or_empty(specs, keys + columns) -%}
    {{ select_for(spec, i) }}
    {%- endcall %}
{%- endmacro %}
