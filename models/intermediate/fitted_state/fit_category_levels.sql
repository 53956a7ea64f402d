{{ config(
    materialized='incremental', incremental_strategy='append', full_refresh=false, on_schema_change='append_new_columns',
    post_hook="{{ warehouse_ml.backfill_offer_keys(this) }}",
) }}

{#- The categorical vocabulary of each model (spec) and group, fitted on the
    training split only, one state per build (fitted_state_id = the dbt
    invocation). Append-only: models in the registry point at the state they
    were trained with. A value is rare under its spec's min_frequency of the
    group's training rows or min_count rows. In bucket mode every column gets
    an `__other__` level (rare and unseen values light it), even a column
    without a rare training value. -#}

with categories as (
    select * from {{ ref('int_training_categories') }}
    where split = 'train'
),

settings as (
    {{ warehouse_ml.spec_settings() }}
),

group_rows as (
    {{ warehouse_ml.training_group_rows() }}
),

counts as (
    select
        model_name,
        group_id,
        column_name,
        category,
        min(encoded_value) as encoded_value,
        count(*) as n_train_rows
    from categories
    group by model_name, group_id, column_name, category
),

flagged as (
    select
        counts.model_name,
        counts.group_id,
        counts.column_name,
        counts.category,
        counts.encoded_value,
        counts.n_train_rows,
        cast(counts.n_train_rows as double) / group_rows.n_group_rows as frequency,
        (
            counts.n_train_rows < settings.min_count
            or cast(counts.n_train_rows as double) / group_rows.n_group_rows < settings.min_frequency
        ) as is_rare
    from counts
    inner join group_rows on {{ warehouse_ml.keys_match('counts', 'group_rows', ['model_name', 'group_id']) }}
    inner join settings on counts.model_name = settings.model_name
),

other_levels as (
    select
        flagged.model_name,
        flagged.group_id,
        flagged.column_name,
        '{{ warehouse_ml.other_category() }}' as category,
        '{{ warehouse_ml.other_category() }}' as encoded_value,
        cast(sum(case when flagged.is_rare then flagged.n_train_rows else 0 end) as bigint) as n_train_rows,
        sum(case when flagged.is_rare then flagged.frequency else 0 end) as frequency,
        false as is_rare
    from flagged
    inner join settings on flagged.model_name = settings.model_name
    where settings.is_bucket_mode
    group by flagged.model_name, flagged.group_id, flagged.column_name
),

levels as (
    select * from flagged
    union all
    select * from other_levels
),

indexed as (
    select
        levels.*,
        case
            when not levels.is_rare
                then settings.n_numeric_features - 1 + row_number() over (
                    partition by levels.model_name, levels.group_id, levels.is_rare
                    order by
                        {{ warehouse_ml.spec_column_order('levels.model_name', 'levels.column_name') }},
                        levels.n_train_rows desc,
                        levels.encoded_value
                )
        end as feature_index,
        -- Values differing only by case would give column names that collide in
        -- case-insensitive engines; later ones get a "(n)" suffix, which
        -- percent-encoding never produces, so names stay unique.
        row_number() over (
            partition by
                levels.model_name, levels.group_id, levels.is_rare,
                lower(levels.column_name || '_' || levels.encoded_value)
            order by levels.encoded_value
        ) as case_rank
    from levels
    inner join settings on levels.model_name = settings.model_name
),

final as (
    select
        '{{ invocation_id }}' as fitted_state_id,
        model_name,
        group_id,
        column_name,
        category,
        encoded_value,
        case
            when not is_rare
                then
                    column_name || '_' || encoded_value
                    || case when case_rank > 1 then '(' || cast(case_rank as varchar) || ')' else '' end
        end as feature_name,
        feature_index,
        n_train_rows,
        frequency,
        is_rare,
        current_timestamp as fitted_at
    from indexed
)

select * from final
