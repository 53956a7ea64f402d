{#- Train / validation / test assignment from a hash of the event id, so every
    engine and every rebuild gives the same split. -#}
{%- set train = var('train_fraction') | float -%}
{%- set validation = var('validation_fraction') | float -%}
{%- if not (0 < train < 1 and 0 < validation < 1 and train + validation < 1) -%}
    {{ exceptions.raise_compiler_error("vars train_fraction and validation_fraction must be in (0, 1) and sum to less than 1") }}
{%- endif -%}
{%- set seed = var('split_seed') | int %}

with extracted as (
    select * from {{ ref('int_conversions_extracted') }}
),

hashed as (
    select
        *,
        {{ warehouse_ml.hash_fraction('event_id', seed) }} as split_fraction
    from extracted
),

split as (
    select
        *,
        case
            when split_fraction < {{ train }} then 'train'
            when split_fraction < {{ train + validation }} then 'validation'
            else 'test'
        end as split
    from hashed
)

select * from split
