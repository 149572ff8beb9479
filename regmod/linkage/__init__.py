"""The German default linkage model: register records against the IDNr reference data."""

from regmod.linkage.german import (
    LINKAGE_COLUMNS,
    LINKAGE_SCHEMA,
    german_spec,
    linkage_keys,
    prepare_for_linkage,
    with_decisive_evidence,
)

__all__ = [
    "LINKAGE_COLUMNS",
    "LINKAGE_SCHEMA",
    "german_spec",
    "linkage_keys",
    "prepare_for_linkage",
    "with_decisive_evidence",
]
