{#- Scorable requests in the model's long feature form (model_name,
    request_id, feature_index, value), encoded with the fitted state of the
    model that serves the request's group (macro request_feature_ctes, which
    `predict` shares). Unseen and rare values light no one-hot column (all
    zeros, as the seed's API does) or, in bucket mode, the column's
    `__other__` level; explicit vectors are used as given. -#}
{%- set sources = [] %}
{%- for spec in warehouse_ml.scoring_specs() %}
{%- do sources.append({'spec': spec, 'relation': ref(spec['scoring']['source']), 'where': 'source_rows.reject_reason is null'}) %}
{%- endfor %}

with assigned as (
    select * from {{ ref('int_scoring_requests') }}
    where scoring_error is null
),

{{ warehouse_ml.request_feature_ctes(sources, 'assigned') }}

final as (
    select * from request_features
)

select * from final
