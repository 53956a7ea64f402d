{#- The validated `drift_smoothing` var: the pseudo-count added to every
    histogram bucket before normalising (additive / Laplace smoothing). It must
    be positive: with 0 a value unseen in training makes the KL infinite. -#}
{% macro drift_smoothing() -%}
    {%- set value = var('drift_smoothing', 1) -%}
    {%- if value is not number or value is sameas true or value is sameas false or value <= 0 -%}
        {{ exceptions.raise_compiler_error("var 'drift_smoothing' must be a number > 0 (a pseudo-count per histogram bucket), got '" ~ value ~ "'") }}
    {%- endif -%}
    {{ return(value | float) }}
{%- endmacro %}
