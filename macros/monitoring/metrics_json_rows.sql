{#- Long rows (key columns, split, metric, value) from a metrics JSON column
    shaped like `ml_models.metrics`: {"<split>": {<metric>: number | {<offer>:
    number} | [[...]] , ...}}. Names follow warehouse_ml.metrics.metrics_to_rows:
    scalars keep their name (`hamming_loss`), per-offer objects become
    `precision[<offer>]`, the confusion matrix becomes
    `confusion[<true offer>][<predicted offer>]` (offers from the split's
    `labels` array); text and the `labels` array itself are skipped.
    Each engine's form gives the CTEs (without `with`) that end in the three
    kinds of rows, `scalars`, `per_offer` and `confusion`; their union is here. -#}
{% macro metrics_json_rows(relation, json_column, key_columns) -%}
    {%- do warehouse_ml._validate_identifiers([json_column] + key_columns, 'metrics_json_rows') %}
    with {{ adapter.dispatch('metrics_json_rows', 'warehouse_ml')(relation, json_column, key_columns) }}

    select * from scalars
    union all
    select * from per_offer
    union all
    select * from confusion
{%- endmacro %}

{% macro default__metrics_json_rows(relation, json_column, key_columns) -%}
    {#- Walking a JSON object's keys needs engine functions (SQL:2016 JSON_TABLE cannot list keys): no portable body. -#}
    {{ warehouse_ml._raise_unsupported_adapter('metrics_json_rows') }}
{%- endmacro %}

{% macro trino__metrics_json_rows(relation, json_column, key_columns) -%}
    {#- Trino (and Presto/Athena) unnest JSON by casting it to MAP/ARRAY types; try() skips shapes that do not fit. -#}
    {%- set keys = key_columns | join(', ') -%}
    parsed as (
        select
            {{ warehouse_ml.qualified_columns('source', key_columns) }},
            cast(json_parse(source.{{ json_column }}) as map(varchar, json)) as split_map
        from {{ relation }} as source
        where source.{{ json_column }} is not null
    ),

    splits as (
        select
            {{ keys }},
            split_items.split_name as split,
            split_items.split_json
        from parsed
        cross join unnest(parsed.split_map) as split_items (split_name, split_json)
    ),

    entries as (
        select
            {{ keys }},
            split,
            entry_items.entry_key,
            entry_items.entry_value,
            try(cast(json_extract(splits.split_json, '$.labels') as array(varchar))) as labels
        from splits
        cross join unnest(cast(splits.split_json as map(varchar, json))) as entry_items (entry_key, entry_value)
    ),

    typed as (
        select
            {{ keys }},
            split,
            entry_key,
            labels,
            case
                when is_json_scalar(entry_value) and json_extract_scalar(entry_value, '$') is not null
                    then try(cast(entry_value as double))
            end as scalar_value,
            try(cast(entry_value as map(varchar, double))) as per_offer,
            case when entry_key = 'confusion' then try(cast(entry_value as array(array(double)))) end as matrix
        from entries
        where entry_key <> 'labels'
    ),

    scalars as (
        select
            {{ keys }},
            split,
            entry_key as metric,
            scalar_value as value
        from typed
        where scalar_value is not null
    ),

    per_offer as (
        select
            {{ keys }},
            split,
            typed.entry_key || '[' || offer_items.offer_key || ']' as metric,
            offer_items.offer_value as value
        from typed
        cross join unnest(typed.per_offer) as offer_items (offer_key, offer_value)
        where offer_items.offer_value is not null
    ),

    confusion as (
        select
            {{ keys }},
            split,
            'confusion[' || element_at(typed.labels, true_items.true_position)
            || '][' || element_at(typed.labels, cell_items.predicted_position) || ']' as metric,
            cell_items.cell_value as value
        from typed
        cross join unnest(typed.matrix) with ordinality as true_items (matrix_row, true_position)
        cross join unnest(true_items.matrix_row) with ordinality as cell_items (cell_value, predicted_position)
    )

{%- endmacro %}

{% macro duckdb__metrics_json_rows(relation, json_column, key_columns) -%}
    {#- DuckDB has no MAP casts from JSON; json_each walks objects and arrays and reports each value's type. -#}
    {%- set keys = key_columns | join(', ') -%}
    splits as (
        select
            {{ warehouse_ml.qualified_columns('source', key_columns) }},
            split_items.key as split,
            split_items.value as split_json
        from {{ relation }} as source
        cross join json_each(source.{{ json_column }}) as split_items
        where source.{{ json_column }} is not null
    ),

    entries as (
        select
            {{ keys }},
            split,
            split_json,
            entry_items.key as entry_key,
            entry_items.value as entry_value,
            entry_items.type as entry_type
        from splits
        cross join json_each(splits.split_json) as entry_items
        where entry_items.key <> 'labels'
    ),

    scalars as (
        select
            {{ keys }},
            split,
            entry_key as metric,
            case
                when entry_type = 'BOOLEAN' then case when cast(entry_value as varchar) = 'true' then 1.0 else 0.0 end
                else cast(cast(entry_value as varchar) as double)
            end as value
        from entries
        where entry_type in ('UBIGINT', 'BIGINT', 'DOUBLE', 'BOOLEAN')
    ),

    per_offer as (
        select
            {{ keys }},
            split,
            entries.entry_key || '[' || offer_items.key || ']' as metric,
            cast(cast(offer_items.value as varchar) as double) as value
        from entries
        cross join json_each(entries.entry_value) as offer_items
        where entries.entry_type = 'OBJECT' and offer_items.type in ('UBIGINT', 'BIGINT', 'DOUBLE')
    ),

    confusion as (
        select
            {{ keys }},
            split,
            'confusion[' || json_extract_string(entries.split_json, '$.labels[' || true_items.key || ']')
            || '][' || json_extract_string(entries.split_json, '$.labels[' || cell_items.key || ']') || ']' as metric,
            cast(cast(cell_items.value as varchar) as double) as value
        from entries
        cross join json_each(entries.entry_value) as true_items
        cross join json_each(true_items.value) as cell_items
        where entries.entry_key = 'confusion' and entries.entry_type = 'ARRAY'
    )

{%- endmacro %}
