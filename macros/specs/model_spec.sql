{#- One spec of this build by name; a clear error when it is not built. -#}
{% macro model_spec(name) -%}
    {%- for spec in warehouse_ml.model_specs() if spec['name'] == name -%}
        {{ return(spec) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("model spec '" ~ name ~ "' is not part of this build (see var model_specs)") }}
{%- endmacro %}
