{{ config(tags=['eda']) }}

{#- The seed's correlation check, adapted to any label: Pearson's
    correlation of every model input with each label value's one-vs-rest
    indicator (1 when the example has that label, e.g. converted on that
    offer), per model spec and group, on the training rows the model learns
    from, encoded with the current fitted state. For a one-hot input that is
    the phi coefficient (from a 2x2 count table), for a numeric input the
    point-biserial correlation (rows with the value missing are left out).
    Correlating with the class index instead would depend on the arbitrary
    order of label values, so it is not computed. -#}

with labelled_train as (
    select
        model_name,
        entity_id,
        group_id,
        fitted_state_id,
        label_value
    from {{ ref('int_training_labelled') }}
    where split = 'train'
),

states as (
    select distinct
        model_name,
        group_id,
        fitted_state_id
    from labelled_train
),

feature_columns as (
    select feature_columns.*
    from {{ ref('fit_feature_columns') }} as feature_columns
    inner join states
        on {{ warehouse_ml.keys_match('feature_columns', 'states', ['model_name', 'group_id', 'fitted_state_id']) }}
),

features as (select * from {{ ref('int_training_features') }}),

group_rows as (
    select
        model_name,
        group_id,
        count(*) as n_rows
    from labelled_train
    group by model_name, group_id
),

labels as (
    select
        model_name,
        group_id,
        label_value,
        count(*) as n_label_rows
    from labelled_train
    group by model_name, group_id, label_value
),

labelled_features as (
    -- Each training example's model inputs, with the input's kind (onehot or numeric).
    select
        labelled_train.model_name,
        labelled_train.group_id,
        labelled_train.label_value,
        features.feature_index,
        features.value,
        feature_columns.kind
    from labelled_train
    inner join features on {{ warehouse_ml.keys_match('labelled_train', 'features', ['model_name', 'entity_id']) }}
    inner join feature_columns
        on
            {{ warehouse_ml.keys_match('labelled_train', 'feature_columns', ['model_name', 'group_id']) }}
            and features.feature_index = feature_columns.feature_index
),

lit_counts as (
    select
        model_name,
        group_id,
        feature_index,
        label_value,
        count(*) as n_lit
    from labelled_features
    where kind = 'onehot' and value = 1
    group by model_name, group_id, feature_index, label_value
),

lit_totals as (
    select
        model_name,
        group_id,
        feature_index,
        sum(n_lit) as n_lit
    from lit_counts
    group by model_name, group_id, feature_index
),

onehot_counts as (
    select
        feature_columns.model_name,
        feature_columns.group_id,
        feature_columns.feature_index,
        labels.label_value,
        cast(group_rows.n_rows as double) as n_rows,
        cast(coalesce(lit_totals.n_lit, 0) as double) as n_feature,
        cast(labels.n_label_rows as double) as n_label,
        cast(coalesce(lit_counts.n_lit, 0) as double) as n_both
    from feature_columns
    inner join labels on {{ warehouse_ml.keys_match('feature_columns', 'labels', ['model_name', 'group_id']) }}
    inner join group_rows on {{ warehouse_ml.keys_match('feature_columns', 'group_rows', ['model_name', 'group_id']) }}
    left join lit_totals
        on {{ warehouse_ml.keys_match('feature_columns', 'lit_totals', ['model_name', 'group_id', 'feature_index']) }}
    left join lit_counts
        on
            feature_columns.model_name = lit_counts.model_name
            and feature_columns.group_id = lit_counts.group_id
            and feature_columns.feature_index = lit_counts.feature_index
            and labels.label_value = lit_counts.label_value
    where feature_columns.kind = 'onehot'
),

onehot_correlations as (
    select
        model_name,
        group_id,
        feature_index,
        label_value,
        'phi' as method,
        cast(n_rows as bigint) as n_rows,
        case
            when n_feature * (n_rows - n_feature) * n_label * (n_rows - n_label) > 0
                then
                    (n_rows * n_both - n_feature * n_label)
                    / sqrt(n_feature * (n_rows - n_feature) * n_label * (n_rows - n_label))
        end as correlation
    from onehot_counts
),

numeric_values as (
    select
        model_name,
        group_id,
        label_value as example_label_value,
        feature_index,
        value
    from labelled_features
    where kind = 'numeric' and value is not null
),

numeric_correlations as (
    select
        numeric_values.model_name,
        numeric_values.group_id,
        numeric_values.feature_index,
        labels.label_value,
        'point_biserial' as method,
        count(*) as n_rows,
        corr(
            cast(case when numeric_values.example_label_value = labels.label_value then 1 else 0 end as double),
            numeric_values.value
        ) as correlation
    from numeric_values
    inner join labels on {{ warehouse_ml.keys_match('numeric_values', 'labels', ['model_name', 'group_id']) }}
    group by numeric_values.model_name, numeric_values.group_id, numeric_values.feature_index, labels.label_value
),

correlations as (
    select * from onehot_correlations
    union all
    select * from numeric_correlations
),

final as (
    select
        correlations.model_name,
        correlations.group_id,
        feature_columns.fitted_state_id,
        correlations.label_value,
        feature_columns.feature_name,
        feature_columns.column_name,
        feature_columns.kind as feature_kind,
        correlations.method,
        correlations.feature_index,
        correlations.n_rows,
        cast(correlations.correlation as double) as correlation,
        cast(row_number() over (
            partition by correlations.model_name, correlations.group_id, correlations.label_value
            order by abs(correlations.correlation) desc nulls last, correlations.feature_index
        ) as integer) as strength_rank
    from correlations
    inner join feature_columns
        on {{ warehouse_ml.keys_match('correlations', 'feature_columns', ['model_name', 'group_id', 'feature_index']) }}
)

select * from final
