{#- The specs of this build that batch-score requests (scoring.source set). -#}
{% macro scoring_specs() -%}
    {{ return(warehouse_ml.model_specs() | selectattr('scoring.source') | list) }}
{%- endmacro %}
