{{ config(tags=['eda']) }}

{#- The seed's correlation check, adapted to a multiclass target: Pearson's
    correlation of every model input with each offer's one-vs-rest indicator
    (1 when the event converted on that offer), on the training rows the model
    learns from, encoded with the current fitted state. For a one-hot input
    that is the phi coefficient (from a 2x2 count table), for lat/long the
    point-biserial correlation (rows with the value missing are left out).
    Correlating with the class index instead would depend on the arbitrary
    order of offer ids, so it is not computed. -#}

with labelled_train as (
    select
        event_id,
        campaign_id,
        fitted_state_id,
        offer_id
    from {{ ref('int_conversions_labelled') }}
    where split = 'train'
),

states as (
    select distinct
        campaign_id,
        fitted_state_id
    from labelled_train
),

feature_columns as (
    select feature_columns.*
    from {{ ref('fit_feature_columns') }} as feature_columns
    inner join states
        on
            feature_columns.campaign_id = states.campaign_id
            and feature_columns.fitted_state_id = states.fitted_state_id
),

features as (
    select * from {{ ref('int_conversions_features') }}
),

campaign_rows as (
    select
        campaign_id,
        count(*) as n_rows
    from labelled_train
    group by campaign_id
),

offers as (
    select
        campaign_id,
        offer_id,
        count(*) as n_offer_rows
    from labelled_train
    group by campaign_id, offer_id
),

lit_counts as (
    select
        labelled_train.campaign_id,
        features.feature_index,
        labelled_train.offer_id,
        count(*) as n_lit
    from labelled_train
    inner join features on labelled_train.event_id = features.event_id
    inner join feature_columns
        on
            labelled_train.campaign_id = feature_columns.campaign_id
            and features.feature_index = feature_columns.feature_index
    where feature_columns.kind = 'onehot' and features.value = 1
    group by labelled_train.campaign_id, features.feature_index, labelled_train.offer_id
),

lit_totals as (
    select
        campaign_id,
        feature_index,
        sum(n_lit) as n_lit
    from lit_counts
    group by campaign_id, feature_index
),

onehot_counts as (
    select
        feature_columns.campaign_id,
        feature_columns.feature_index,
        offers.offer_id,
        cast(campaign_rows.n_rows as double) as n_rows,
        cast(coalesce(lit_totals.n_lit, 0) as double) as n_feature,
        cast(offers.n_offer_rows as double) as n_offer,
        cast(coalesce(lit_counts.n_lit, 0) as double) as n_both
    from feature_columns
    inner join offers on feature_columns.campaign_id = offers.campaign_id
    inner join campaign_rows on feature_columns.campaign_id = campaign_rows.campaign_id
    left join lit_totals
        on
            feature_columns.campaign_id = lit_totals.campaign_id
            and feature_columns.feature_index = lit_totals.feature_index
    left join lit_counts
        on
            feature_columns.campaign_id = lit_counts.campaign_id
            and feature_columns.feature_index = lit_counts.feature_index
            and offers.offer_id = lit_counts.offer_id
    where feature_columns.kind = 'onehot'
),

onehot_correlations as (
    select
        campaign_id,
        feature_index,
        offer_id,
        'phi' as method,
        cast(n_rows as bigint) as n_rows,
        case
            when n_feature * (n_rows - n_feature) * n_offer * (n_rows - n_offer) > 0
                then
                    (n_rows * n_both - n_feature * n_offer)
                    / sqrt(n_feature * (n_rows - n_feature) * n_offer * (n_rows - n_offer))
        end as correlation
    from onehot_counts
),

numeric_values as (
    select
        labelled_train.campaign_id,
        labelled_train.offer_id as event_offer_id,
        features.feature_index,
        features.value
    from labelled_train
    inner join features on labelled_train.event_id = features.event_id
    inner join feature_columns
        on
            labelled_train.campaign_id = feature_columns.campaign_id
            and features.feature_index = feature_columns.feature_index
    where feature_columns.kind = 'numeric' and features.value is not null
),

numeric_correlations as (
    select
        numeric_values.campaign_id,
        numeric_values.feature_index,
        offers.offer_id,
        'point_biserial' as method,
        count(*) as n_rows,
        corr(
            cast(case when numeric_values.event_offer_id = offers.offer_id then 1 else 0 end as double),
            numeric_values.value
        ) as correlation
    from numeric_values
    inner join offers on numeric_values.campaign_id = offers.campaign_id
    group by numeric_values.campaign_id, numeric_values.feature_index, offers.offer_id
),

correlations as (
    select * from onehot_correlations
    union all
    select * from numeric_correlations
),

final as (
    select
        correlations.campaign_id,
        feature_columns.fitted_state_id,
        correlations.offer_id,
        feature_columns.feature_name,
        feature_columns.column_name,
        feature_columns.kind as feature_kind,
        correlations.method,
        correlations.feature_index,
        correlations.n_rows,
        cast(correlations.correlation as double) as correlation,
        cast(row_number() over (
            partition by correlations.campaign_id, correlations.offer_id
            order by abs(correlations.correlation) desc nulls last, correlations.feature_index
        ) as integer) as strength_rank
    from correlations
    inner join feature_columns
        on
            correlations.campaign_id = feature_columns.campaign_id
            and correlations.feature_index = feature_columns.feature_index
)

select * from final
