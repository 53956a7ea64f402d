{#- The validated `drift_numeric_bins` var: how many quantile bins numeric
    features (lat, long) are cut into on the training split (ties can merge
    cut points, so a column may get fewer). -#}
{% macro drift_numeric_bins() -%}
    {%- set value = var('drift_numeric_bins', 10) -%}
    {%- if value is not number or value is sameas true or value is sameas false or value != (value | int) or value < 1 or value > 1000 -%}
        {{ exceptions.raise_compiler_error("var 'drift_numeric_bins' must be a whole number from 1 to 1000, got '" ~ value ~ "'") }}
    {%- endif -%}
    {{ return(value | int) }}
{%- endmacro %}
