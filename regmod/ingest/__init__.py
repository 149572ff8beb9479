"""Register ingest: read a file, map its headers to canonical fields, quarantine unusable rows.

>>> result = read_register("fixtures/sample/register.csv")  # doctest: +SKIP
>>> result.rows_in == result.accepted.height + result.quarantine.height  # doctest: +SKIP
True
"""

from regmod.ingest.headers import SYNONYMS
from regmod.ingest.inputs import read_inputs, require_accepted
from regmod.ingest.mapping import PRESETS, ColumnMapping, header_key
from regmod.ingest.read import EXTRA_COLUMNS, IngestResult, read_register

__all__ = [
    "EXTRA_COLUMNS",
    "PRESETS",
    "SYNONYMS",
    "ColumnMapping",
    "IngestResult",
    "header_key",
    "read_inputs",
    "read_register",
    "require_accepted",
]
