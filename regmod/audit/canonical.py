"""Canonical JSON: one byte sequence per value, so that a hash over it can be recomputed anywhere.

Keys sorted, no insignificant whitespace, UTF-8 text as is (no ``\\u`` escapes), NaN and
infinities refused. Floats use Python's shortest round-trip form.
"""

from __future__ import annotations

import json
from typing import Any

from regmod.errors import RegmodError


def canonical_json(value: Any) -> str:
    """The canonical text of a JSON-able value.

    >>> canonical_json({"b": 1, "a": ["ü", 2.5]})
    '{"a":["ü",2.5],"b":1}'
    """
    try:
        return json.dumps(
            value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except (TypeError, ValueError) as error:
        raise RegmodError(
            f"audit payload is not canonical JSON ({error}); use str, int, float, bool, None, "
            "lists and dicts with string keys"
        ) from error
