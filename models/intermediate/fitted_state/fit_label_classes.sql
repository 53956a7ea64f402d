{{ config(
    materialized='incremental', incremental_strategy='append', full_refresh=false, on_schema_change='append_new_columns',
    post_hook="{{ warehouse_ml.backfill_offer_keys(this) }}",
) }}

{#- The label's classes per model and group, fitted on the kept training rows,
    one state per build. Multiclass: class index by label value order (offers
    by offer id). Binary: class 1 is the spec's positive value, class 0 the rest,
    whichever of them training holds. -#}
{%- set binary_models = [] %}
{%- for spec in warehouse_ml.model_specs() if spec['label']['kind'] == 'binary' %}
{%- do binary_models.append(warehouse_ml.quote_literal(spec['name'])) %}
{%- endfor %}

with train as (
    select * from {{ ref('int_training_filtered') }}
    where split = 'train'
),

labels as (
    select
        fitted_state_id,
        model_name,
        group_id,
        label_value,
        count(*) as n_train_rows
    from train
    group by fitted_state_id, model_name, group_id, label_value
),

final as (
    select
        fitted_state_id,
        model_name,
        group_id,
        label_value,
        cast(
            {%- if binary_models %}
            case
                when model_name in ({{ binary_models | join(', ') }}) then cast(label_value as integer)
                else row_number() over (partition by fitted_state_id, model_name, group_id order by label_value) - 1
            end
            {%- else %}
            row_number() over (partition by fitted_state_id, model_name, group_id order by label_value) - 1
            {%- endif %}
            as integer
        ) as class_index,
        n_train_rows,
        current_timestamp as fitted_at
    from labels
)

select * from final
