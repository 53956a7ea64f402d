{#- Check one spec value against its rule (see model_specs/_schema.sql for the
    types); return it, nested objects with their defaults. -#}
{% macro _validate_spec_value(value, rule, file, path) -%}
    {%- set kind = rule['type'] -%}
    {%- set fail = file ~ ": field '" ~ path ~ "' " -%}
    {%- if kind == 'object' -%}
        {{ return(warehouse_ml._validate_spec_object(value, rule['fields'], file, path)) }}
    {%- elif kind == 'map' -%}
        {%- if value is not mapping -%}{{ exceptions.raise_compiler_error(fail ~ "must be a mapping") }}{%- endif -%}
        {%- set out = {} -%}
        {%- for key, item in value.items() -%}
            {%- do out.update({key: warehouse_ml._validate_spec_value(item, rule['values'], file, path ~ '.' ~ key)}) -%}
        {%- endfor -%}
        {{ return(out) }}
    {%- elif kind == 'list' -%}
        {%- if value is string or value is mapping or value is not iterable -%}{{ exceptions.raise_compiler_error(fail ~ "must be a list") }}{%- endif -%}
        {%- set out = [] -%}
        {%- for item in value -%}
            {%- do out.append(warehouse_ml._validate_spec_value(item, rule['items'], file, path ~ '[' ~ loop.index0 ~ ']')) -%}
        {%- endfor -%}
        {{ return(out) }}
    {%- elif kind in ['name', 'column', 'duration'] -%}
        {%- set pattern = {'name': '^[a-z_][a-z0-9_]*$', 'column': '^[A-Za-z_][A-Za-z0-9_]*$', 'duration': '^[0-9]+ (second|minute|hour|day|week)s?$'}[kind] -%}
        {%- if value is not string or not modules.re.match(pattern, value) -%}
            {{ exceptions.raise_compiler_error(fail ~ "must be " ~ {'name': 'a lower-case name', 'column': 'a column name', 'duration': 'a duration'}[kind] ~ " matching " ~ pattern ~ ", got '" ~ value ~ "'") }}
        {%- endif -%}
    {%- elif kind == 'string' -%}
        {%- if value is not string and value is not number -%}{{ exceptions.raise_compiler_error(fail ~ "must be text, got " ~ value) }}{%- endif -%}
        {{ return(value | string) }}
    {%- elif kind == 'boolean' -%}
        {%- if value is not boolean -%}{{ exceptions.raise_compiler_error(fail ~ "must be true or false, got '" ~ value ~ "'") }}{%- endif -%}
    {%- elif kind == 'integer' -%}
        {%- if value is boolean or value is not integer -%}{{ exceptions.raise_compiler_error(fail ~ "must be a whole number, got '" ~ value ~ "'") }}{%- endif -%}
    {%- elif kind in ['number', 'fraction'] -%}
        {%- if value is boolean or value is not number -%}{{ exceptions.raise_compiler_error(fail ~ "must be a number, got '" ~ value ~ "'") }}{%- endif -%}
        {%- if kind == 'fraction' and not (0 <= value <= 1) -%}{{ exceptions.raise_compiler_error(fail ~ "must be between 0 and 1, got " ~ value) }}{%- endif -%}
        {{ return(value | float) }}
    {%- elif kind == 'enum' -%}
        {%- if value not in rule['values'] -%}{{ exceptions.raise_compiler_error(fail ~ "must be one of " ~ rule['values'] | join(', ') ~ ", got '" ~ value ~ "'") }}{%- endif -%}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}
