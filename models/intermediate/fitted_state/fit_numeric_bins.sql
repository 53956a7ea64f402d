{{ config(
    materialized='incremental', incremental_strategy='append', full_refresh=false, on_schema_change='append_new_columns',
    post_hook="{{ warehouse_ml.backfill_offer_keys(this) }}",
) }}

{#- Quantile bins of each numeric feature of each model (spec) and group,
    fitted on the training split only, one state per build (fitted_state_id = the dbt
    invocation, as in fit_category_levels). Append-only: drift monitoring reads
    the bins of the state the serving model was trained with. Cut points are
    the training values' quantiles 1/n, ..., (n-1)/n (n = var
    `drift_numeric_bins`, linear interpolation as numpy.quantile), ties merged;
    a value equal to a cut point falls in the bin on its right. Each column also
    has a last bucket for missing values. n_train_rows is the reference histogram. -#}
{%- set n_bins = warehouse_ml.drift_numeric_bins() -%}
{%- set probabilities = [] -%}
{#- Probability i is i * (1 / n), as numpy.linspace computes it, so cut points match numpy bit for bit. -#}
{%- for i in range(1, n_bins) -%}
{%- do probabilities.append([i, 'cast(' ~ i ~ ' as double) * (cast(1 as double) / ' ~ n_bins ~ ')']) -%}
{%- endfor %}

with train_values as (
    select
        model_name,
        group_id,
        column_name,
        value as feature_value
    from {{ ref('int_training_numeric') }}
    where split = 'train'
),

feature_columns as (
    select
        model_name,
        group_id,
        column_name,
        count(*) as n_group_rows,
        count(feature_value) as n_present_rows
    from train_values
    group by model_name, group_id, column_name
),

{% if probabilities -%}
cut_points as (
    {{ warehouse_ml.linear_quantiles('train_values', ['model_name', 'group_id', 'column_name'], 'feature_value', probabilities) }}
),
{%- else -%}
cut_points as (
    select
        model_name,
        group_id,
        column_name,
        cast(null as double) as quantile_value
    from feature_columns
    where false
),
{%- endif %}

distinct_cuts as (
    select distinct
        model_name,
        group_id,
        column_name,
        quantile_value as cut_point
    from cut_points
),

ranked_cuts as (
    select
        model_name,
        group_id,
        column_name,
        cut_point,
        cast(row_number() over (partition by model_name, group_id, column_name order by cut_point) as integer) as cut_rank
    from distinct_cuts
),

value_bins as (
    -- Bin 0 is open below; bin k starts at the k-th cut point and ends at the next (open above for the last).
    select
        feature_columns.model_name,
        feature_columns.group_id,
        feature_columns.column_name,
        cast(0 as integer) as bin_index,
        cast(null as double) as lower_edge,
        first_cut.cut_point as upper_edge
    from feature_columns
    left join ranked_cuts as first_cut
        on
            {{ warehouse_ml.keys_match('feature_columns', 'first_cut', ['model_name', 'group_id', 'column_name']) }}
            and first_cut.cut_rank = 1
    union all
    select
        model_name,
        group_id,
        column_name,
        cut_rank as bin_index,
        cut_point as lower_edge,
        lead(cut_point) over (partition by model_name, group_id, column_name order by cut_rank) as upper_edge
    from ranked_cuts
),

bin_counts as (
    select
        model_name,
        group_id,
        column_name,
        count(*) as n_value_bins
    from value_bins
    group by model_name, group_id, column_name
),

value_counts as (
    select
        value_bins.model_name,
        value_bins.group_id,
        value_bins.column_name,
        value_bins.bin_index,
        count(train_values.feature_value) as n_train_rows
    from value_bins
    left join train_values
        on
            {{ warehouse_ml.keys_match('value_bins', 'train_values', ['model_name', 'group_id', 'column_name']) }}
            and (value_bins.lower_edge is null or value_bins.lower_edge <= train_values.feature_value)
            and (value_bins.upper_edge is null or value_bins.upper_edge > train_values.feature_value)
    group by value_bins.model_name, value_bins.group_id, value_bins.column_name, value_bins.bin_index
),

buckets as (
    select
        value_bins.model_name,
        value_bins.group_id,
        value_bins.column_name,
        value_bins.bin_index,
        value_bins.lower_edge,
        value_bins.upper_edge,
        value_counts.n_train_rows,
        false as is_missing_bin
    from value_bins
    inner join value_counts
        on {{ warehouse_ml.keys_match('value_bins', 'value_counts', ['model_name', 'group_id', 'column_name', 'bin_index']) }}
    union all
    select
        feature_columns.model_name,
        feature_columns.group_id,
        feature_columns.column_name,
        cast(bin_counts.n_value_bins as integer) as bin_index,
        cast(null as double) as lower_edge,
        cast(null as double) as upper_edge,
        feature_columns.n_group_rows - feature_columns.n_present_rows as n_train_rows,
        true as is_missing_bin
    from feature_columns
    inner join bin_counts
        on {{ warehouse_ml.keys_match('feature_columns', 'bin_counts', ['model_name', 'group_id', 'column_name']) }}
),

final as (
    select
        '{{ invocation_id }}' as fitted_state_id,
        buckets.model_name,
        buckets.group_id,
        buckets.column_name,
        buckets.bin_index,
        buckets.lower_edge,
        buckets.upper_edge,
        buckets.n_train_rows,
        cast(buckets.n_train_rows as double) / feature_columns.n_group_rows as frequency,
        buckets.is_missing_bin,
        current_timestamp as fitted_at
    from buckets
    inner join feature_columns
        on {{ warehouse_ml.keys_match('buckets', 'feature_columns', ['model_name', 'group_id', 'column_name']) }}
)

select * from final
