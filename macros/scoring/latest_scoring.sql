{#- The newest scoring of each (model name, request) in an append-only
    scoring history (rows of one scoring share its `scored_at`), as a
    subquery to select from. Rows written before the history had `scored_at`
    count as oldest. Adds column `scoring_recency` (always 1). -#}
{% macro latest_scoring(history) -%}
    (
        select *
        from (
            select
                scored.*,
                rank() over (
                    partition by scored.model_name, scored.request_id
                    order by scored.scored_at desc nulls last
                ) as scoring_recency
            from {{ history }} as scored
        ) as ranked
        where scoring_recency = 1
    ) as latest_scoring
{%- endmacro %}
