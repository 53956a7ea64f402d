{#- A number in [0, 1) from md5(seed || ':' || expr): the first 32 bits of the
    digest divided by 2^32. Any engine (and tests/reference/hashing.py in Python)
    gives the same value, so splits agree everywhere. -#}
{% macro hash_fraction(expr, seed) -%}
    {{ return(adapter.dispatch('hash_fraction', 'warehouse_ml')(expr, seed)) }}
{%- endmacro %}

{% macro default__hash_fraction(expr, seed) -%}
    {#- The divisor is a double literal (e0): 4294967296.0 is a DECIMAL in Trino and the quotient would be rounded. -#}
    from_base(substr(to_hex(md5(to_utf8({{ warehouse_ml.quote_literal(seed ~ ':') }} || {{ expr }}))), 1, 8), 16) / 4294967296e0
{%- endmacro %}

{% macro duckdb__hash_fraction(expr, seed) -%}
    {#- DuckDB's md5 returns hex text already; a '0x' prefix casts hex to an integer. -#}
    cast(('0x' || substr(md5({{ warehouse_ml.quote_literal(seed ~ ':') }} || {{ expr }}), 1, 8)) as bigint) / 4294967296.0
{%- endmacro %}
