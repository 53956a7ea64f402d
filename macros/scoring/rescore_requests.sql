{#- Whether this build scores every current request again (var
    `rescore_requests`, default false) instead of only the requests its
    scoring history has not seen. Anything but true or false fails the build:
    a typo must not silently re-score (or skip) a whole backlog. -#}
{% macro rescore_requests() -%}
    {%- set rescore = var('rescore_requests', false) %}
    {%- if rescore not in [true, false] %}
        {{ exceptions.raise_compiler_error("var rescore_requests must be true or false, got '" ~ rescore ~ "'") }}
    {%- endif %}
    {{- return(rescore) }}
{%- endmacro %}
