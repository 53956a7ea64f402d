{{ config(tags=['eda']) }}

{#- The seed's third EDA check: the distribution of the label per model
    spec, group and split, as landed (int_training_examples) and as the model
    sees it (int_training_labelled: after rare-value filtering and without
    evaluation rows whose label never appears in training). -#}

with examples as (
    select
        model_name,
        group_id,
        split,
        label_value
    from {{ ref('int_training_examples') }}
),

labelled as (
    select
        model_name,
        group_id,
        split,
        label_value
    from {{ ref('int_training_labelled') }}
),

split_counts as (
    select
        model_name,
        group_id,
        split,
        label_value,
        count(*) as n_rows
    from examples
    group by model_name, group_id, split, label_value
),

model_counts as (
    select
        model_name,
        group_id,
        split,
        label_value,
        count(*) as n_model_rows
    from labelled
    group by model_name, group_id, split, label_value
),

final as (
    select
        split_counts.model_name,
        split_counts.group_id,
        split_counts.split,
        split_counts.label_value,
        split_counts.n_rows,
        cast(split_counts.n_rows as double)
        / sum(split_counts.n_rows) over (
            partition by split_counts.model_name, split_counts.group_id, split_counts.split
        ) as share,
        coalesce(model_counts.n_model_rows, 0) as n_model_rows,
        cast(coalesce(model_counts.n_model_rows, 0) as double)
        / nullif(sum(coalesce(model_counts.n_model_rows, 0)) over (
            partition by split_counts.model_name, split_counts.group_id, split_counts.split
        ), 0) as model_share
    from split_counts
    left join model_counts
        on {{ warehouse_ml.keys_match('split_counts', 'model_counts', ['model_name', 'group_id', 'split', 'label_value']) }}
)

select * from final
