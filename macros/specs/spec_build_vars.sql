{#- The dbt vars that shape this build's specs, with their values (none when
    not given): the var overrides, model_specs and campaigns. ml_model_specs
    records them; the training model compares them with its own (see
    python_models/training/_training__models.yml, config build_vars). -#}
{% macro spec_build_vars() -%}
    {%- set values = {} -%}
    {%- for name in warehouse_ml._spec_var_overrides().keys() -%}
        {%- do values.update({name: var(name, none)}) -%}
    {%- endfor -%}
    {%- do values.update({'model_specs': var('model_specs', []), 'campaigns': var('campaigns', [])}) -%}
    {{ return(values) }}
{%- endmacro %}
