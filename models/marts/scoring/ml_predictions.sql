{#- Exactly one row per accepted scoring request of each spec that scores:
    the most likely label and its probability (binary specs also give the
    positive class's probability), or why the request could not be scored. -#}
{%- set binary_models = [] %}
{%- for spec in warehouse_ml.scoring_specs() if spec['label']['kind'] == 'binary' %}
{%- do binary_models.append(warehouse_ml.quote_literal(spec['name'])) %}
{%- endfor %}

with assigned as (select * from {{ ref('int_scoring_requests') }}),

scores as (select * from {{ ref('ml_scores') }}),

best as (
    select * from scores
    where rank = 1
),

positive as (
    select * from scores
    where class_index = 1 and model_name in ({{ (binary_models or ["''"]) | join(', ') }})
),

final as (
    select
        assigned.model_name,
        assigned.request_id,
        assigned.group_id,
        best.model_id,
        best.label_value as predicted_label,
        best.probability,
        positive.probability as positive_probability,
        case
            when assigned.scoring_error is not null then assigned.scoring_error
            when best.request_id is null then 'not scored'
        end as scoring_error,
        -- The build that scored the request (this one for a request not scored).
        coalesce(best.invocation_id, '{{ invocation_id }}') as invocation_id,
        coalesce(best.scored_at, current_timestamp) as scored_at
    from assigned
    left join best on {{ warehouse_ml.keys_match('assigned', 'best', ['model_name', 'request_id']) }}
    left join positive on {{ warehouse_ml.keys_match('assigned', 'positive', ['model_name', 'request_id']) }}
)

select * from final
