{#- The body of an ingestion model: one row per raw record of the landed files
    of `dataset` (one of landing_folders(), or a list of them) that the calling incremental model
    has not read yet, tagged with this invocation and the time it was read.
    The calling model declares `-- depends_on: {{ ref('ingest_file_manifest') }}`
    (files_to_read queries it). -#}
{% macro ingest_landed_records(dataset) -%}
    {%- set datasets = [dataset] if dataset is string else dataset -%}
    {%- set files = [] -%}
    {%- for name in datasets -%}
        {%- do warehouse_ml._validate_landed_dataset(name, 'ingest_landed_records') -%}
        {%- do files.extend(warehouse_ml.files_to_read(name)) -%}
    {%- endfor %}
with records as (
    {{ warehouse_ml.read_landed_records(files) }}
),

final as (
    select
        records.source_file,
        records.file_format,
        records.record,
        records.parse_error,
        '{{ invocation_id }}' as invocation_id,
        current_timestamp as ingested_at
    from records
)

select * from final
{%- endmacro %}

{% macro _validate_landed_dataset(dataset, macro_name) -%}
    {%- set datasets = warehouse_ml.landing_folders() | map('first') | list -%}
    {%- if dataset not in datasets -%}
        {{ exceptions.raise_compiler_error(macro_name ~ ": dataset '" ~ dataset ~ "' is not one of " ~ datasets | join(', ') ~ " (landing_folders())") }}
    {%- endif -%}
{%- endmacro %}
