{#- The feature columns of `spec` in the column order shared by every event
    spec (the union over `specs`), as SQL select items: the spec's own
    columns, NULL (typed) for the others. The event models union their specs'
    rows, so every branch needs the same columns. -#}
{% macro event_feature_list(spec, specs) -%}
    {%- set columns = [] -%}
    {%- set categorical = [] -%}
    {%- for other in specs -%}
        {%- do categorical.extend(other['features']['categorical']) -%}
        {%- for column in other['features']['numeric'] + other['features']['categorical'] if column not in columns -%}
            {%- do columns.append(column) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set own = spec['features']['numeric'] + spec['features']['categorical'] -%}
    {%- set items = [] -%}
    {%- for column in columns -%}
        {%- if column in own -%}
            {%- do items.append(column) -%}
        {%- else -%}
            {%- do items.append('cast(null as ' ~ (dbt.type_string() if column in categorical else 'double') ~ ') as ' ~ column) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(items | join(',\n        ')) }}
{%- endmacro %}
