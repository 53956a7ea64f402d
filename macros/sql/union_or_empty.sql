{#- The union of one select per item (the call block's body, called with the
    item and its 1-based position), or, when there are no items, an empty
    select of `columns` ([name, SQL type] pairs): a model built from
    per-spec selects then keeps its columns and types when the build has none.

        {% call(spec, i) warehouse_ml.union_or_empty(specs, [['model_name', dbt.type_string()]]) %}
        select ... from {{ ref(spec['source']) }}
        {% endcall %} -#}
{% macro union_or_empty(items, columns) -%}
    {%- for item in items %}
    {{ caller(item, loop.index) }}
    {{ "union all" if not loop.last }}
    {%- endfor %}
    {%- if not items %}
    {{ warehouse_ml.empty_select(columns) }}
    {%- endif %}
{%- endmacro %}
