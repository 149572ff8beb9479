"""regmod: link German register records to the IDNr, serve once-only evidence, keep an audit log."""

from regmod.errors import InputError, RegmodError

__all__ = ["InputError", "RegmodError", "__version__"]

__version__ = "0.1.0"
