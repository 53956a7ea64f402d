{#- The model specs of this build, one row per spec, resolved (defaults,
    derived values and dbt var overrides applied) by macro model_specs(): the
    single reading of model_specs/*.sql that every stage uses. The training
    model (ml_models.py) and the Trino runner read the specs from here, so
    SQL features and Python training never disagree on a setting. -#}
{%- set specs = warehouse_ml.model_specs() %}

with specs as (
    {%- set string = dbt.type_string() %}
    {%- call(spec, i) warehouse_ml.union_or_empty(specs, [
        ['model_name', string], ['spec_file', string], ['label_kind', string], ['group_key', string], ['spec_json', string],
    ]) %}
    select
        cast({{ warehouse_ml.quote_literal(spec['name']) }} as {{ dbt.type_string() }}) as model_name,
        cast({{ warehouse_ml.quote_literal(spec['file']) }} as {{ dbt.type_string() }}) as spec_file,
        cast({{ warehouse_ml.quote_literal(spec['label']['kind']) }} as {{ dbt.type_string() }}) as label_kind,
        cast({{ warehouse_ml.quote_literal(spec['group_key'] or '') }} as {{ dbt.type_string() }}) as group_key,
        cast({{ warehouse_ml.quote_literal(tojson(spec)) }} as {{ dbt.type_string() }}) as spec_json
    {%- endcall %}
),

final as (
    select
        model_name,
        spec_file,
        label_kind,
        nullif(group_key, '') as group_key,
        spec_json,
        cast({{ warehouse_ml.quote_literal(tojson(warehouse_ml.spec_build_vars())) }} as {{ dbt.type_string() }}) as build_vars,
        '{{ invocation_id }}' as invocation_id
    from specs
)

select * from final
