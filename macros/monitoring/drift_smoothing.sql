{#- The validated `drift_smoothing` var: the pseudo-count added to every
    histogram bucket before normalising (additive / Laplace smoothing). It must
    be positive: with 0 a value unseen in training makes the KL infinite. -#}
{% macro drift_smoothing() -%}
    {{ return(warehouse_ml._number_var('drift_smoothing', 1, false, 'a pseudo-count per histogram bucket')) }}
{%- endmacro %}
