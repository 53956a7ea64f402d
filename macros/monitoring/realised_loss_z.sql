{#- The validated `realised_loss_z` var (default 3.09, a one-sided 0.1%
    normal quantile): how many standard errors the realised Hamming loss may
    exceed the test split's before ml_realised_outcomes flags it. A strict
    level because the check runs per model and day: many looks a week. -#}
{% macro realised_loss_z() -%}
    {{ return(warehouse_ml._number_var('realised_loss_z', 3.09, false, 'a one-sided standard normal quantile')) }}
{%- endmacro %}
