{#- The leading columns of a per-session monitoring history row (ml_drift,
    ml_prediction_stats): this session's invocation id, the model spec, the
    group, the group again as campaign_id (its name before model specs, which
    backfill_offer_keys fills on older rows) and the serving model. The
    calling query must have model_name, group_id and model_id in scope. -#}
{% macro monitoring_row_keys() -%}
    '{{ invocation_id }}' as invocation_id,
    model_name,
    group_id,
    group_id as campaign_id,
    model_id
{%- endmacro %}
