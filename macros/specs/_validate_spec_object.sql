{#- Check `value` against an object schema (fields -> rules); return it with
    defaults filled in. Unknown fields, missing required fields and wrong types
    fail with the file and the field's dotted path. -#}
{% macro _validate_spec_object(value, fields, file, path) -%}
    {%- if value is none -%}{%- set value = {} -%}{%- endif -%}
    {%- if value is not mapping -%}
        {{ exceptions.raise_compiler_error(file ~ ": field '" ~ path ~ "' must be a mapping of fields") }}
    {%- endif -%}
    {%- for key in value.keys() if key not in fields -%}
        {{ exceptions.raise_compiler_error(file ~ ": unknown field '" ~ (path ~ '.' if path else '') ~ key ~ "' (allowed: " ~ fields.keys() | sort | join(', ') ~ ")") }}
    {%- endfor -%}
    {%- set out = {} -%}
    {%- for key, rule in fields.items() -%}
        {%- set where = (path ~ '.' if path else '') ~ key -%}
        {%- if key in value and value[key] is not none -%}
            {%- do out.update({key: warehouse_ml._validate_spec_value(value[key], rule, file, where)}) -%}
        {%- elif rule.get('required') -%}
            {{ exceptions.raise_compiler_error(file ~ ": required field '" ~ where ~ "' is missing") }}
        {%- elif rule['type'] == 'object' -%}
            {%- do out.update({key: warehouse_ml._validate_spec_object(rule.get('default', {}), rule['fields'], file, where)}) -%}
        {%- else -%}
            {%- do out.update({key: rule.get('default')}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(out) }}
{%- endmacro %}
