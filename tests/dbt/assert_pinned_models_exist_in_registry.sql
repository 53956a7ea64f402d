{#- Every model pinned in var `pinned_models` ({campaign_id: model_id}) must be a
    model of that campaign in ml_models, and a trained one (with a booster):
    otherwise ml_serving_models silently leaves the campaign without a serving
    model, or hands the scorers a model they cannot run. One row per bad pin;
    no rows when nothing is pinned. -#}
{%- set pinned = warehouse_ml._validated_pinned_models() %}

with pinned as (
    {%- if pinned %}
    {%- for campaign_id, model_id in pinned.items() %}
    select
        {{ warehouse_ml.quote_literal(campaign_id | lower) }} as campaign_id,
        {{ warehouse_ml.quote_literal(model_id | lower) }} as model_id
    {{ "union all" if not loop.last }}
    {%- endfor %}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        cast(null as {{ dbt.type_string() }}) as model_id
    where false
    {%- endif %}
),

registry as (
    select
        model_id,
        campaign_id,
        status,
        booster_json
    from {{ ref('ml_models') }}
),

checked as (
    select
        pinned.campaign_id,
        pinned.model_id,
        registry.status,
        case
            when registry.model_id is null then 'pinned model is not a model of this campaign in ml_models'
            when registry.booster_json is null then 'pinned model was never trained (it has no booster)'
        end as problem
    from pinned
    left join registry
        on
            pinned.model_id = registry.model_id
            and pinned.campaign_id = registry.campaign_id
)

select * from checked
where problem is not null
