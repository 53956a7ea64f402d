{#- The fitted category levels (fit_category_levels, every column) of each
    model and group's current fitted state (fit_current_states): the
    vocabulary the next training encodes with. The training filter and the
    rare-value EDA both judge values against it. -#}
{% macro current_category_levels() -%}
    select levels.*
    from {{ ref('fit_category_levels') }} as levels
    inner join {{ ref('fit_current_states') }} as current_states
        on {{ warehouse_ml.keys_match('levels', 'current_states', ['model_name', 'group_id', 'fitted_state_id']) }}
{%- endmacro %}
