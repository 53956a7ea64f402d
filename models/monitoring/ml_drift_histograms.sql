{#- The histograms behind this session's feature drift, one row per serving
    model, feature and bucket: how the current requests (ml_drift_requests)
    and the training split of the serving model's fitted state (reference) fall
    into the same buckets. Categorical features: one bucket per training value
    (rare ones included), `__other__` for values training never saw and
    `__missing__` for NULL. Numeric features: the quantile bins of
    fit_numeric_bins plus `__missing__`. Every bucket gets var `drift_smoothing`
    added before normalising; kl_term = p * ln(p / q) sums to ml_drift's
    kl_divergence. Rebuilt each session (invocation_id says which). -#}
{%- set smoothing = warehouse_ml.drift_smoothing() -%}
{%- set other = warehouse_ml.other_category() %}

with serving as (
    select
        model_id,
        model_name,
        group_id,
        fitted_state_id
    from {{ ref('ml_serving_models') }}
),

current_requests as (select * from {{ ref('ml_drift_requests') }}),

monitored as (
    -- Serving models with requests to compare; a group without any has no drift rows.
    select
        serving.model_id,
        serving.model_name,
        serving.group_id,
        serving.fitted_state_id
    from serving
    where serving.model_id in (select current_requests.model_id from current_requests)
),

current_features as (
    -- Every request has a row per model input column of its spec, so this lists them.
    select distinct
        model_id,
        feature,
        feature_kind
    from current_requests
),

settings as (
    {{ warehouse_ml.spec_settings() }}
),

reference_levels as (
    select
        levels.fitted_state_id,
        levels.model_name,
        levels.group_id,
        levels.column_name as feature,
        levels.category,
        levels.n_train_rows,
        levels.frequency
    from {{ ref('fit_category_levels') }} as levels
    inner join monitored
        on {{ warehouse_ml.keys_match('levels', 'monitored', ['fitted_state_id', 'model_name', 'group_id']) }}
    inner join settings on levels.model_name = settings.model_name
    -- In bucket mode the bucket level sums the rare values, which keep their own rows: skip it.
    where not (settings.is_bucket_mode and levels.category = '{{ other }}' and not levels.is_rare)
),

reference_totals as (
    -- The training split's row count: frequency is n_train_rows / that count.
    select
        fitted_state_id,
        model_name,
        group_id,
        cast(max(round(n_train_rows / nullif(frequency, 0))) as bigint) as n_train_rows
    from reference_levels
    group by fitted_state_id, model_name, group_id
),

reference_present as (
    select
        fitted_state_id,
        model_name,
        group_id,
        feature,
        sum(n_train_rows) as n_present_rows
    from reference_levels
    group by fitted_state_id, model_name, group_id, feature
),

categorical_features as (
    select
        monitored.model_id,
        monitored.model_name,
        monitored.group_id,
        monitored.fitted_state_id,
        current_features.feature
    from monitored
    inner join current_features on monitored.model_id = current_features.model_id
    where current_features.feature_kind = 'categorical'
),

categorical_buckets as (
    -- By model_id (`smoothed` adds the model's spec, group and state): a bucket per
    -- training value, one for values training never saw and one for NULL.
    select
        categorical_features.model_id,
        categorical_features.feature,
        'value' as bucket_kind,
        reference_levels.category as bucket,
        reference_levels.n_train_rows as n_reference
    from categorical_features
    inner join reference_levels
        on {{ warehouse_ml.keys_match('categorical_features', 'reference_levels', ['fitted_state_id', 'model_name', 'group_id', 'feature']) }}
    union all
    select
        model_id,
        feature,
        'other' as bucket_kind,
        '{{ other }}' as bucket,
        0 as n_reference
    from categorical_features
    union all
    select
        categorical_features.model_id,
        categorical_features.feature,
        'missing' as bucket_kind,
        '__missing__' as bucket,
        reference_totals.n_train_rows - coalesce(reference_present.n_present_rows, 0) as n_reference
    from categorical_features
    inner join reference_totals
        on {{ warehouse_ml.keys_match('categorical_features', 'reference_totals', ['fitted_state_id', 'model_name', 'group_id']) }}
    left join reference_present
        on {{ warehouse_ml.keys_match('categorical_features', 'reference_present', ['fitted_state_id', 'model_name', 'group_id', 'feature']) }}
),

current_categories as (
    select
        model_id,
        feature,
        category
    from current_requests
    where feature_kind = 'categorical'
),

current_category_buckets as (
    select
        current_categories.model_id,
        current_categories.feature,
        case
            when current_categories.category is null then 'missing'
            when reference_levels.category is null then 'other'
            else 'value'
        end as bucket_kind,
        case
            when current_categories.category is null then '__missing__'
            when reference_levels.category is null then '{{ other }}'
            else reference_levels.category
        end as bucket
    from current_categories
    inner join monitored on current_categories.model_id = monitored.model_id
    left join reference_levels
        on
            {{ warehouse_ml.keys_match('monitored', 'reference_levels', ['fitted_state_id', 'model_name', 'group_id']) }}
            and {{ warehouse_ml.keys_match('current_categories', 'reference_levels', ['feature', 'category']) }}
),

current_category_counts as (
    select
        model_id,
        feature,
        bucket_kind,
        bucket,
        count(*) as n_current
    from current_category_buckets
    group by model_id, feature, bucket_kind, bucket
),

numeric_buckets as (
    select
        monitored.model_id,
        bins.column_name as feature,
        case when bins.is_missing_bin then 'missing' else 'bin' end as bucket_kind,
        case when bins.is_missing_bin then '__missing__' else cast(bins.bin_index as varchar) end as bucket,
        bins.bin_index,
        bins.lower_edge,
        bins.upper_edge,
        bins.n_train_rows as n_reference,
        bins.is_missing_bin
    from monitored
    inner join {{ ref('fit_numeric_bins') }} as bins
        on {{ warehouse_ml.keys_match('monitored', 'bins', ['fitted_state_id', 'model_name', 'group_id']) }}
    -- Only the columns requests carry (upstream aggregates are not in a request).
    inner join current_features
        on
            monitored.model_id = current_features.model_id
            and bins.column_name = current_features.feature
),

current_numbers as (
    select
        model_id,
        feature,
        feature_value
    from current_requests
    where feature_kind = 'numeric'
),

current_numeric_counts as (
    select
        current_numbers.model_id,
        current_numbers.feature,
        numeric_buckets.bin_index,
        count(*) as n_current
    from current_numbers
    inner join numeric_buckets
        on
            {{ warehouse_ml.keys_match('current_numbers', 'numeric_buckets', ['model_id', 'feature']) }}
            and (
                (current_numbers.feature_value is null and numeric_buckets.is_missing_bin)
                or (
                    current_numbers.feature_value is not null
                    and not numeric_buckets.is_missing_bin
                    and (numeric_buckets.lower_edge is null or current_numbers.feature_value >= numeric_buckets.lower_edge)
                    and (numeric_buckets.upper_edge is null or current_numbers.feature_value < numeric_buckets.upper_edge)
                )
            )
    group by current_numbers.model_id, current_numbers.feature, numeric_buckets.bin_index
),

counted as (
    select
        categorical_buckets.model_id,
        categorical_buckets.feature,
        'categorical' as feature_kind,
        categorical_buckets.bucket_kind,
        categorical_buckets.bucket,
        cast(null as integer) as bin_index,
        cast(null as double) as lower_edge,
        cast(null as double) as upper_edge,
        coalesce(current_category_counts.n_current, 0) as n_current,
        categorical_buckets.n_reference
    from categorical_buckets
    left join current_category_counts
        on {{ warehouse_ml.keys_match('categorical_buckets', 'current_category_counts', ['model_id', 'feature', 'bucket_kind', 'bucket']) }}
    union all
    select
        numeric_buckets.model_id,
        numeric_buckets.feature,
        'numeric' as feature_kind,
        numeric_buckets.bucket_kind,
        numeric_buckets.bucket,
        numeric_buckets.bin_index,
        numeric_buckets.lower_edge,
        numeric_buckets.upper_edge,
        coalesce(current_numeric_counts.n_current, 0) as n_current,
        numeric_buckets.n_reference
    from numeric_buckets
    left join current_numeric_counts
        on {{ warehouse_ml.keys_match('numeric_buckets', 'current_numeric_counts', ['model_id', 'feature', 'bin_index']) }}
),

smoothed as (
    select
        counted.*,
        monitored.model_name,
        monitored.group_id,
        monitored.fitted_state_id,
        (cast(counted.n_current as double) + cast({{ smoothing }} as double))
        / sum(cast(counted.n_current as double) + cast({{ smoothing }} as double))
            over (partition by counted.model_id, counted.feature)
            as p_current,
        (cast(counted.n_reference as double) + cast({{ smoothing }} as double))
        / sum(cast(counted.n_reference as double) + cast({{ smoothing }} as double))
            over (partition by counted.model_id, counted.feature)
            as q_reference
    from counted
    inner join monitored on counted.model_id = monitored.model_id
),

final as (
    select
        '{{ invocation_id }}' as invocation_id,
        model_id,
        model_name,
        group_id,
        fitted_state_id,
        feature,
        feature_kind,
        bucket_kind,
        bucket,
        bin_index,
        lower_edge,
        upper_edge,
        cast(n_current as bigint) as n_current,
        cast(n_reference as bigint) as n_reference,
        cast({{ smoothing }} as double) as smoothing,
        p_current,
        q_reference,
        p_current * ln(p_current / q_reference) as kl_term,
        {{ warehouse_ml.session_started_at() }} as recorded_at
    from smoothed
)

select * from final
