{#- Realised against expected loss of the served predictions. A conversion
    whose id equals a scoring request's id is that request's outcome (the
    contract); the prediction it settles is the one logged for the request
    before the conversion was ingested, the newest if the request was
    re-scored, else (the request was only scored afterwards) the first one
    logged. Per model and UTC day of ingestion, the realised Hamming loss of
    those predictions next to the model's test-split loss and the binomial
    bound chance explains (loss_upper_bound). Multiclass specs that score
    requests and train from a record source: the outcome's label is the
    spec's label column in that source. -#}
{%- set specs = [] %}
{%- for spec in warehouse_ml.scoring_specs() if spec['label']['kind'] == 'multiclass' and not spec['events']['source'] %}
{%- do specs.append(spec) %}
{%- endfor %}
{%- set z = warehouse_ml.realised_loss_z() %}
{%- set string = dbt.type_string() %}

with logged as (select * from {{ ref('ml_prediction_log') }}),

models as (select * from {{ ref('ml_models') }}),

outcomes as (
    {%- for spec in specs %}
    select
        cast({{ warehouse_ml.quote_literal(spec['name']) }} as {{ string }}) as model_name,
        cast({{ spec['entity_key'] }} as {{ string }}) as request_id,
        {{ warehouse_ml.spec_label_value(spec) }} as label_value,
        ingested_at
    from {{ ref(spec['source']) }}
    where {{ warehouse_ml.spec_training_filter(spec) }}
    union all
    {%- endfor %}
    {{ warehouse_ml.empty_select([
        ['model_name', string], ['request_id', string], ['label_value', string], ['ingested_at', 'timestamp with time zone'],
    ]) }}
),

candidates as (
    select
        logged.model_name,
        logged.request_id,
        logged.group_id,
        logged.model_id,
        logged.predicted_label,
        outcomes.label_value,
        outcomes.ingested_at,
        row_number() over (
            partition by logged.model_name, logged.request_id
            order by
                case when logged.scored_at <= outcomes.ingested_at then 0 else 1 end asc,
                case when logged.scored_at <= outcomes.ingested_at then logged.scored_at end desc,
                logged.scored_at asc,
                logged.invocation_id asc
        ) as preference
    from logged
    inner join outcomes on {{ warehouse_ml.keys_match('logged', 'outcomes', ['model_name', 'request_id']) }}
),

settled as (
    select
        model_name,
        group_id,
        model_id,
        {{ warehouse_ml.utc_date('ingested_at') }} as outcome_date,
        case when predicted_label = label_value then 1 else 0 end as is_correct
    from candidates
    where preference = 1
),

daily as (
    select
        model_name,
        group_id,
        model_id,
        outcome_date,
        count(*) as n_outcomes,
        sum(1 - is_correct) as n_wrong
    from settled
    group by model_name, group_id, model_id, outcome_date
),

expected as (
    select
        model_id,
        cast({{ warehouse_ml.json_field('metrics', 'test.hamming_loss') }} as double) as test_hamming_loss,
        cast({{ warehouse_ml.json_field('metrics', 'test.n_rows') }} as double) as n_test_rows
    from models
),

compared as (
    select
        daily.model_name,
        daily.group_id,
        daily.model_id,
        daily.n_outcomes,
        daily.n_wrong,
        cast(daily.n_wrong as double) / daily.n_outcomes as realised_hamming_loss,
        1e0 - cast(daily.n_wrong as double) / daily.n_outcomes as accuracy,
        expected.test_hamming_loss,
        cast(expected.n_test_rows as bigint) as n_test_rows,
        {{ warehouse_ml.loss_upper_bound('expected.test_hamming_loss', 'daily.n_outcomes', 'expected.n_test_rows', z) }}
            as loss_upper_bound,
        daily.outcome_date
    from daily
    left join expected on daily.model_id = expected.model_id
),

final as (
    select
        {{ warehouse_ml.model_group_keys() }},
        n_outcomes,
        n_wrong,
        realised_hamming_loss,
        accuracy,
        test_hamming_loss,
        n_test_rows,
        loss_upper_bound,
        coalesce(realised_hamming_loss > loss_upper_bound, false) as is_worse_than_test,
        outcome_date
    from compared
)

select * from final
