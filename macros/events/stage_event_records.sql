{#- The body of an event log's staging model: one row per raw record of the
    event log `event_log` (var event_logs) with the log's own fields mapped to
    the columns every propensity spec reads, the time rules applied, and the
    reason a record cannot be used (NULL when it can). Columns, in order:
    event_id, entity_id, event_time (UTC timestamp(6)), event_type, the
    `categorical` columns (text), the `numeric` columns (double),
    source_file, file_format, record, loaded_at (when the record was read, as
    UTC: late data stays visible), ingested_at (the same, with time zone),
    reject_reason.

    fields       {entity_id: field, event_time: field, event_type: field} and
                 optionally event_id: field (a duplicate id is then rejected;
                 without one, event_id is a digest of the record).
    categorical  {column: field} properties kept as text.
    numeric      {column: field} properties read as numbers.
    Time rules (in this order): a missing or unreadable time is rejected; a
    time more than var event_time_tolerance after the load time (clock skew)
    is rejected; zoned times are converted to UTC, zone-less ones are UTC. -#}
{% macro stage_event_records(event_log, fields, categorical={}, numeric={}) -%}
    {%- set mapped = dict(fields) -%}
    {%- for required in ['entity_id', 'event_time', 'event_type'] if required not in mapped -%}
        {{ exceptions.raise_compiler_error("stage_event_records: fields must map " ~ required ~ " to a field of the log") }}
    {%- endfor -%}
    {%- do mapped.update(categorical) -%}
    {%- do mapped.update(numeric) -%}
    {%- do warehouse_ml._validate_identifiers(mapped.keys() | list + [event_log], 'stage_event_records') -%}
    {%- for column, field in mapped.items() if not modules.re.match('^[A-Za-z_][A-Za-z0-9_ .-]*$', field) -%}
        {{ exceptions.raise_compiler_error("stage_event_records: field '" ~ field ~ "' of column " ~ column ~ " must be letters, digits, spaces, '_', '.' or '-'") }}
    {%- endfor -%}
    {%- set columns = mapped.keys() | list -%}
    {%- set tolerance = warehouse_ml.duration_seconds(var('event_time_tolerance', '1 hour')) %}
    {%- set output = ['event_id', 'entity_id', 'event_time', 'event_type'] + (categorical.keys() | list) + (numeric.keys() | list) + ['source_file', 'file_format', 'record', 'loaded_at', 'ingested_at'] %}
    with records as (
        select
            records.*,
            {{ warehouse_ml.event_record_fields('records.record', mapped.values() | list) }} as fields
        from {{ ref('ingest_event_records') }} as records
        inner join {{ ref('ingest_file_manifest') }} as manifest
            on records.source_file = manifest.source_file
        where manifest.dataset = {{ warehouse_ml.quote_literal('event_log:' ~ event_log) }}
    ),

    extracted as (
        -- The ingestion columns pass through (checked names what the model keeps).
        select
            *,
            {%- for column in columns %}
            nullif({{ warehouse_ml.trim_spaces(warehouse_ml.event_record_field('fields', mapped.values() | list, loop.index0)) }}, '') as {{ column }}_text{{ "," if not loop.last }}
            {%- endfor %}
        from records
    ),

    typed as (
        select
            *,
            {{ warehouse_ml.parse_event_time('event_time_text') }} as event_time,
            {%- for column in numeric %}
            {{ warehouse_ml.try_to_double(column ~ '_text') }} as {{ column }},
            {%- endfor %}
            {{ warehouse_ml.event_load_time('ingested_at') }} as loaded_at
        from extracted
    ),

    checked as (
        select
            {%- if 'event_id' in mapped %}
            event_id_text as event_id,
            {%- else %}
            {{ warehouse_ml.text_digest('record') }} as event_id,
            {%- endif %}
            entity_id_text as entity_id,
            event_time,
            event_type_text as event_type,
            {%- for column in categorical %}
            {{ column }}_text as {{ column }},
            {%- endfor %}
            {%- for column in numeric %}
            {{ column }},
            {%- endfor %}
            source_file,
            file_format,
            record,
            loaded_at,
            ingested_at,
            case
                when parse_error is not null then parse_error
                when entity_id_text is null then 'missing {{ fields["entity_id"] }}'
                when event_time_text is null then 'missing {{ fields["event_time"] }}'
                when event_time is null then '{{ fields["event_time"] }} is not a timestamp'
                when event_time > loaded_at + interval '{{ tolerance }}' second
                    then '{{ fields["event_time"] }} is more than {{ var("event_time_tolerance", "1 hour") }} after the load time (clock skew)'
                when event_type_text is null then 'missing {{ fields["event_type"] }}'
                {%- if 'event_id' in mapped %}
                when event_id_text is null then 'missing {{ fields["event_id"] }}'
                {%- endif %}
                {%- for column, field in numeric.items() %}
                when {{ column }}_text is not null and {{ column }} is null then '{{ field }} is not a number'
                {%- endfor %}
            end as check_failure
        from typed
    ),

    final as (
        select
            {{ output | join(',\n            ') }},
            case
                when check_failure is not null then check_failure
                {%- if 'event_id' in mapped %}
                when row_number() over (
                    partition by check_failure is null, event_id
                    order by loaded_at, source_file, {{ warehouse_ml.text_digest('record') }}
                ) > 1 then 'duplicate id (another copy was kept)'
                {%- endif %}
            end as reject_reason
        from checked
    )

    select * from final
{%- endmacro %}
