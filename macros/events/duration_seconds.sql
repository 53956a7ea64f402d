{#- A spec duration ('7 days', '15 minutes', '1 week') in seconds, the unit
    every window, horizon and offset is compared in. -#}
{% macro duration_seconds(text) -%}
    {%- set match = modules.re.match('^([0-9]+) (second|minute|hour|day|week)s?$', text) -%}
    {%- if not match -%}
        {{ exceptions.raise_compiler_error("duration_seconds: not a duration: '" ~ text ~ "'") }}
    {%- endif -%}
    {{ return((match.group(1) | int) * {'second': 1, 'minute': 60, 'hour': 3600, 'day': 86400, 'week': 604800}[match.group(2)]) }}
{%- endmacro %}
