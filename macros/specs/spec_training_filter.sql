{#- The SQL condition a source row must meet to be a training example of the
    spec: accepted by staging (reject_reason is NULL), with an entity id and a
    label, and in the spec's groups when it names some. Values are quoted. -#}
{% macro spec_training_filter(spec) -%}
    reject_reason is null
    and {{ spec['entity_key'] }} is not null
    and {{ spec['label']['column'] }} is not null
    {%- if spec['events']['source'] %}
    and model_name = {{ warehouse_ml.quote_literal(spec['name']) }}
    and split is not null
    {%- endif %}
    {%- if spec['groups'] %}
    and {{ warehouse_ml.spec_group_id(spec) }} in (
        {%- for value in spec['groups'] %}{{ warehouse_ml.quote_literal(value) }}{{ ", " if not loop.last }}{% endfor -%}
    )
    {%- endif %}
{%- endmacro %}
