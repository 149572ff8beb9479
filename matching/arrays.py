"""NumPy array types of the batch levels: per-pair masks, scores, integer codes and positions."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
Codes = tuple[npt.NDArray[np.integer], BoolArray]
"""Integer values of a column (0 where null) and its null mask."""
Positions = npt.NDArray[np.uint32]
"""Row positions into the pair frame (UInt32, so Polars takes them without a copy)."""


def null_mask(column: pl.Series) -> BoolArray:
    """Where ``column`` is null, as a NumPy mask (no conversion when it has no nulls)."""
    if not column.has_nulls():
        return np.zeros(len(column), dtype=bool)
    mask: BoolArray = column.is_null().to_numpy()
    return mask
