{#- One-hot rows (id, feature_index, 1.0) for the category rows of `categories`
    (id_column, campaign_id, fitted_state_id, column_name, category) against the
    fitted `levels` of the same state. A rare or unseen value has no row, so all
    its indicators are 0 (the seed API's behaviour); in bucket mode it lights
    the column's `__other__` level instead. -#}
{% macro encode_onehot(categories, levels, id_column) -%}
    {%- if warehouse_ml.rare_value_handling() == 'bucket' -%}
    select
        {{ categories }}.{{ id_column }},
        coalesce(known.feature_index, other.feature_index) as feature_index,
        1.0 as value
    from {{ categories }}
    left join {{ levels }} as known
        on
            {{ categories }}.fitted_state_id = known.fitted_state_id
            and {{ categories }}.campaign_id = known.campaign_id
            and {{ categories }}.column_name = known.column_name
            and {{ categories }}.category = known.category
            and known.feature_index is not null
    left join {{ levels }} as other
        on
            {{ categories }}.fitted_state_id = other.fitted_state_id
            and {{ categories }}.campaign_id = other.campaign_id
            and {{ categories }}.column_name = other.column_name
            and other.category = '{{ warehouse_ml.other_category() }}'
    where coalesce(known.feature_index, other.feature_index) is not null
    {%- else -%}
    select
        {{ categories }}.{{ id_column }},
        known.feature_index,
        1.0 as value
    from {{ categories }}
    inner join {{ levels }} as known
        on
            {{ categories }}.fitted_state_id = known.fitted_state_id
            and {{ categories }}.campaign_id = known.campaign_id
            and {{ categories }}.column_name = known.column_name
            and {{ categories }}.category = known.category
    where known.feature_index is not null
    {%- endif -%}
{%- endmacro %}
