{#- The training examples of every event spec: each point of int_event_points
    with a split (train, validation, test) and its point-in-time features
    (macro event_point_features), the source of the generic model layer for
    these specs (spec field `source`). One row per point; columns not used by
    a spec are NULL. -#}
{%- set specs = warehouse_ml.event_specs() %}

with
{%- for spec in specs %}

points_{{ loop.index }} as (
    select * from {{ ref('int_event_points') }}
    -- Only points that train, validate or test: open, purged and capped-out points
    -- are never read as examples (scoring computes its own points), and features
    -- are the expensive step.
    where model_name = {{ warehouse_ml.quote_literal(spec['name']) }} and split is not null
),

features_{{ loop.index }} as (
    {{ warehouse_ml.event_point_features(spec, 'points_' ~ loop.index, ref('fit_event_type_ranks')) }}
),
{%- endfor %}

examples as (
    {%- set string = dbt.type_string() %}
    {%- call(spec, i) warehouse_ml.union_event_specs(specs, [['label', 'integer'], ['split', string], ['reject_reason', string]]) %}
    select
        model_name,
        point_id,
        entity_id,
        point_time,
        label,
        split,
        cast(null as {{ string }}) as reject_reason,
        {{ warehouse_ml.event_feature_list(spec, specs) }}
    from features_{{ i }}
    {%- endcall %}
)

select * from examples
