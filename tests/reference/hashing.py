"""The deterministic split hash, in Python: the same number as the ``hash_fraction`` macro.

>>> hash_fraction("a", 13) == int(__import__("hashlib").md5(b"13:a").hexdigest()[:8], 16) / 2**32
True
"""

from __future__ import annotations

import hashlib

__all__ = ["hash_fraction"]


def hash_fraction(value: str, seed: object) -> float:
    """A number in [0, 1): the first 8 hex digits of md5(f"{seed}:{value}") over 2**32.

    ``macros/features/hash_fraction.sql`` computes the same on DuckDB and Trino,
    so a row's split is the same in SQL and in Python.
    """
    digest = hashlib.md5(f"{seed}:{value}".encode()).hexdigest()
    return int(digest[:8], 16) / 2**32
