{#- The dbt vars that override a spec field for every spec (command-line
    tuning such as --vars '{hpo_trials: 2}'), validated like the field. -#}
{% macro _spec_with_vars(spec, file) -%}
    {%- set overrides = warehouse_ml._spec_var_overrides() -%}
    {%- for var_name, path in overrides.items() -%}
        {%- set value = var(var_name, none) -%}
        {%- set gate_metric = spec['gate']['metric'] or ('auc' if spec['label']['kind'] == 'binary' else 'hamming_loss') -%}
        {%- if value is not none and not (var_name == 'max_hamming_loss' and gate_metric != 'hamming_loss') -%}
            {#- A namespace: a plain `set` inside a for loop does not outlive the iteration. -#}
            {%- set walk = namespace(rule=warehouse_ml.model_spec_schema(), holder=spec) -%}
            {%- for step in path -%}
                {%- set walk.rule = walk.rule[step] if loop.first else walk.rule['fields'][step] -%}
            {%- endfor -%}
            {%- set checked = warehouse_ml._validate_spec_value(value, walk.rule, file ~ " (dbt var '" ~ var_name ~ "')", path | join('.')) -%}
            {%- for step in path[:-1] -%}{%- set walk.holder = walk.holder[step] -%}{%- endfor -%}
            {%- do walk.holder.update({path[-1]: checked}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set campaigns = var('campaigns', []) -%}
    {%- if campaigns and spec['group_key'] == 'campaign_id' -%}
        {%- do spec.update({'groups': warehouse_ml._validate_uuid_list(campaigns, 'campaigns') | map('lower') | list}) -%}
    {%- endif -%}
    {{ return(spec) }}
{%- endmacro %}
