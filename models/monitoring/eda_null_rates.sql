{{ config(tags=['eda']) }}

{#- Share of missing values per model spec, dataset (the accepted training
    examples of the spec's source; the accepted scoring requests of its
    scoring source, those sent as explicit vectors left out), group and
    column: every feature column and every column the spec lists under
    features.monitored (the evidence for dropping sparse columns, as the seed
    does, and an early sign of a broken feed). is_model_input says whether the
    model uses the column. -#}
{%- set specs = warehouse_ml.model_specs() %}
{%- set ns = namespace(n=0) %}

with counts as (
    {%- for spec in specs %}
    {%- set inputs = spec['features']['numeric'] + spec['features']['categorical'] %}
    {%- set datasets = [['training', spec['source'], warehouse_ml.spec_training_filter(spec)]] %}
    {%- if spec['scoring']['source'] %}
    {%- set request_filter = 'reject_reason is null' %}
    {%- if warehouse_ml.relation_has_column(ref(spec['scoring']['source']), 'feature_vector') %}
    {%- set request_filter = request_filter ~ ' and feature_vector is null' %}
    {%- endif %}
    {%- do datasets.append(['scoring', spec['scoring']['source'], request_filter]) %}
    {%- endif %}
    {%- for dataset, relation, condition in datasets %}
    {%- for column in inputs + spec['features']['monitored'] %}
    {%- set ns.n = ns.n + 1 %}
    {%- if ns.n > 1 %}
    union all
    {%- endif %}
    select
        cast({{ warehouse_ml.quote_literal(spec['name']) }} as {{ dbt.type_string() }}) as model_name,
        cast('{{ dataset }}' as {{ dbt.type_string() }}) as dataset,
        {{ warehouse_ml.spec_group_id(spec) }} as group_id,
        cast('{{ column }}' as {{ dbt.type_string() }}) as column_name,
        {{ 'true' if column in inputs else 'false' }} as is_model_input,
        count(*) as n_rows,
        count(*) - count({{ column }}) as n_missing
    from {{ ref(relation) }}
    where {{ condition }}
    group by {{ warehouse_ml.spec_group_id(spec) }}
    {%- endfor %}
    {%- endfor %}
    {%- endfor %}
    {%- if ns.n == 0 %}
    {%- set string = dbt.type_string() %}
    {{ warehouse_ml.empty_select([
        ['model_name', string], ['dataset', string], ['group_id', string], ['column_name', string],
        ['is_model_input', 'boolean'], ['n_rows', 'bigint'], ['n_missing', 'bigint'],
    ]) }}
    {%- endif %}
),

final as (
    select
        model_name,
        dataset,
        group_id,
        column_name,
        n_rows,
        n_missing,
        cast(n_missing as double) / n_rows as null_rate,
        is_model_input
    from counts
)

select * from final
