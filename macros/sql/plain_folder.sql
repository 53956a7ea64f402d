{#- A folder path that is pasted into SQL (a DuckDB glob pattern, a COPY
    target), where a glob character, a line break or NUL would change what
    the statement reads or writes: the path without a trailing slash, or a
    compiler error a user can act on. Quotes are refused only where the path
    lands in a string literal unescaped. -#}
{% macro plain_folder(folder, name, empty_hint, refuse_quotes=false) -%}
    {%- set folder = (folder | string).rstrip('/') -%}
    {%- if folder | length == 0 -%}
        {{ exceptions.raise_compiler_error(name ~ " is empty: " ~ empty_hint) }}
    {%- endif -%}
    {%- set quote = "'" if refuse_quotes else "" -%}
    {%- if modules.re.search("[*?\\[\\]{}" ~ quote ~ "\n\r\x00]", folder) -%}
        {{ exceptions.raise_compiler_error(
            name ~ " ('" ~ folder ~ "') must be a plain folder path without "
            ~ ("quotes or " if refuse_quotes else "") ~ "glob characters"
        ) }}
    {%- endif -%}
    {{ return(folder) }}
{%- endmacro %}
