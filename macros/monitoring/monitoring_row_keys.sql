{#- The leading columns of a per-session monitoring history row (ml_drift,
    ml_prediction_stats): this session's invocation id, then the model's keys
    (model_group_keys). -#}
{% macro monitoring_row_keys() -%}
    '{{ invocation_id }}' as invocation_id,
    {{ warehouse_ml.model_group_keys() }}
{%- endmacro %}
