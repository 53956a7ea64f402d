{#- Post-hook of the append-only tables that gained model_name and group_id
    with model specs: rows written before them are all the offer model's, so
    they get model_name 'offer_conversion' and group_id = campaign_id. A table
    without such rows (every new warehouse, every later build) runs nothing,
    so engines without UPDATE (Trino's memory connector) are never asked. -#}
{% macro backfill_offer_keys(relation) -%}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set names = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
    {%- if 'campaign_id' not in names or 'model_name' not in names -%}{{ return('') }}{%- endif -%}
    {%- set pending = run_query('select count(*) from ' ~ relation ~ ' where model_name is null') -%}
    {%- if pending.columns[0].values()[0] == 0 -%}{{ return('') }}{%- endif -%}
    update {{ relation }}
    set model_name = 'offer_conversion', group_id = campaign_id
    where model_name is null
{%- endmacro %}
