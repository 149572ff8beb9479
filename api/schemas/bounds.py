"""Bounds of the values the API accepts, checked in the schema and published in OpenAPI.

An out-of-range value is a 422 problem naming the parameter, never an exception in a route:

>>> from pydantic import TypeAdapter
>>> TypeAdapter(UtcDatetime).validate_python("2024-06-01T12:00:00")
datetime.datetime(2024, 6, 1, 12, 0, tzinfo=datetime.timezone.utc)
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Path, Query
from pydantic import AfterValidator, Field

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)

INT32_MAX = 2**31 - 1
"""Largest offset and row id: what a 32-bit store column holds."""

PageLimit = Annotated[int, Query(ge=1, le=500, description="Items per page, 1 to 500.")]
PageOffset = Annotated[int, Query(ge=0, le=INT32_MAX, description="Items to skip.")]
RowId = Annotated[int, Path(ge=1, le=INT32_MAX)]


def _within_bounds(value: datetime) -> datetime:
    """``value`` in UTC (a naive value is taken as UTC), between ``EARLIEST`` and ``LATEST``."""
    utc = None
    # The wall-clock year is checked before converting: 0001-01-01T00:00+14:00 would overflow.
    if EARLIEST.year - 1 <= value.year <= LATEST.year:
        utc = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if utc is None or not EARLIEST <= utc <= LATEST:
        raise ValueError(f"must lie between {EARLIEST.isoformat()} and {LATEST.isoformat()}")
    return utc


UtcDatetime = Annotated[
    datetime,
    AfterValidator(_within_bounds),
    Field(
        description=f"ISO 8601 date and time between {EARLIEST.isoformat()} and "
        f"{LATEST.isoformat()}; without a UTC offset it is taken as UTC.",
        json_schema_extra={
            "format": "date-time",
            "formatMinimum": EARLIEST.isoformat(),
            "formatMaximum": LATEST.isoformat(),
        },
    ),
]
"""A datetime within the years the registers and the store can hold, always in UTC."""
