"""Frames made comparable across readers (DuckDB, Trino, the relational API)."""

from __future__ import annotations

import pandas as pd


def normalised(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as plain objects with None for NULL, rows sorted by every column."""
    frame = frame.copy()
    for col in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[col]):
            frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return frame.sort_values(list(frame.columns), na_position="first").reset_index(drop=True)
