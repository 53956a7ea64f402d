{#- KL(N(mu1, sigma1^2) || N(mu2, sigma2^2)) in closed form (natural log), with
    sigma the standard deviation: ln(s2/s1) + (s1^2 + (mu1 - mu2)^2) / (2 s2^2) - 1/2.
    Standard deviations are floored at 1e-9 as in tests/reference/drift.py gaussian_kl
    (a constant score gives a large finite value, not a division by zero).
    The seed's Hivemall `kld` takes variances and is not this exact KL; see
    drift.py. Plain SQL: DuckDB and Trino. -#}
{% macro gaussian_kl(mu1, sigma1, mu2, sigma2) -%}
    (
        ln(greatest({{ sigma2 }}, 1e-9) / greatest({{ sigma1 }}, 1e-9))
        + (
            greatest({{ sigma1 }}, 1e-9) * greatest({{ sigma1 }}, 1e-9)
            + ({{ mu1 }} - {{ mu2 }}) * ({{ mu1 }} - {{ mu2 }})
        ) / (2.0 * greatest({{ sigma2 }}, 1e-9) * greatest({{ sigma2 }}, 1e-9))
        - 0.5
    )
{%- endmacro %}
