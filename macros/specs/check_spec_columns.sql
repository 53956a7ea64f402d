{#- At run time, fail with the spec file and field when a column a spec names
    is not in its source (or upstream) relation (part 'training') or in its
    scoring source (part 'scoring'): a typo otherwise surfaces as an engine
    error deep in a generated query. The parts are checked by the models that
    read them, so scoring never has to rebuild training and back. -#}
{% macro check_spec_columns(spec, part='training') -%}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- if part not in ['training', 'scoring'] -%}
        {{ exceptions.raise_compiler_error("check_spec_columns: part must be training or scoring") }}
    {%- endif -%}
    {%- set checks = [] if part == 'scoring' else [[spec['source'], 'entity_key', [spec['entity_key']]], [spec['source'], 'label.column', [spec['label']['column']]], [spec['source'], 'features.numeric', spec['features']['numeric']], [spec['source'], 'features.categorical', spec['features']['categorical']], [spec['source'], 'features.monitored', spec['features']['monitored']]] -%}
    {%- if part == 'training' and spec['group_key'] -%}{%- do checks.append([spec['source'], 'group_key', [spec['group_key']]]) -%}{%- endif -%}
    {%- if part == 'scoring' -%}
    {%- elif spec['split']['method'] == 'hash' -%}{%- do checks.append([spec['source'], 'split.key', [spec['split']['key']]]) -%}{%- else -%}{%- do checks.append([spec['source'], 'split.time_column', [spec['split']['time_column']]]) -%}{%- endif -%}
    {%- for upstream in spec['features']['upstream'] if part == 'training' -%}
        {%- do checks.append([upstream['relation'], 'features.upstream[' ~ loop.index0 ~ ']', [upstream['key']] + upstream['numeric']]) -%}
    {%- endfor -%}
    {%- if part == 'scoring' and spec['scoring']['source'] -%}
        {%- set request_columns = [spec['scoring']['key']] + spec['features']['numeric'] + spec['features']['categorical'] -%}
        {%- if spec['group_key'] -%}{%- do request_columns.append(spec['group_key']) -%}{%- endif -%}
        {%- do checks.append([spec['scoring']['source'], 'scoring.source', request_columns]) -%}
    {%- endif -%}
    {#- A unit test renders ref() as its fixture, not a relation: nothing to look up. -#}
    {%- if model is defined and model.resource_type == 'unit_test' -%}{{ return('') }}{%- endif -%}
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
