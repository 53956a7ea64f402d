{{ config(severity='warn') }}

{#- Warns (does not fail the build) for every model and day whose realised
    Hamming loss on served predictions exceeds the binomial bound around the
    model's test-split loss (ml_realised_outcomes.loss_upper_bound): more
    misses than the number of outcomes explains. A warning, not an error:
    the served predictions are already out, and one bad day is a reason to
    look (drift, a changed offer mix), not to stop the pipeline. -#}

with realised as (select * from {{ ref('ml_realised_outcomes') }})

select
    model_name,
    group_id,
    model_id,
    outcome_date,
    n_outcomes,
    realised_hamming_loss,
    test_hamming_loss,
    loss_upper_bound
from realised
where realised_hamming_loss > loss_upper_bound
