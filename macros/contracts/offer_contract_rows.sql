{#- The offer spec's rows of a per-request relation (ml_scores, ml_scores_sql,
    ml_predictions) in the offer contract's shape: its key columns (request,
    campaign = the spec's group, model) followed by `columns`, SQL select
    expressions in the order the contract lists them. One place says which
    spec is the offer model and how its keys are named. -#}
{% macro offer_contract_rows(relation, columns) -%}
    select
        request_id,
        group_id as campaign_id,
        model_id,
        {%- for column in columns %}
        {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ relation }}
    where model_name = 'offer_conversion'
{%- endmacro %}
