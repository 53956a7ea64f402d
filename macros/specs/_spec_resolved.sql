{#- Rules across fields and the defaults that depend on other fields (the
    objective from the label kind, the gate from the metric, the scorer from
    the engine). warehouse_ml.spec.resolve applies the same rules in Python. -#}
{% macro _spec_resolved(spec, file) -%}
    {%- set fail = file ~ ": " -%}
    {%- set label = spec['label'] -%}
    {%- set binary = label['kind'] == 'binary' -%}
    {%- if binary and label['positive'] is none -%}
        {{ exceptions.raise_compiler_error(fail ~ "field 'label.positive' is required when label.kind is binary") }}
    {%- elif not binary and label['positive'] is not none -%}
        {{ exceptions.raise_compiler_error(fail ~ "field 'label.positive' is only for label.kind binary") }}
    {%- endif -%}
    {%- set training = spec['training'] -%}
    {%- set objective = 'binary:logistic' if binary else 'multi:softprob' -%}
    {%- if training['objective'] not in [none, objective] -%}
        {{ exceptions.raise_compiler_error(fail ~ "field 'training.objective' must be " ~ objective ~ " for a " ~ label['kind'] ~ " label") }}
    {%- endif -%}
    {%- set metrics = ['logloss', 'auc', 'aucpr'] if binary else ['mlogloss'] -%}
    {%- if training['eval_metric'] not in [none] + metrics -%}
        {{ exceptions.raise_compiler_error(fail ~ "field 'training.eval_metric' must be one of " ~ metrics | join(', ') ~ " for a " ~ label['kind'] ~ " label") }}
    {%- endif -%}
    {%- do training.update({'objective': objective, 'eval_metric': training['eval_metric'] or metrics[0]}) -%}
    {%- for name, bounds in training['search_space'].items() if bounds['low'] > bounds['high'] -%}
        {{ exceptions.raise_compiler_error(fail ~ "field 'training.search_space." ~ name ~ "': low is above high") }}
    {%- endfor -%}
    {%- set gate = spec['gate'] -%}
    {%- set gate_metrics = ['auc', 'pr_auc', 'log_loss', 'brier_score', 'ece'] if binary else ['hamming_loss', 'log_loss'] -%}
    {%- set metric = gate['metric'] or gate_metrics[0] -%}
    {%- if metric not in gate_metrics -%}
        {{ exceptions.raise_compiler_error(fail ~ "field 'gate.metric' must be one of " ~ gate_metrics | join(', ') ~ " for a " ~ label['kind'] ~ " label") }}
    {%- endif -%}
    {%- set default_threshold = {'hamming_loss': 0.40, 'auc': 0.5}.get(metric) -%}
    {%- if gate['threshold'] is none and default_threshold is none -%}
        {{ exceptions.raise_compiler_error(fail ~ "field 'gate.threshold' is required for gate.metric " ~ metric) }}
    {%- endif -%}
    {%- do gate.update({
        'metric': metric,
        'direction': gate['direction'] or ('min' if metric in ['auc', 'pr_auc'] else 'max'),
        'threshold': gate['threshold'] if gate['threshold'] is not none else default_threshold,
    }) -%}
    {%- if spec['calibration'] != 'none' and not binary -%}
        {{ exceptions.raise_compiler_error(fail ~ "field 'calibration' needs a binary label") }}
    {%- endif -%}
    {%- if training['imbalance'] != 'none' and not binary -%}
        {{ exceptions.raise_compiler_error(fail ~ "field 'training.imbalance' needs a binary label") }}
    {%- endif -%}
    {%- if spec['calibration'] != 'none' and training['refit_on_validation'] -%}
        {{ exceptions.raise_compiler_error(fail ~ "field 'calibration' needs training.refit_on_validation: false (the calibrator is fitted on the validation split, which a refit would train on)") }}
    {%- endif -%}
    {%- set split = spec['split'] -%}
    {%- set by_fraction = split['method'] == 'hash' or spec['events']['source'] is not none -%}
    {%- if by_fraction and not (0 < split['train_fraction'] < 1 and 0 < split['validation_fraction'] < 1 and split['train_fraction'] + split['validation_fraction'] < 1) -%}
        {{ exceptions.raise_compiler_error(fail ~ "fields 'split.train_fraction' and 'split.validation_fraction' must be above 0 and sum to less than 1") }}
    {%- endif -%}
    {%- if split['method'] == 'hash' -%}
        {%- do split.update({'key': split['key'] or spec['entity_key']}) -%}
    {%- elif not by_fraction -%}
        {%- for field in ['time_column', 'validation_from', 'test_from'] if split[field] is none -%}
            {{ exceptions.raise_compiler_error(fail ~ "field 'split." ~ field ~ "' is required when split.method is time") }}
        {%- endfor -%}
        {%- for field in ['validation_from', 'test_from'] if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}:[0-9]{2})?$', split[field]) -%}
            {{ exceptions.raise_compiler_error(fail ~ "field 'split." ~ field ~ "' must be a timestamp 'YYYY-MM-DD[ HH:MM:SS]' (UTC), got '" ~ split[field] ~ "'") }}
        {%- endfor -%}
        {%- if split['validation_from'] > split['test_from'] -%}
            {{ exceptions.raise_compiler_error(fail ~ "field 'split.validation_from' must not be after split.test_from") }}
        {%- endif -%}
    {%- endif -%}
    {%- set features = spec['features'] -%}
    {%- set columns = features['numeric'] + features['categorical'] -%}
    {%- if not columns and not features['upstream'] -%}
        {{ exceptions.raise_compiler_error(fail ~ "field 'features' names no feature") }}
    {%- endif -%}
    {%- for column in columns -%}
        {%- if columns.count(column) > 1 or column in [spec['entity_key'], label['column']] -%}
            {{ exceptions.raise_compiler_error(fail ~ "field 'features': column '" ~ column ~ "' is listed twice, or is the entity key or the label") }}
        {%- endif -%}
    {%- endfor -%}
    {%- set scoring = spec['scoring'] -%}
    {%- if (scoring['source'] is none) != (scoring['key'] is none) -%}
        {{ exceptions.raise_compiler_error(fail ~ "fields 'scoring.source' and 'scoring.key' go together") }}
    {%- endif -%}
    {%- if scoring['engine'] == 'default' -%}
        {%- do scoring.update({'engine': 'xgboost' if target.type == 'duckdb' else 'sql'}) -%}
    {%- endif -%}
    {%- if scoring['engine'] == 'xgboost' and target.type != 'duckdb' -%}
        {{ exceptions.raise_compiler_error(fail ~ "field 'scoring.engine': xgboost scoring runs on DuckDB only; use sql on " ~ target.type) }}
    {%- endif -%}
    {%- do spec.update({'file': file}) -%}
    {{ return(spec) }}
{%- endmacro %}
