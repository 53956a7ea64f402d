{#- Ad hoc: the serving models' test metrics side by side per session, model
    spec and group (ml_metrics, long form, pivoted for reading). -#}

with history as (
    select * from {{ ref('ml_metrics') }}
    where split = 'test' and is_serving
),

pivoted as (
    select
        invocation_id,
        model_name,
        group_id,
        model_id,
        max(case when metric = 'hamming_loss' then value end) as hamming_loss,
        max(case when metric = 'baseline_hamming_loss' then value end) as baseline_hamming_loss,
        max(case when metric = 'macro_f1' then value end) as macro_f1,
        max(case when metric = 'log_loss' then value end) as log_loss,
        max(case when metric = 'auc' then value end) as auc,
        max(case when metric = 'n_rows' then value end) as n_test_rows,
        max(recorded_at) as recorded_at
    from history
    group by invocation_id, model_name, group_id, model_id
)

select * from pivoted
order by recorded_at, model_name, group_id
