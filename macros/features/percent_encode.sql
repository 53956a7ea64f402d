{#- Percent-encode text exactly like Python's urllib.parse.quote(value, safe=''):
    UTF-8 bytes, unreserved A-Z a-z 0-9 _ . - ~ kept, the rest %XX upper-case. -#}
{% macro percent_encode(expr) -%}
    {{ return(adapter.dispatch('percent_encode', 'warehouse_ml')(expr)) }}
{%- endmacro %}

{% macro default__percent_encode(expr) -%}
    url_encode({{ expr }})
{%- endmacro %}

{% macro trino__percent_encode(expr) -%}
    {#- Trino's url_encode is Java's form encoding: space as '+', '*' kept, '~' escaped. -#}
    replace(replace(replace(url_encode({{ expr }}), '+', '%20'), '*', '%2A'), '%7E', '~')
{%- endmacro %}
