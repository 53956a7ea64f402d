{#- Every model pinned in var `pinned_models` ({model_name: {group_id: model_id}})
    must be a model of that spec and group in ml_models, and a trained one (with a booster):
    otherwise ml_serving_models silently leaves the group without a serving
    model, or hands the scorers a model they cannot run. One row per bad pin;
    no rows when nothing is pinned. -#}
{%- set pinned = warehouse_ml._validated_pinned_models() %}
{%- set pins = [] %}
{%- for model_name, groups in pinned.items() %}
{%- for group_id, model_id in groups.items() %}
{%- do pins.append([model_name, group_id, model_id | lower]) %}
{%- endfor %}
{%- endfor %}

with pinned as (
    {%- for model_name, group_id, model_id in pins %}
    select
        {{ warehouse_ml.quote_literal(model_name) }} as model_name,
        {{ warehouse_ml.quote_literal(group_id) }} as group_id,
        {{ warehouse_ml.quote_literal(model_id) }} as model_id
    {{ "union all" if not loop.last }}
    {%- endfor %}
    {%- if not pins %}
    {%- set string = dbt.type_string() %}
    {{ warehouse_ml.empty_select([['model_name', string], ['group_id', string], ['model_id', string]]) }}
    {%- endif %}
),

registry as (
    select
        model_id,
        model_name,
        group_id,
        status,
        booster_json
    from {{ ref('ml_models') }}
),

checked as (
    select
        pinned.model_name,
        pinned.group_id,
        pinned.model_id,
        registry.status,
        case
            when registry.model_id is null then 'pinned model is not a model of this spec and group in ml_models'
            when registry.booster_json is null then 'pinned model was never trained (it has no booster)'
        end as problem
    from pinned
    left join registry on {{ warehouse_ml.keys_match('pinned', 'registry', ['model_id', 'model_name', 'group_id']) }}
)

select * from checked
where problem is not null
