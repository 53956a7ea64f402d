{#- The shared steps of a landing staging model, as a query with its own `with`
    (a staging model is this one call): parse the raw records of
    `relation` (an ingestion model's rows), read and rename the fields, type
    lat/long, run the checks, and reject all but one copy of a duplicate id.
    The result has the columns, in order: `id_column`, campaign_id, the
    `required_ids` columns, source_file, file_format, record, the `text_fields`
    columns, the user fields of landed_user_fields(), lat, long, reject_reason
    (NULL when the record can be used), ingested_at.

    id_column     name of the record's `id` field once staged (e.g. event_id).
    required_ids  {column: field} extra UUID keys every record must carry,
                  lower-cased like the other ids; checked after the shared
                  checks, in order: 'missing <field>', '<field> is not a UUID'.
    text_fields   {column: field} extra fields kept as text, unchecked.
    rejected_record_only
                  true: `record` is kept on rejected rows (what ingest_rejects
                  reports) and NULL on usable ones, whose text stays in the
                  ingestion table: writing it a second time for every usable
                  row took about a fifth of staging's time at 1M records. -#}
{% macro stage_landed_records(relation, id_column, required_ids={}, text_fields={}, rejected_record_only=false) -%}
    {%- do warehouse_ml._validate_staged_fields(id_column, required_ids, text_fields) %}
    with parsed as (
        select
            *,
            {{ warehouse_ml.parsed_record_fields() }}
        from {{ relation }}
    ),

    extracted as (
        select
            source_file,
            file_format,
            record,
            parse_error,
            ingested_at,
            lower({{ warehouse_ml.record_field('id') }}) as {{ id_column }},
            {%- for column, field in required_ids.items() %}
            lower({{ warehouse_ml.record_field(field) }}) as {{ column }},
            {%- endfor %}
            {%- for column, field in text_fields.items() %}
            {{ warehouse_ml.record_field(field) }} as {{ column }},
            {%- endfor %}
            {{ warehouse_ml.landed_user_fields() }}
        from parsed
    ),

    typed as (
        select
            *,
            {{ warehouse_ml.try_to_double('lat_text') }} as lat,
            {{ warehouse_ml.try_to_double('long_text') }} as long
        from extracted
    ),

    checked as (
        select
            *,
            case
                {{ warehouse_ml.user_field_checks(id_column, 'id') }}
                {%- for column, field in required_ids.items() %}
                when {{ column }} is null then 'missing {{ field }}'
                when not {{ warehouse_ml.matches_regex(column, warehouse_ml.uuid_pattern()) }} then '{{ field }} is not a UUID'
                {%- endfor %}
            end as check_failure
        from typed
    ),

    numbered as (
        select
            *,
            -- Duplicate ids: one copy is kept, the first ingested, then by file name, then by
            -- md5 of the record text (a short sort key; the full text made this window the
            -- slowest step of staging), so the choice is the same on every engine and rebuild.
            row_number() over (
                partition by check_failure is null, {{ id_column }}
                order by ingested_at, source_file, {{ warehouse_ml.text_digest('record') }}
            ) as copy_number
        from checked
    ),

    deduplicated as (
        select
            {{ id_column }},
            campaign_id,
            {%- for column in required_ids %}
            {{ column }},
            {%- endfor %}
            source_file,
            file_format,
            {%- if rejected_record_only %}
            case when check_failure is not null or copy_number > 1 then record end as record,
            {%- else %}
            record,
            {%- endif %}
            {%- for column in text_fields %}
            {{ column }},
            {%- endfor %}
            country,
            city,
            isp,
            network,
            dos,
            dtype,
            dos_version,
            dbrowser,
            dbrowser_version,
            lat,
            long,
            case
                when check_failure is not null then check_failure
                when copy_number > 1 then 'duplicate id (another copy was kept)'
            end as reject_reason,
            ingested_at
        from numbered
    )

    select * from deduplicated
{%- endmacro %}

{#- Staged column names are pasted into SQL and field names into JSON paths:
    both must be plain names, and every field one staging reads. -#}
{% macro _validate_staged_fields(id_column, required_ids, text_fields) -%}
    {%- if required_ids is not mapping or text_fields is not mapping -%}
        {{ exceptions.raise_compiler_error("stage_landed_records: required_ids and text_fields must be mappings {column: field}") }}
    {%- endif -%}
    {%- do warehouse_ml._validate_identifiers([id_column] + (required_ids.keys() | list) + (text_fields.keys() | list), 'stage_landed_records') -%}
    {%- set paths = warehouse_ml.landed_record_paths() -%}
    {%- for field in (required_ids.values() | list) + (text_fields.values() | list) -%}
        {%- if field not in paths -%}
            {{ exceptions.raise_compiler_error("stage_landed_records: field '" ~ field ~ "' is not one of landed_record_paths(): " ~ paths | join(', ')) }}
        {%- endif -%}
    {%- endfor -%}
{%- endmacro %}
