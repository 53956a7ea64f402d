{#- The validated `eda_max_cv_difference` var: the seed's rule that a split is
    fair when the coefficients of variation (in percent) of a feature on the
    training and the test split differ by less than this (default 3). -#}
{% macro eda_max_cv_difference() -%}
    {{ return(warehouse_ml._number_var('eda_max_cv_difference', 3, false, 'percentage points')) }}
{%- endmacro %}
