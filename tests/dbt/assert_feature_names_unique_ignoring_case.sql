{#- Model input names must be unique per fitted state, model and group even when
    compared case-insensitively (DuckDB and Trino fold unquoted identifiers), which
    the "(n)" suffix of fit_category_levels guarantees. One row per clash. -#}

select
    fitted_state_id,
    model_name,
    group_id,
    lower(feature_name) as feature_name_lower,
    count(*) as n_columns
from {{ ref('fit_feature_columns') }}
group by fitted_state_id, model_name, group_id, lower(feature_name)
having count(*) > 1
