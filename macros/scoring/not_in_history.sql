{#- A filter keeping the rows of `alias` whose (model name, request) the
    history relation `history` holds no row for: what an append-only scoring
    history adds in an incremental build. Renders `true` on the first build
    and when `rescore_requests` asks for every request again. -#}
{% macro not_in_history(alias, history) -%}
    {%- if is_incremental() and not warehouse_ml.rescore_requests() -%}
        not exists (
            select 1 from {{ history }} as history
            where {{ warehouse_ml.keys_match('history', alias, ['model_name', 'request_id']) }}
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
