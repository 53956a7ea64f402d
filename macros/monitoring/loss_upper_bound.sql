{#- SQL for the largest realised error rate over `n` rows that chance alone
    explains when the true rate is the test split's `p` (measured on `n_test`
    rows): the one-sided binomial bound by the normal approximation,
    p + z * sqrt(p * (1 - p) * (1/n + 1/n_test)) + 0.5/n. Both samples'
    variances count because the test loss is itself an estimate; 0.5/n is the
    continuity correction of a count approximated by a normal. NULL `n_test` (older metrics) drops its term.
    Double literals (1e0): Trino divides decimal literals as decimals. -#}
{% macro loss_upper_bound(p, n, n_test, z) -%}
    (
        {{ p }} + {{ z }} * sqrt(
            {{ p }} * (1e0 - {{ p }})
            * (1e0 / {{ n }} + coalesce(1e0 / nullif({{ n_test }}, 0), 0e0))
        )
        + 5e-1 / {{ n }}
    )
{%- endmacro %}
