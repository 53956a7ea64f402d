{{ config(tags=['eda']) }}

{#- The seed's outlier rule per model spec, group, split and numeric feature: values
    below Q1 - 1.5 IQR or above Q3 + 1.5 IQR (IQR = Q3 - Q1), quartiles by
    linear interpolation as numpy.percentile. Counted, not removed: the model
    trains on all rows; this table says how many are extreme. -#}

with feature_values as (
    {{ warehouse_ml.training_numeric_by_split() }}
),

quartiles as (
    {{ warehouse_ml.linear_quantiles('feature_values', ['model_name', 'group_id', 'split', 'feature'], 'feature_value', [[1, '0.25'], [3, '0.75']]) }}
),

fences as (
    select
        q1.model_name,
        q1.group_id,
        q1.split,
        q1.feature,
        q1.quantile_value as q1,
        q3.quantile_value as q3,
        q3.quantile_value - q1.quantile_value as iqr,
        q1.quantile_value - 1.5 * (q3.quantile_value - q1.quantile_value) as lower_fence,
        q3.quantile_value + 1.5 * (q3.quantile_value - q1.quantile_value) as upper_fence
    from quartiles as q1
    inner join quartiles as q3
        on
            {{ warehouse_ml.keys_match('q1', 'q3', ['model_name', 'group_id', 'split', 'feature']) }}
            and q3.quantile_rank = 3
    where q1.quantile_rank = 1
),

final as (
    select
        fences.model_name,
        fences.group_id,
        fences.split,
        fences.feature,
        count(feature_values.feature_value) as n_rows,
        fences.q1,
        fences.q3,
        fences.iqr,
        fences.lower_fence,
        fences.upper_fence,
        count(case when feature_values.feature_value < fences.lower_fence then 1 end) as n_below,
        count(case when feature_values.feature_value > fences.upper_fence then 1 end) as n_above,
        cast(count(
            case when feature_values.feature_value < fences.lower_fence or feature_values.feature_value > fences.upper_fence then 1 end
        ) as double) / count(feature_values.feature_value) as outlier_share
    from fences
    inner join feature_values
        on {{ warehouse_ml.keys_match('fences', 'feature_values', ['model_name', 'group_id', 'split', 'feature']) }}
    group by
        fences.model_name, fences.group_id, fences.split, fences.feature,
        fences.q1, fences.q3, fences.iqr, fences.lower_fence, fences.upper_fence
)

select * from final
