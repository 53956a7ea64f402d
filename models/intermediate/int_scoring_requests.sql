{#- Every accepted scoring request of every spec that scores (scoring.source)
    with the model that will score it, or the reason it cannot be scored (no
    serving model, a malformed explicit vector). Nothing is dropped: the
    prediction tables list the unscorable ones too. -#}
{%- set specs = warehouse_ml.scoring_specs() %}
{%- for spec in specs %}
-- depends_on: {{ ref(spec['scoring']['source']) }}
{%- do warehouse_ml.check_spec_columns(spec, 'scoring') %}
{%- endfor %}

with requests as (
    {%- set string = dbt.type_string() %}
    {%- call(spec, i) warehouse_ml.union_or_empty(specs, [
        ['model_name', string], ['request_id', string], ['group_id', string], ['group_noun', string],
        ['feature_vector', string], ['ingested_at', dbt.type_timestamp() ~ ' with time zone'],
    ]) %}
    {%- set source = ref(spec['scoring']['source']) %}
    {#- A source without explicit vectors gets NULLs, so every spec's requests share one column list. -#}
    {%- set has_vector = warehouse_ml.relation_has_column(source, 'feature_vector') %}
    {%- set feature_vector = 'feature_vector' if has_vector else 'cast(null as ' ~ dbt.type_string() ~ ')' %}
    select
        cast({{ warehouse_ml.quote_literal(spec['name']) }} as {{ dbt.type_string() }}) as model_name,
        cast({{ spec['scoring']['key'] }} as {{ dbt.type_string() }}) as request_id,
        {{ warehouse_ml.spec_group_id(spec) }} as group_id,
        cast({{ warehouse_ml.quote_literal(modules.re.sub('_id$', '', spec['group_key'] or 'model spec')) }} as {{ dbt.type_string() }}) as group_noun,
        {{ feature_vector }} as feature_vector,
        ingested_at
    from {{ source }}
    where reject_reason is null
    {%- endcall %}
),

serving as (select * from {{ ref('ml_serving_models') }}),

with_vector as (
    select
        model_name,
        request_id,
        feature_vector
    from requests
    where feature_vector is not null
),

vector_items as (
    {{ warehouse_ml.explode_feature_vector('with_vector', ['model_name', 'request_id'], 'feature_vector') }}
),

vector_checks as (
    select
        model_name,
        request_id,
        count(*) as n_values,
        min(
            case
                -- Plain decimal numbers only (DuckDB would also cast '1_000' or 'inf').
                when
                    item <> ''
                    and (
                        not {{ warehouse_ml.matches_regex('item', '^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$') }}
                        or {{ warehouse_ml.try_to_double('item') }} is null
                    )
                    then feature_index
            end
        ) as first_bad_index
    from vector_items
    group by model_name, request_id
),

assigned as (
    select
        requests.model_name,
        requests.request_id,
        requests.group_id,
        serving.model_id,
        serving.fitted_state_id,
        requests.feature_vector,
        case
            when serving.model_id is null and {{ warehouse_ml.is_pinned_group('requests.model_name', 'requests.group_id') }}
                then 'the model pinned for this ' || requests.group_noun || ' (var pinned_models) is not a trained model of it'
            when serving.model_id is null
                then 'no serving model for this ' || requests.group_noun || ' (none trained, or none passed the quality gate)'
            when vector_checks.n_values <> serving.n_features
                then
                    'input has ' || cast(vector_checks.n_values as varchar)
                    || ' values, the model expects ' || cast(serving.n_features as varchar)
            when vector_checks.first_bad_index is not null
                then 'input value ' || cast(vector_checks.first_bad_index + 1 as varchar) || ' is not a number'
        end as scoring_error,
        requests.ingested_at
    from requests
    left join serving on {{ warehouse_ml.keys_match('requests', 'serving', ['model_name', 'group_id']) }}
    left join vector_checks on {{ warehouse_ml.keys_match('requests', 'vector_checks', ['model_name', 'request_id']) }}
)

select * from assigned
