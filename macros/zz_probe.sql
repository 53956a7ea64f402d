{% macro zz_print_specs() %}{{ log(tojson(warehouse_ml.model_specs()), info=True) }}{% endmacro %}
