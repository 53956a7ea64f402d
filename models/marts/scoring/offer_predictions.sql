{#- Exactly one row per accepted scoring request: the most likely offer and its
    probability, or, when the request could not be scored, why (scoring_error). -#}

with assigned as (
    select * from {{ ref('int_requests_assigned') }}
),

best as (
    select * from {{ ref('offer_scores') }}
    where rank = 1
),

final as (
    select
        assigned.request_id,
        assigned.campaign_id,
        best.model_id,
        best.offer_id as predicted_offer_id,
        best.probability,
        case
            when assigned.scoring_error is not null then assigned.scoring_error
            when best.request_id is null then 'not scored'
        end as scoring_error,
        '{{ invocation_id }}' as invocation_id,
        current_timestamp as scored_at
    from assigned
    left join best on assigned.request_id = best.request_id
)

select * from final
