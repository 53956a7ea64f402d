{#- The inputs of every fitted state, model and group are numbered 0..n-1 without
    gaps or repeats: training and both scorers build the feature vector by
    position. One row per (fitted state, model, group) that breaks this. -#}

select
    fitted_state_id,
    model_name,
    group_id,
    count(*) as n_columns,
    count(distinct feature_index) as n_distinct_indexes,
    min(feature_index) as min_index,
    max(feature_index) as max_index
from {{ ref('fit_feature_columns') }}
group by fitted_state_id, model_name, group_id
having
    min(feature_index) <> 0
    or max(feature_index) <> count(*) - 1
    or count(distinct feature_index) <> count(*)
    or count(feature_index) <> count(*)
