{{ config(materialized='view') }}

{#- The model that serves each (model name, group): the pinned one when var
    `pinned_models` names it (rollback), else the newest champion. One spec's
    champions and pins never touch another's. -#}
{%- set pinned = warehouse_ml._validated_pinned_models() %}

with models as (select * from {{ ref('ml_models') }}),

candidates as (
    select
        *,
        -- A model that was never trained (e.g. a group with one class) cannot serve, pinned or not.
        booster_json is not null as has_booster,
        {%- if pinned %}
        case
            {%- for model_name, groups in pinned.items() %}
            {%- for group_id, model_id in groups.items() %}
            when
                model_name = {{ warehouse_ml.quote_literal(model_name) }}
                and group_id = {{ warehouse_ml.quote_literal(group_id) }}
                and model_id = {{ warehouse_ml.quote_literal(model_id | lower) }}
                then 'pinned'
            {%- endfor %}
            {%- endfor %}
            when status = 'champion' then 'champion'
        end as serving_reason,
        {{ warehouse_ml.is_pinned_group('model_name', 'group_id') }} as is_group_pinned
        {%- else %}
        case when status = 'champion' then 'champion' end as serving_reason,
        false as is_group_pinned
        {%- endif %}
    from models
),

eligible as (
    select * from candidates
    where
        has_booster
        and (
            (is_group_pinned and serving_reason = 'pinned')
            or (not is_group_pinned and serving_reason = 'champion')
        )
),

ranked as (
    select
        *,
        row_number() over (partition by model_name, group_id order by trained_at desc, model_id asc) as recency_rank
    from eligible
),

final as (
    select
        model_id,
        model_name,
        group_id,
        campaign_id,
        fitted_state_id,
        serving_reason,
        feature_kinds,
        classes,
        {{ warehouse_ml.json_array_length('feature_kinds') }} as n_features,
        trained_at
    from ranked
    where recency_rank = 1
)

select * from final
