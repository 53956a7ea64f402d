{#- Every accepted scoring request with the model that will score it, or the
    reason it cannot be scored (no serving model, a malformed explicit vector).
    Nothing is dropped: offer_predictions lists the unscorable ones too. -#}

with requests as (
    select * from {{ ref('stg_landing__requests') }}
    where reject_reason is null
),

serving as (
    select * from {{ ref('ml_serving_models') }}
),

with_vector as (
    select
        request_id,
        feature_vector
    from requests
    where feature_vector is not null
),

vector_items as (
    {{ warehouse_ml.explode_feature_vector('with_vector', 'request_id', 'feature_vector') }}
),

vector_checks as (
    select
        request_id,
        count(*) as n_values,
        min(
            case
                -- Plain decimal numbers only (DuckDB would also cast '1_000' or 'inf').
                when
                    item <> ''
                    and (
                        not {{ warehouse_ml.matches_regex('item', '^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$') }}
                        or {{ warehouse_ml.try_to_double('item') }} is null
                    )
                    then feature_index
            end
        ) as first_bad_index
    from vector_items
    group by request_id
),

assigned as (
    select
        requests.request_id,
        requests.campaign_id,
        serving.model_id,
        serving.fitted_state_id,
        requests.feature_vector,
        case
            when serving.model_id is null and {{ warehouse_ml.is_pinned_campaign('requests.campaign_id') }}
                then 'the model pinned for this campaign (var pinned_models) is not a trained model of it'
            when serving.model_id is null then 'no serving model for this campaign (none trained, or none passed the quality gate)'
            when vector_checks.n_values <> serving.n_features
                then
                    'input has ' || cast(vector_checks.n_values as varchar)
                    || ' values, the model expects ' || cast(serving.n_features as varchar)
            when vector_checks.first_bad_index is not null
                then 'input value ' || cast(vector_checks.first_bad_index + 1 as varchar) || ' is not a number'
        end as scoring_error,
        requests.ingested_at
    from requests
    left join serving on requests.campaign_id = serving.campaign_id
    left join vector_checks on requests.request_id = vector_checks.request_id
)

select * from assigned
