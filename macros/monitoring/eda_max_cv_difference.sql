{#- The validated `eda_max_cv_difference` var: the seed's rule that a split is
    fair when the coefficients of variation (in percent) of a feature on the
    training and the test split differ by less than this (default 3). -#}
{% macro eda_max_cv_difference() -%}
    {%- set value = var('eda_max_cv_difference', 3) -%}
    {%- if value is not number or value is sameas true or value is sameas false or value <= 0 -%}
        {{ exceptions.raise_compiler_error("var 'eda_max_cv_difference' must be a number > 0 (percentage points), got '" ~ value ~ "'") }}
    {%- endif -%}
    {{ return(value | float) }}
{%- endmacro %}
