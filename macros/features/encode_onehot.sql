{#- One-hot rows (model_name, id, feature_index, 1.0) for the category rows of
    `categories` (model_name, id_column, group_id, fitted_state_id,
    column_name, category) against the fitted levels of the same state
    (fit_category_levels). A rare or unseen value has no row, so all its
    indicators are 0 (the seed API's behaviour); for a spec in bucket mode
    (spec_settings) it lights the column's `__other__` level instead. Training
    and scoring both encode through here, so they cannot drift apart. -#}
{% macro encode_onehot(categories, id_column) -%}
    {%- set levels = ref('fit_category_levels') -%}
    select
        {{ categories }}.model_name,
        {{ categories }}.{{ id_column }},
        coalesce(known.feature_index, other.feature_index) as feature_index,
        1.0 as value
    from {{ categories }}
    inner join ({{ warehouse_ml.spec_settings() }}) as settings on {{ categories }}.model_name = settings.model_name
    left join {{ levels }} as known
        on
            {{ categories }}.fitted_state_id = known.fitted_state_id
            and {{ categories }}.model_name = known.model_name
            and {{ categories }}.group_id = known.group_id
            and {{ categories }}.column_name = known.column_name
            and {{ categories }}.category = known.category
            and known.feature_index is not null
    left join {{ levels }} as other
        on
            settings.is_bucket_mode
            and known.feature_index is null
            and {{ categories }}.fitted_state_id = other.fitted_state_id
            and {{ categories }}.model_name = other.model_name
            and {{ categories }}.group_id = other.group_id
            and {{ categories }}.column_name = other.column_name
            and other.category = '{{ warehouse_ml.other_category() }}'
    where coalesce(known.feature_index, other.feature_index) is not null
{%- endmacro %}
