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

    positions as (
        select
            {{ warehouse_ml.qualified_columns('group_sizes', group_columns) }},
            probabilities.quantile_rank,
            probabilities.probability,
            group_sizes.n_values,
            (group_sizes.n_values - 1) * probabilities.probability as virtual_position
        from (select distinct {{ groups }}, n_values from ranked) as group_sizes
        cross join probabilities
    ),

    bounded as (
        select
            *,
            cast(floor(virtual_position) as bigint) as lower_position,
            least(cast(floor(virtual_position) as bigint) + 1, n_values - 1) as upper_position,
            virtual_position - floor(virtual_position) as gamma
        from positions
    ),

    interpolated as (
        select
            {{ warehouse_ml.qualified_columns('bounded', group_columns) }},
            bounded.quantile_rank,
            bounded.probability,
            -- numpy's _lerp: from the nearer end, so p = 1 - eps lands on the upper value.
            case
                when bounded.gamma >= 0.5
                    then upper_value.sorted_value - (upper_value.sorted_value - lower_value.sorted_value) * (1 - bounded.gamma)
                else lower_value.sorted_value + (upper_value.sorted_value - lower_value.sorted_value) * bounded.gamma
            end as quantile_value
        from bounded
        inner join ranked as lower_value
            on
                {{ warehouse_ml.keys_match('bounded', 'lower_value', group_columns) }}
                and bounded.lower_position = lower_value.value_position
        inner join ranked as upper_value
            on
                {{ warehouse_ml.keys_match('bounded', 'upper_value', group_columns) }}
                and bounded.upper_position = upper_value.value_position
    )

    select * from interpolated
{%- endmacro %}
