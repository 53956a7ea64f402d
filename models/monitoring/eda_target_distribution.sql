{{ config(tags=['eda']) }}

{#- The seed's third EDA check: the distribution of the target (the converted
    offer) per campaign and split, as landed (int_conversions_split) and as the
    model sees it (int_conversions_labelled: after rare-value filtering and
    without evaluation rows whose offer never appears in training). -#}

with split as (
    select * from {{ ref('int_conversions_split') }}
),

labelled as (
    select * from {{ ref('int_conversions_labelled') }}
),

split_counts as (
    select
        campaign_id,
        split,
        offer_id,
        count(*) as n_rows
    from split
    group by campaign_id, split, offer_id
),

model_counts as (
    select
        campaign_id,
        split,
        offer_id,
        count(*) as n_model_rows
    from labelled
    group by campaign_id, split, offer_id
),

final as (
    select
        split_counts.campaign_id,
        split_counts.split,
        split_counts.offer_id,
        split_counts.n_rows,
        cast(split_counts.n_rows as double)
        / sum(split_counts.n_rows) over (partition by split_counts.campaign_id, split_counts.split) as share,
        coalesce(model_counts.n_model_rows, 0) as n_model_rows,
        cast(coalesce(model_counts.n_model_rows, 0) as double)
        / nullif(sum(coalesce(model_counts.n_model_rows, 0)) over (
            partition by split_counts.campaign_id, split_counts.split
        ), 0) as model_share
    from split_counts
    left join model_counts
        on
            split_counts.campaign_id = model_counts.campaign_id
            and split_counts.split = model_counts.split
            and split_counts.offer_id = model_counts.offer_id
)

select * from final
