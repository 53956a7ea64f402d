{{ config(materialized='incremental', incremental_strategy='append') }}

{#- Every landed file seen so far, found when the build starts. A file is
    identified by its path: a path already listed is never read again. -#}
{%- set landed = [] -%}
{%- for dataset, folder in warehouse_ml.landing_folders() -%}
{%- for f in warehouse_ml.list_landed_files(folder, dataset) -%}
{%- do landed.append([dataset, f[0], f[1]]) -%}
{%- endfor -%}
{%- endfor %}

with landed as (
    {{ warehouse_ml.landed_files_relation(landed) }}
),

final as (
    select
        landed.source_file,
        landed.dataset,
        landed.file_format,
        '{{ invocation_id }}' as invocation_id,
        current_timestamp as ingested_at
    from landed
    {% if is_incremental() -%}
    where landed.source_file not in (select seen.source_file from {{ this }} as seen)
    {%- endif %}
)

select * from final
