{{ config(materialized='table') }}

{#- One row per landed scoring request, typed and renamed, with the reason it
    cannot be scored (NULL when it can). An explicit feature vector (`input`,
    the seed API's ?input=) is kept as text and validated when scoring. -#}

with source as (
    select * from {{ ref('ingest_request_records') }}
),

parsed as (
    select
        *,
        {{ warehouse_ml.parsed_record_fields() }}
    from source
),

extracted as (
    select
        source_file,
        file_format,
        record,
        parse_error,
        ingested_at,
        lower({{ warehouse_ml.record_field('id') }}) as request_id,
        {{ warehouse_ml.record_field('input') }} as feature_vector,
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
            {{ warehouse_ml.user_field_checks('request_id', 'id') }}
        end as check_failure
    from typed
),

renamed as (
    select
        request_id,
        campaign_id,
        source_file,
        file_format,
        record,
        feature_vector,
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
            when row_number() over (
                partition by check_failure is null, request_id
                order by ingested_at, source_file, {{ warehouse_ml.text_digest('record') }}
            ) > 1 then 'duplicate id (another copy was kept)'
        end as reject_reason,
        ingested_at
    from checked
)

select * from renamed
