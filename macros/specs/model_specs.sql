{#- Every model spec this build trains: the specs under model_specs/ with
    `enabled: true`, or exactly those var `model_specs` names. Specs are found
    by their macro names (model_spec__<name>), which dbt knows at parse time, so
    models can ref() each spec's source while dbt builds the DAG. -#}
{% macro model_specs() -%}
    {%- set wanted = var('model_specs', []) -%}
    {%- if wanted is string -%}{%- set wanted = [wanted] -%}{%- endif -%}
    {%- set available = {} -%}
    {%- for key in context.keys() | sort if key.startswith('model_spec__') -%}
        {%- set spec = context[key]() -%}
        {%- do available.update({spec['name']: spec}) -%}
    {%- endfor -%}
    {%- set chosen = [] -%}
    {%- for name in wanted -%}
        {%- if name not in available -%}
            {{ exceptions.raise_compiler_error("var 'model_specs': no spec named '" ~ name ~ "' (specs: " ~ available.keys() | sort | join(', ') ~ ")") }}
        {%- endif -%}
    {%- endfor -%}
    {%- for name in available.keys() | sort -%}
        {%- if (wanted and name in wanted) or (not wanted and available[name]['enabled']) -%}
            {%- do chosen.append(available[name]) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(chosen) }}
{%- endmacro %}
