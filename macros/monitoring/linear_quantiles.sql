{#- Exact quantiles of `value_column` per group, by linear interpolation
    between order statistics (Hyndman & Fan type 7: numpy.quantile's default
    `linear` method, DuckDB's quantile_cont), written with row_number() so it is
    exact on every engine (Trino only has approx_percentile). The arithmetic
    follows numpy step by step (virtual index (n - 1) * p, floor, and the
    two-sided lerp), so cut points agree with numpy bit for bit.

    `probabilities` is a list of [rank, probability SQL] pairs; the result has
    the group columns, quantile_rank, probability and quantile_value. Groups
    whose values are all NULL get no rows. The body has its own `with`, so use
    it as a CTE body or a subquery. -#}
{% macro linear_quantiles(relation, group_columns, value_column, probabilities) -%}
    {%- do warehouse_ml._validate_identifiers(group_columns + [value_column], 'linear_quantiles') -%}
    {%- if not probabilities -%}
        {{ exceptions.raise_compiler_error("linear_quantiles: give at least one [rank, probability] pair") }}
    {%- endif -%}
    {%- set groups = group_columns | join(', ') %}
    with ranked as (
        select
            {{ groups }},
            {{ value_column }} as sorted_value,
            row_number() over (partition by {{ groups }} order by {{ value_column }}) - 1 as value_position,
            count(*) over (partition by {{ groups }}) as n_values
        from {{ relation }}
        where {{ value_column }} is not null
    ),

    probabilities as (
        {%- for rank, probability in probabilities %}
        select
            {{ rank | int }} as quantile_rank,
            cast({{ probability }} as double) as probability
        {{ "union all" if not loop.last }}
        {%- endfor %}
    ),

    -- Each value beside each probability's two order statistics of its group. One
    -- pass over `ranked`, no join back to it: Trino inlines a CTE at every use, so
    -- a self-join would sort the values again and hash every row (at 1M events it
    -- ran out of query memory); the probabilities are a handful of rows.
    bounded as (
        select
            {{ warehouse_ml.qualified_columns('ranked', group_columns) }},
            ranked.sorted_value,
            ranked.value_position,
            probabilities.quantile_rank,
            probabilities.probability,
            (ranked.n_values - 1) * probabilities.probability as virtual_position,
            ranked.n_values
        from ranked
        cross join probabilities
    ),

    ends as (
        select
            {{ groups }},
            quantile_rank,
            probability,
            max(virtual_position - floor(virtual_position)) as gamma,
            max(case when value_position = cast(floor(virtual_position) as bigint) then sorted_value end) as lower_value,
            max(
                case when value_position = least(cast(floor(virtual_position) as bigint) + 1, n_values - 1) then sorted_value end
            ) as upper_value
        from bounded
        where
            value_position = cast(floor(virtual_position) as bigint)
            or value_position = least(cast(floor(virtual_position) as bigint) + 1, n_values - 1)
        group by {{ groups }}, quantile_rank, probability
    ),

    interpolated as (
        select
            {{ groups }},
            quantile_rank,
            probability,
            -- numpy's _lerp: from the nearer end, so p = 1 - eps lands on the upper value.
            case
                when gamma >= 0.5
                    then upper_value - (upper_value - lower_value) * (1 - gamma)
                else lower_value + (upper_value - lower_value) * gamma
            end as quantile_value
        from ends
    )

    select * from interpolated
{%- endmacro %}
