{#- A raw spec with the fields its `events` section derives filled in (an
    event-stream propensity spec: events.source set); any other spec comes
    back as it is. warehouse_ml.spec_events.expand_events does the same in
    Python. Feature names come from the windows and ranks, never from data. -#}
{% macro _spec_events_expanded(raw, file) -%}
    {%- if raw is not mapping or raw.get('events') is not mapping or raw['events'].get('source') is none -%}
        {{ return(raw) }}
    {%- endif -%}
    {%- set fail = file ~ ": " -%}
    {%- set events = warehouse_ml._validate_spec_object(raw['events'], warehouse_ml.model_spec_schema()['events']['fields'], file, 'events') -%}
    {%- set points = events['points'] -%}
    {%- set outcome = events['outcome'] -%}
    {%- if (points['event_type'] is none) == (points['every'] is none) -%}
        {{ exceptions.raise_compiler_error(fail ~ "field 'events.points' needs event_type (every event of a type) or every (snapshots), not both") }}
    {%- endif -%}
    {%- if points['active_within'] is not none and points['every'] is none -%}
        {{ exceptions.raise_compiler_error(fail ~ "field 'events.points.active_within' goes with events.points.every") }}
    {%- endif -%}
    {%- if not outcome['event_types'] or outcome['horizon'] is none -%}
        {{ exceptions.raise_compiler_error(fail ~ "field 'events.outcome' needs event_types and horizon") }}
    {%- endif -%}
    {%- for d in [points['every'], points['active_within'], outcome['horizon']] + events['windows'] if d is not none and warehouse_ml.duration_seconds(d) == 0 -%}
        {{ exceptions.raise_compiler_error(fail ~ "field 'events': windows, horizon, every and active_within must be longer than 0") }}
    {%- endfor -%}
    {%- if not events['windows'] and not events['rolling_weeks'] -%}
        {{ exceptions.raise_compiler_error(fail ~ "field 'events.windows' is empty and events.rolling_weeks is 0: no feature") }}
    {%- endif -%}
    {%- set labels = [] -%}
    {%- for w in events['windows'] -%}{%- do labels.append(warehouse_ml.window_label(warehouse_ml.duration_seconds(w))) -%}{%- endfor -%}
    {%- if labels | unique | list | length != labels | length -%}
        {{ exceptions.raise_compiler_error(fail ~ "field 'events.windows' lists the same window twice (" ~ labels | join(', ') ~ ")") }}
    {%- endif -%}
    {%- for name in ['rolling_weeks', 'top_event_types'] if events[name] < 0 -%}
        {{ exceptions.raise_compiler_error(fail ~ "field 'events." ~ name ~ "' must not be negative") }}
    {%- endfor -%}
    {%- if events['entity_cap'] < 1 -%}
        {{ exceptions.raise_compiler_error(fail ~ "field 'events.entity_cap' must be at least 1") }}
    {%- endif -%}
    {%- set rates = events['group_rates'] -%}
    {%- for field, columns, kind in [
        ('outcome.where', outcome['where'] | list, 'categorical'),
        ('outcome.at_least', outcome['at_least'] | list, 'numeric'),
        ('group_rates.columns', rates['columns'], 'categorical'),
    ] -%}
        {%- for column in columns if column not in events[kind] -%}
            {{ exceptions.raise_compiler_error(fail ~ "field 'events." ~ field ~ "' names '" ~ column ~ "', which is not in events." ~ kind) }}
        {%- endfor -%}
    {%- endfor -%}
    {%- for column, values in outcome['where'].items() if not values -%}
        {{ exceptions.raise_compiler_error(fail ~ "field 'events.outcome.where." ~ column ~ "' must list at least one value") }}
    {%- endfor -%}
    {%- if rates['columns'] | unique | list | length != rates['columns'] | length -%}
        {{ exceptions.raise_compiler_error(fail ~ "field 'events.group_rates.columns' lists a column twice") }}
    {%- endif -%}
    {%- if rates['window'] is not none and warehouse_ml.duration_seconds(rates['window']) == 0 -%}
        {{ exceptions.raise_compiler_error(fail ~ "field 'events.group_rates.window' must be longer than 0") }}
    {%- endif -%}
    {%- if rates['prior_weight'] <= 0 -%}
        {{ exceptions.raise_compiler_error(fail ~ "field 'events.group_rates.prior_weight' must be more than 0") }}
    {%- endif -%}
    {%- for field in ['source', 'entity_key', 'group_key', 'label'] if raw.get(field) is not none -%}
        {{ exceptions.raise_compiler_error(fail ~ "field '" ~ field ~ "' is derived from events.source in an event spec; remove it") }}
    {%- endfor -%}
    {%- set features = dict(raw.get('features') or {}) -%}
    {%- for field in ['numeric', 'categorical', 'monitored', 'upstream'] if features.get(field) -%}
        {{ exceptions.raise_compiler_error(fail ~ "field 'features." ~ field ~ "' is derived from events in an event spec; remove it") }}
    {%- endfor -%}
    {%- set split = dict(raw.get('split') or {}) -%}
    {%- for field in ['method', 'key', 'seed', 'time_column', 'validation_from', 'test_from'] if split.get(field) is not none -%}
        {{ exceptions.raise_compiler_error(fail ~ "field 'split." ~ field ~ "': an event spec splits by point time (set only split.train_fraction and split.validation_fraction)") }}
    {%- endfor -%}
    {%- set scoring = dict(raw.get('scoring') or {}) -%}
    {%- for field in ['source', 'key'] if scoring.get(field) is not none -%}
        {{ exceptions.raise_compiler_error(fail ~ "field 'scoring." ~ field ~ "' is derived from events in an event spec; remove it") }}
    {%- endfor -%}
    {%- set numeric = [] -%}
    {%- set top = range(1, events['top_event_types'] + 1) | list -%}
    {%- for label in labels -%}
        {%- do numeric.append('events_' ~ label) -%}
        {%- for k in top -%}{%- do numeric.append('type' ~ k ~ '_' ~ label) -%}{%- endfor -%}
        {%- for column in events['numeric'] -%}
            {%- do numeric.append(column ~ '_sum_' ~ label) -%}
            {%- for k in top -%}{%- do numeric.append('type' ~ k ~ '_' ~ column ~ '_sum_' ~ label) -%}{%- endfor -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for week in range(1, events['rolling_weeks'] + 1) -%}
        {%- do numeric.append('events_week' ~ week) -%}
        {%- for k in top -%}{%- do numeric.append('type' ~ k ~ '_week' ~ week) -%}{%- endfor -%}
    {%- endfor -%}
    {%- do numeric.append('hours_since_last_event') -%}
    {%- for column in rates['columns'] -%}
        {%- do numeric.append(column ~ '_rate_' ~ warehouse_ml.window_label(warehouse_ml.group_rate_window(events))) -%}
    {%- endfor -%}
    {%- set categorical = [] -%}
    {%- for edge in ['last', 'first'] -%}
        {%- for column in events['categorical'] -%}{%- do categorical.append(edge ~ '_' ~ column) -%}{%- endfor -%}
    {%- endfor -%}
    {%- if points['event_type'] is not none -%}
        {%- for column in events['categorical'] -%}{%- do categorical.append('point_' ~ column) -%}{%- endfor -%}
    {%- endif -%}
    {%- set out = dict(raw) -%}
    {%- do features.update({'numeric': numeric, 'categorical': categorical}) -%}
    {%- do split.update({'method': 'time', 'time_column': 'point_time'}) -%}
    {%- do scoring.update({'source': 'int_event_scoring_points', 'key': 'point_id'}) -%}
    {%- do out.update({
        'source': 'int_event_examples',
        'entity_key': 'point_id',
        'label': {'column': 'label', 'kind': 'binary', 'positive': '1'},
        'features': features,
        'split': split,
        'scoring': scoring,
    }) -%}
    {{ return(out) }}
{%- endmacro %}
