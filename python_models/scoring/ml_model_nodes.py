"""The trees of every registered model whose SQL scorer reads a node table.

A model too big for the nested-CASE SQL (or with `scoring.sql_formulation:
node_table`) is scored in SQL from these rows (macro compiled_score_ctes puts a
model's rows where its scoring SQL says __WML_NODES__). Empty while every model
fits the nested form. Modelling code: warehouse_ml.sql_node_scorer.
"""

from warehouse_ml.sql_node_scorer import registry_node_table


def model(dbt, session):
    dbt.config(materialized="table")
    registry = dbt.ref("ml_models").project("model_id, booster_json, feature_kinds, scoring_sql")
    return registry_node_table(registry.filter("contains(scoring_sql, '__WML_NODES__')").df())
