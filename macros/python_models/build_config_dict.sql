{#- dbt writes a Python model's config values into its compiled code from the
    parsed manifest. With partial parsing on, a value that changes every run
    (the invocation id) would be that of the run that last parsed the file, so
    the dict is rebuilt here, when the model runs, with this run's id. Every
    other value comes from dbt's own macro unchanged; vars need nothing, as dbt
    parses everything again when the command-line vars change. -#}
{% macro build_config_dict(model) %}
{{ dbt.build_config_dict(model) }}
if "invocation_id" in config_dict:
    config_dict["invocation_id"] = {{ tojson(invocation_id) }}
{% endmacro %}
