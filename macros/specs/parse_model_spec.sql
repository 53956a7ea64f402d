{#- A spec file's YAML text -> the validated spec with defaults filled in and
    dbt var overrides applied. Errors name the file and the field. The rules
    live in model_specs/_schema.sql, which warehouse_ml.spec (Python) reads too. -#}
{% macro parse_model_spec(text, file) -%}
    {%- set raw = fromyaml(text) -%}
    {%- if raw is not mapping -%}
        {{ exceptions.raise_compiler_error(file ~ ": a model spec must be a YAML mapping of fields") }}
    {%- endif -%}
    {%- set raw = warehouse_ml._spec_events_expanded(raw, file) -%}
    {%- set spec = warehouse_ml._validate_spec_object(raw, warehouse_ml.model_spec_schema(), file, '') -%}
    {%- set stem = file.split('/')[-1].split('.')[0] -%}
    {%- if spec['name'] != stem -%}
        {{ exceptions.raise_compiler_error(file ~ ": field 'name' is '" ~ spec['name'] ~ "' but the file is named " ~ stem ~ "; they must match") }}
    {%- endif -%}
    {%- set spec = warehouse_ml._spec_with_vars(spec, file) -%}
    {{ return(warehouse_ml._spec_resolved(spec, file)) }}
{%- endmacro %}
