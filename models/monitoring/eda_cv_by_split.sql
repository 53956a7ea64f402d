{{ config(tags=['eda']) }}

{#- The seed's first EDA check, per model spec, group and numeric feature: the
    coefficient of variation (100 * sample standard deviation / mean) on the
    training and on the test split, and their difference; under
    var `eda_max_cv_difference` (3) the split is called fair. Over all events
    of the split (int_training_examples), before rare-value filtering. The CV is
    undefined (NULL) when a mean is 0, and is unstable for features whose mean
    is near 0 (e.g. longitudes around Greenwich): read it with the means. -#}
{%- set max_difference = warehouse_ml.eda_max_cv_difference() %}

with feature_values as (
    {{ warehouse_ml.training_numeric_by_split() }}
),

moments as (
    select
        model_name,
        group_id,
        feature,
        split,
        count(feature_value) as n_rows,
        avg(feature_value) as mean_value,
        stddev_samp(feature_value) as std_value
    from feature_values
    group by model_name, group_id, feature, split
),

per_split as (
    select
        *,
        case when mean_value <> 0 then 100.0 * std_value / mean_value end as cv_percent
    from moments
),

compared as (
    select
        train.model_name,
        train.group_id,
        train.feature,
        train.n_rows as n_train_rows,
        test.n_rows as n_test_rows,
        train.mean_value as train_mean,
        train.std_value as train_std,
        train.cv_percent as train_cv_percent,
        test.mean_value as test_mean,
        test.std_value as test_std,
        test.cv_percent as test_cv_percent,
        abs(train.cv_percent - test.cv_percent) as cv_difference
    from per_split as train
    inner join per_split as test
        on
            {{ warehouse_ml.keys_match('train', 'test', ['model_name', 'group_id', 'feature']) }}
            and test.split = 'test'
    where train.split = 'train'
),

final as (
    select
        model_name,
        group_id,
        feature,
        n_train_rows,
        n_test_rows,
        train_mean,
        train_std,
        train_cv_percent,
        test_mean,
        test_std,
        test_cv_percent,
        cv_difference,
        cast({{ max_difference }} as double) as max_cv_difference,
        coalesce(cv_difference < {{ max_difference }}, false) as is_split_fair
    from compared
)

select * from final
