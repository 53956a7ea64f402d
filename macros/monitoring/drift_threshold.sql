{#- The validated `drift_threshold` var: a KL divergence above it is drift. -#}
{% macro drift_threshold() -%}
    {%- set value = var('drift_threshold', 0.1) -%}
    {%- if value is not number or value is sameas true or value is sameas false or value < 0 -%}
        {{ exceptions.raise_compiler_error("var 'drift_threshold' must be a number >= 0 (a KL divergence in nats), got '" ~ value ~ "'") }}
    {%- endif -%}
    {{ return(value | float) }}
{%- endmacro %}
