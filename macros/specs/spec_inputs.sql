{#- Every model input of one kind over a list of specs, flattened in order
    (spec by spec, then the spec's columns in feature order), so a model
    writes one `union all` branch per input and an empty_select when there
    is none. Each input is a dict: spec, spec_index (the spec's 1-based
    position in `specs`, for per-spec CTE names), column, upstream (the
    upstream relation entry of an upstream numeric column, else none) and
    position (0-based among the spec's inputs of this kind: for numeric
    inputs, the feature index). kind: 'numeric' (spec_numeric_columns) or
    'categorical' (features.categorical). -#}
{% macro spec_inputs(specs, kind) -%}
    {%- if kind not in ['numeric', 'categorical'] -%}
        {{ exceptions.raise_compiler_error("spec_inputs: kind must be 'numeric' or 'categorical', not '" ~ kind ~ "'") }}
    {%- endif -%}
    {%- set inputs = [] -%}
    {%- for spec in specs -%}
        {%- set spec_index = loop.index -%}
        {%- if kind == 'numeric' -%}
            {%- set columns = warehouse_ml.spec_numeric_columns(spec) -%}
        {%- else -%}
            {%- set columns = [] -%}
            {%- for column in spec['features']['categorical'] -%}{%- do columns.append([column, none]) -%}{%- endfor -%}
        {%- endif -%}
        {%- for column, upstream in columns -%}
            {%- do inputs.append({
                'spec': spec, 'spec_index': spec_index, 'column': column, 'upstream': upstream, 'position': loop.index0,
            }) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(inputs) }}
{%- endmacro %}
