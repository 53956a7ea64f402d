{{ config(materialized='table') }}

{#- One row per landed conversion record, typed and renamed, with the reason it
    cannot be used (NULL when it can). Materialised: the checks and the
    duplicate window are read by three downstream models. -#}

with source as (
    select * from {{ ref('ingest_conversion_records') }}
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
        lower({{ warehouse_ml.record_field('id') }}) as event_id,
        lower({{ warehouse_ml.record_field('offer') }}) as offer_id,
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
            {{ warehouse_ml.user_field_checks('event_id', 'id') }}
            when offer_id is null then 'missing offer'
            when not {{ warehouse_ml.matches_regex('offer_id', warehouse_ml.uuid_pattern()) }} then 'offer is not a UUID'
        end as check_failure
    from typed
),

renamed as (
    select
        event_id,
        campaign_id,
        offer_id,
        source_file,
        file_format,
        record,
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
            -- Duplicate ids: one copy is kept, the first ingested, then by file name, then by
            -- md5 of the record text (a short sort key; the full text made this window the
            -- slowest step of staging), so the choice is the same on every engine and rebuild.
            when row_number() over (
                partition by check_failure is null, event_id
                order by ingested_at, source_file, {{ warehouse_ml.text_digest('record') }}
            ) > 1 then 'duplicate id (another copy was kept)'
        end as reject_reason,
        ingested_at
    from checked
)

select * from renamed
