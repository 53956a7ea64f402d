{#- At run time, fail with the spec file and field when a column a spec names
    is not in its source (or upstream) relation: a typo otherwise surfaces as
    an engine error deep in a generated query. -#}
{% macro check_spec_columns(spec) -%}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set checks = [[spec['source'], 'entity_key', [spec['entity_key']]], [spec['source'], 'label.column', [spec['label']['column']]], [spec['source'], 'features.numeric', spec['features']['numeric']], [spec['source'], 'features.categorical', spec['features']['categorical']], [spec['source'], 'features.monitored', spec['features']['monitored']]] -%}
    {%- if spec['group_key'] -%}{%- do checks.append([spec['source'], 'group_key', [spec['group_key']]]) -%}{%- endif -%}
    {%- if spec['split']['method'] == 'hash' -%}{%- do checks.append([spec['source'], 'split.key', [spec['split']['key']]]) -%}{%- else -%}{%- do checks.append([spec['source'], 'split.time_column', [spec['split']['time_column']]]) -%}{%- endif -%}
    {%- for upstream in spec['features']['upstream'] -%}
        {%- do checks.append([upstream['relation'], 'features.upstream[' ~ loop.index0 ~ ']', [upstream['key']] + upstream['numeric']]) -%}
    {%- endfor -%}
    {%- if spec['scoring']['source'] -%}
        {%- set request_columns = [spec['scoring']['key']] + spec['features']['numeric'] + spec['features']['categorical'] -%}
        {%- if spec['group_key'] -%}{%- do request_columns.append(spec['group_key']) -%}{%- endif -%}
        {%- do checks.append([spec['scoring']['source'], 'scoring.source', request_columns]) -%}
    {%- endif -%}
    {%- for relation_name, field, wanted in checks -%}
        {%- set relation = ref(relation_name) -%}
        {%- if adapter.get_relation(relation.database, relation.schema, relation.identifier) is none -%}
            {{ exceptions.raise_compiler_error(spec['file'] ~ ": field '" ~ field ~ "' reads " ~ relation_name ~ ", which is not built yet: build it first (e.g. dbt build -s +" ~ relation_name ~ ")") }}
        {%- endif -%}
        {%- set present = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
        {%- for column in wanted if column | lower not in present -%}
            {{ exceptions.raise_compiler_error(spec['file'] ~ ": field '" ~ field ~ "' names column '" ~ column ~ "', which " ~ relation_name ~ " does not have (it has: " ~ present | join(', ') ~ ")") }}
        {%- endfor -%}
    {%- endfor -%}
    {{ return('') }}
{%- endmacro %}
