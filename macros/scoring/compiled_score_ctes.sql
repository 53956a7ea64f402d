{#- CTE definitions (each followed by a comma) that score rows with trees
    compiled to SQL, ending with the CTE `compiled_scores` (model_name,
    request_id, group_id, model_id, label_value, class_index, probability,
    rank): one row per row and class, rank 1 the most likely class (ties by
    class index). Shared by the batch SQL scorer (ml_scores_sql) and `predict`.
    models: [model_id, scoring_sql] pairs (serving_scoring_sql); features: a
    CTE in long form (model_name, request_id, feature_index, value); assigned:
    a CTE of (model_name, request_id, model_id), the model that scores each
    row; classes: a relation of (model_name, model_id, group_id, label_value,
    class_index), int_serving_label_classes; nodes: ml_model_nodes, where a
    model whose SQL reads __WML_NODES__ (a node-table scorer) finds its trees. -#}
{% macro compiled_score_ctes(models, features, assigned, classes, nodes) -%}
    {%- for model_id, scoring_sql in models %}
    features_{{ loop.index }} as (
        select
            {{ features }}.request_id,
            {{ features }}.feature_index,
            {{ features }}.value
        from {{ features }}
        inner join {{ assigned }}
            on {{ warehouse_ml.keys_match(features, assigned, ['model_name', 'request_id']) }}
        where {{ assigned }}.model_id = {{ warehouse_ml.quote_literal(model_id) }}
    ),

    scores_{{ loop.index }} as (
        select
            {{ warehouse_ml.quote_literal(model_id) }} as model_id,
            compiled.request_id,
            compiled.class_index,
            compiled.probability
        from (
            {{ scoring_sql
                | replace('__WML_FEATURES__', 'features_' ~ loop.index)
                | replace('__WML_NODES__', warehouse_ml._model_nodes(nodes, model_id)) }}
        ) as compiled
    ),
    {%- endfor %}

    model_scores as (
        {%- for model_id, scoring_sql in models %}
        select * from scores_{{ loop.index }}
        union all
        {%- endfor %}
        {{ warehouse_ml.empty_select([
            ['model_id', 'varchar'], ['request_id', 'varchar'], ['class_index', 'integer'], ['probability', 'double'],
        ]) }}
    ),

    compiled_scores as (
        select
            score_classes.model_name,
            model_scores.request_id,
            score_classes.group_id,
            model_scores.model_id,
            score_classes.label_value,
            cast(model_scores.class_index as integer) as class_index,
            cast(model_scores.probability as double) as probability,
            row_number() over (
                partition by score_classes.model_name, model_scores.request_id
                order by model_scores.probability desc, model_scores.class_index asc
            ) as rank
        from model_scores
        inner join {{ classes }} as score_classes
            on {{ warehouse_ml.keys_match('model_scores', 'score_classes', ['model_id', 'class_index']) }}
    ),
{%- endmacro %}

{#- One model's rows of the node table, as the node-table scorer reads them. -#}
{% macro _model_nodes(nodes, model_id) -%}
    (select
        model_nodes.tree_id,
        model_nodes.node_id,
        model_nodes.class_index,
        model_nodes.is_leaf,
        model_nodes.feature_index,
        model_nodes.threshold,
        model_nodes.left_child,
        model_nodes.right_child,
        model_nodes.missing_child,
        model_nodes.leaf_value
    from {{ nodes }} as model_nodes
    where model_nodes.model_id = {{ warehouse_ml.quote_literal(model_id) }})
{%- endmacro %}
