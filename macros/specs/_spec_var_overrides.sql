{#- dbt var -> the spec field it overrides (warehouse_ml.spec.VAR_OVERRIDES
    is the same table in Python; a test holds them equal). -#}
{% macro _spec_var_overrides() -%}
    {{ return({
        'rare_min_frequency': ['features', 'rare_values', 'min_frequency'],
        'rare_min_count': ['features', 'rare_values', 'min_count'],
        'rare_value_handling': ['features', 'rare_values', 'handling'],
        'split_seed': ['split', 'seed'],
        'train_fraction': ['split', 'train_fraction'],
        'validation_fraction': ['split', 'validation_fraction'],
        'hpo_trials': ['training', 'hpo_trials'],
        'hpo_seed': ['training', 'hpo_seed'],
        'num_boost_round': ['training', 'num_boost_round'],
        'early_stopping_rounds': ['training', 'early_stopping_rounds'],
        'min_training_rows': ['training', 'min_training_rows'],
        'refit_on_validation': ['training', 'refit_on_validation'],
        'training_threads': ['training', 'training_threads'],
        'training_sample_cap': ['sampling', 'training_sample_cap'],
        'hpo_sample_cap': ['sampling', 'hpo_sample_cap'],
        'max_hamming_loss': ['gate', 'threshold'],
        'scoring_engine': ['scoring', 'engine'],
        'scoring_sql_formulation': ['scoring', 'sql_formulation'],
    }) }}
{%- endmacro %}
