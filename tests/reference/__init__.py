"""Reference implementations the tests compare the product (mostly SQL) with."""
