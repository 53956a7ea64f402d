{#- The SQL condition that makes an event of the spec's log an outcome: its
    type is one of events.outcome.event_types and its properties meet
    outcome.where (one of the listed values) and outcome.at_least (at least
    the number). Column names are the spec's validated property names; values
    reach SQL only as quoted literals or numbers. -#}
{% macro event_outcome_condition(ev, relation=none) -%}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    {%- set outcome = ev['outcome'] -%}
    {%- set terms = [] -%}
    {%- set types = [] -%}
    {%- for t in outcome['event_types'] -%}{%- do types.append(warehouse_ml.quote_literal(t)) -%}{%- endfor -%}
    {%- do terms.append(prefix ~ 'event_type in (' ~ types | join(', ') ~ ')') -%}
    {%- for column, values in outcome['where'].items() -%}
        {%- set quoted = [] -%}
        {%- for v in values -%}{%- do quoted.append(warehouse_ml.quote_literal(v)) -%}{%- endfor -%}
        {%- do terms.append(prefix ~ column ~ ' in (' ~ quoted | join(', ') ~ ')') -%}
    {%- endfor -%}
    {%- for column, least in outcome['at_least'].items() -%}
        {%- do terms.append(prefix ~ column ~ ' >= ' ~ (least | float)) -%}
    {%- endfor -%}
    {{ return(terms | join(' and ')) }}
{%- endmacro %}
