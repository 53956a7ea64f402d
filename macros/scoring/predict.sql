{#- Score any relation with the serving models of one spec, in SQL, from a
    user's own model or an analysis:

        {{ warehouse_ml.predict('offer_conversion', ref('my_requests')) }}

    The relation needs the spec's scoring key (scoring.key), its group key and
    its feature columns, named as in the spec's scoring source (for the offer
    model: request_id, campaign_id, long, lat, country, dos, dtype, dbrowser),
    one row per key. Rows are encoded with the fitted state of the model that
    serves their group and scored by its compiled trees (ml_models.scoring_sql),
    the formulation the batch SQL scorer uses, so the result equals
    ml_scores_sql for the same rows on DuckDB and Trino. Returns one row per
    (row, class): model_name, request_id (the key as text), group_id, model_id,
    label_value, class_index, probability, rank (1 = the predicted label).
    Rows whose group has no serving model get no rows; a `reject_reason`
    column, when present, drops rejected rows. Specs over event logs are
    scored at points in time by ml_propensity_scores instead. -#}
{% macro predict(model_name, relation) -%}
    {#- A build limited to other specs (var model_specs) still parses every analysis:
        the missing spec is an error only when the query is compiled to run. -#}
    {%- if not execute and model_name not in warehouse_ml.model_specs() | map(attribute='name') | list -%}
        {{ return('select 1 as not_compiled') }}
    {%- endif -%}
    {%- set spec = warehouse_ml.model_spec(model_name) -%}
    {%- if spec['events']['source'] or not spec['scoring']['source'] -%}
        {{ exceptions.raise_compiler_error("predict: spec '" ~ model_name ~ "' has no scoring source (scoring.source): predict scores rows like its scoring requests; event-log specs are scored at points in time by ml_propensity_scores") }}
    {%- endif -%}
    {%- set string = dbt.type_string() -%}
    {#- A subquery's columns cannot be looked up before it runs: only a relation is checked for rejects. -#}
    {%- set rejects = relation is not string and warehouse_ml.relation_has_column(relation, 'reject_reason') -%}
with serving as (
    select
        serving_models.model_name,
        serving_models.group_id,
        serving_models.model_id,
        serving_models.fitted_state_id
    from {{ ref('ml_serving_models') }} as serving_models
    where serving_models.model_name = {{ warehouse_ml.quote_literal(model_name) }}
),

input_rows as (
    select * from {{ relation }} as user_rows
    {%- if rejects %}
    where reject_reason is null
    {%- endif %}
),

assigned as (
    select
        serving.model_name,
        cast(input_rows.{{ spec['scoring']['key'] }} as {{ string }}) as request_id,
        serving.group_id,
        serving.model_id,
        serving.fitted_state_id,
        cast(null as {{ string }}) as feature_vector
    from input_rows
    inner join serving on {{ warehouse_ml.spec_group_id(spec, 'input_rows') }} = serving.group_id
),

{{ warehouse_ml.request_feature_ctes([{'spec': spec, 'relation': 'input_rows', 'where': none}], 'assigned') }}

{{ warehouse_ml.compiled_score_ctes(warehouse_ml.serving_scoring_sql(model_name), 'request_features', 'assigned', ref('int_serving_label_classes'), ref('ml_model_nodes')) }}

predicted as (
    select * from compiled_scores
)

select * from predicted
{%- endmacro %}
