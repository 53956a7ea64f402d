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
    {#- Partial parsing (dbt_project.yml) parses a model again when its file or a
        macro it calls changes; specs are found by name, so a new or edited spec
        file would leave the models that loop over specs with the old DAG. Each
        such model keeps a digest of the specs it was parsed with and refuses to
        run on others (wml's runner then parses again in full by itself). -#}
    {%- set digest = local_md5(tojson(available, sort_keys=true)) -%}
    {%- if not execute -%}
        {%- do config(meta={'wml_model_specs_digest': digest}) -%}
    {%- elif model is mapping and (model.get('config', {}).get('meta') or {}).get('wml_model_specs_digest') not in (none, digest) -%}
        {{ exceptions.raise_compiler_error(
            "The model specs changed since dbt last parsed " ~ model.get('name', 'this model')
            ~ " (a spec file under model_specs/ was added, removed or edited), and dbt's partial"
            ~ " parsing does not notice that. " ~ spec_reparse_hint()) }}
    {%- endif -%}
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

{#- The one sentence wml's runner looks for to parse again in full. -#}
{% macro spec_reparse_hint() -%}
    Run once with a full parse: dbt build --no-partial-parse
{%- endmacro %}
