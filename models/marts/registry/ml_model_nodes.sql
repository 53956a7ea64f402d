{{ config(materialized='view', enabled=(target.type == 'trino')) }}

{#- The node tables on Trino (on DuckDB the dbt Python model of the same name
    computes them from ml_models): `wml run --target trino` writes a model's
    trees to the log before its registry row (warehouse_ml.trino_registry). -#}

with log as (
    select * from {{ source('registry', 'ml_model_nodes_log') }}
),

final as (
    select
        log.model_id,
        log.tree_id,
        log.node_id,
        log.class_index,
        log.is_leaf,
        log.feature_index,
        log.threshold,
        log.left_child,
        log.right_child,
        log.missing_child,
        log.leaf_value
    from log
)

select * from final
