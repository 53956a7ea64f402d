{#- The scoring requests this session's monitoring looks at ("current"), in
    long form: one row per request and model input column of its spec, with
    the raw value (`category` for categorical columns, `feature_value` for
    numeric ones) and the model serving it. Per model spec and group, only the
    scorable requests of its latest landed batch (the newest `ingested_at`;
    everything when all requests came in one build): the prediction tables
    re-score every request ever landed, so taking the newest batch keeps old
    traffic from diluting a new shift; a build that lands nothing new
    re-measures the same batch against the model serving now. Requests sent
    as explicit feature vectors carry no raw fields and are left out. -#}
{%- set specs = warehouse_ml.scoring_specs() %}
{%- set ns = namespace(n=0) %}

with assigned as (
    select * from {{ ref('int_scoring_requests') }}
    where scoring_error is null and feature_vector is null
),

batches as (
    select
        model_name,
        group_id,
        max(ingested_at) as ingested_at
    from assigned
    group by model_name, group_id
),

current_requests as (
    select assigned.*
    from assigned
    inner join batches
        on {{ warehouse_ml.keys_match('assigned', 'batches', ['model_name', 'group_id', 'ingested_at']) }}
),

{%- for spec in specs %}

raw_{{ loop.index }} as (
    select * from {{ ref(spec['scoring']['source']) }}
    where reject_reason is null
),
{%- endfor %}

long_values as (
    {%- for spec in specs %}
    {%- set spec_loop = loop %}
    {%- for kind, columns in [['categorical', spec['features']['categorical']], ['numeric', spec['features']['numeric']]] %}
    {%- for column in columns %}
    {%- set ns.n = ns.n + 1 %}
    {%- if ns.n > 1 %}
    union all
    {%- endif %}
    select
        current_requests.model_name,
        current_requests.request_id,
        current_requests.group_id,
        current_requests.model_id,
        current_requests.fitted_state_id,
        cast('{{ column }}' as {{ dbt.type_string() }}) as feature,
        cast('{{ kind }}' as {{ dbt.type_string() }}) as feature_kind,
        {%- if kind == 'categorical' %}
        cast(raw_{{ spec_loop.index }}.{{ column }} as {{ dbt.type_string() }}) as category,
        cast(null as double) as feature_value,
        {%- else %}
        cast(null as {{ dbt.type_string() }}) as category,
        cast(raw_{{ spec_loop.index }}.{{ column }} as double) as feature_value,
        {%- endif %}
        current_requests.ingested_at
    from current_requests
    inner join raw_{{ spec_loop.index }}
        on current_requests.request_id = cast(raw_{{ spec_loop.index }}.{{ spec['scoring']['key'] }} as {{ dbt.type_string() }})
    where current_requests.model_name = {{ warehouse_ml.quote_literal(spec['name']) }}
    {%- endfor %}
    {%- endfor %}
    {%- endfor %}
    {%- if ns.n == 0 %}
    select
        model_name,
        request_id,
        group_id,
        model_id,
        fitted_state_id,
        cast(null as {{ dbt.type_string() }}) as feature,
        cast(null as {{ dbt.type_string() }}) as feature_kind,
        cast(null as {{ dbt.type_string() }}) as category,
        cast(null as double) as feature_value,
        ingested_at
    from current_requests
    where false
    {%- endif %}
)

select * from long_values
