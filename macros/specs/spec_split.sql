{#- SQL text of a row's split ('train', 'validation', 'test'): from a hash of
    the split key and seed (the same on every engine and rebuild), or from the
    time column against the spec's cut-offs, or (event specs) as int_event_points
    split the points by time. -#}
{% macro spec_split(spec) -%}
    {%- set split = spec['split'] -%}
    {%- if spec['events']['source'] -%}
        {#- Event specs: int_event_points split by point time (fractions) and purged. -#}
        split
    {%- elif split['method'] == 'hash' -%}
        {%- set fraction = warehouse_ml.hash_fraction(split['key'], split['seed']) -%}
        case
            when {{ fraction }} < {{ split['train_fraction'] }} then 'train'
            when {{ fraction }} < {{ split['train_fraction'] + split['validation_fraction'] }} then 'validation'
            else 'test'
        end
    {%- else -%}
        case
            when {{ split['time_column'] }} >= cast({{ warehouse_ml.quote_literal(split['test_from']) }} as timestamp) then 'test'
            when {{ split['time_column'] }} >= cast({{ warehouse_ml.quote_literal(split['validation_from']) }} as timestamp) then 'validation'
            else 'train'
        end
    {%- endif -%}
{%- endmacro %}
