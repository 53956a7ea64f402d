{#- The dbt vars that override a spec field for every spec (command-line
    tuning such as --vars '{hpo_trials: 2}'), validated like the field. -#}
{% macro _spec_with_vars(spec, file) -%}
    {%- set overrides = warehouse_ml._spec_var_overrides() -%}
    {%- for var_name, path in overrides.items() -%}
        {%- set value = var(var_name, none) -%}
        {%- if value is not none and not (var_name == 'max_hamming_loss' and spec['gate']['metric'] not in [none, 'hamming_loss']) -%}
            {%- set rule = warehouse_ml.model_spec_schema() -%}
            {%- for step in path -%}
                {%- set rule = rule[step] if loop.first else rule['fields'][step] -%}
            {%- endfor -%}
            {%- set checked = warehouse_ml._validate_spec_value(value, rule, file ~ " (dbt var '" ~ var_name ~ "')", path | join('.')) -%}
            {%- set holder = spec -%}
            {%- for step in path[:-1] -%}{%- set holder = holder[step] -%}{%- endfor -%}
            {%- do holder.update({path[-1]: checked}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set campaigns = var('campaigns', []) -%}
    {%- if campaigns and spec['group_key'] == 'campaign_id' -%}
        {%- do spec.update({'groups': warehouse_ml._validate_uuid_list(campaigns, 'campaigns') | map('lower') | list}) -%}
    {%- endif -%}
    {{ return(spec) }}
{%- endmacro %}
