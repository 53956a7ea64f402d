{#- The validated `drift_threshold` var: a KL divergence above it is drift. -#}
{% macro drift_threshold() -%}
    {{ return(warehouse_ml._number_var('drift_threshold', 0.1, true, 'a KL divergence in nats')) }}
{%- endmacro %}
