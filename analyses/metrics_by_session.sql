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
        {{ warehouse_ml.pivot_max('metric', 'value', [
            ['hamming_loss', 'hamming_loss'], ['baseline_hamming_loss', 'baseline_hamming_loss'],
            ['macro_f1', 'macro_f1'], ['log_loss', 'log_loss'], ['auc', 'auc'], ['n_test_rows', 'n_rows'],
        ]) }},
        max(recorded_at) as recorded_at
    from history
    group by invocation_id, model_name, group_id, model_id
)

select * from pivoted
order by recorded_at, model_name, group_id
