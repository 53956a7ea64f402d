{#- A filter keeping the rows of `alias` whose (model name, request) the
    history relation `history` holds no row for: what an append-only scoring
    history adds in an incremental build. Renders `true` on the first build
    and when `rescore_requests` asks for every request again; a history of
    scorings (the prediction log) passes `rescored_by`, the column naming the
    scoring, so a re-scoring build adds each new scoring once and never a
    scoring it already holds. -#}
{% macro not_in_history(alias, history, rescored_by=none) -%}
    {%- set rescore = warehouse_ml.rescore_requests() -%}
    {%- if not is_incremental() or (rescore and rescored_by is none) -%}
        true
    {%- else -%}
        {%- set keys = ['model_name', 'request_id'] + ([rescored_by] if rescore else []) -%}
        not exists (
            select 1 from {{ history }} as history
            where {{ warehouse_ml.keys_match('history', alias, keys) }}
        )
    {%- endif -%}
{%- endmacro %}
