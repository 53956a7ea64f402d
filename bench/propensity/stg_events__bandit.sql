{{ config(materialized='table') }}

{#- Open Bandit (event log `bandit`): one row per impression, plus a `click`
    event one second after each clicked impression. There is no user id: the
    entity is the user-feature combination. The log has no event-type field,
    so `policy` fills the macro's required event_type and is replaced. Both
    kinds of row keep the staged columns in order (DuckDB's `* exclude` and
    `* replace`; the benchmark runs on DuckDB only). -#}

with staged as (
    {{ warehouse_ml.stage_event_records(
        'bandit',
        fields={'entity_id': 'user_feature_0', 'event_time': 'timestamp', 'event_type': 'policy'},
        categorical={
            'user_feature_1': 'user_feature_1',
            'user_feature_2': 'user_feature_2',
            'user_feature_3': 'user_feature_3',
            'item_id': 'item_id',
            'position': 'position',
            'campaign': 'campaign',
            'click': 'click',
        },
    ) }}
),

impressions as (
    select
        * exclude (user_feature_1, user_feature_2, user_feature_3)
        replace (
            entity_id || '|' || user_feature_1 || '|' || user_feature_2 || '|' || user_feature_3 as entity_id,
            'impression' as event_type
        )
    from staged
)

select * from impressions
union all
select
    * replace (
        event_id || ':click' as event_id,
        event_time + interval '1' second as event_time,
        'click' as event_type
    )
from impressions
where click = '1' and reject_reason is null
