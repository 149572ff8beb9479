"""The exception hierarchy of regmod: one base class, input errors that name file, row and field."""

from __future__ import annotations


class RegmodError(Exception):
    """Base class of every error regmod raises on purpose."""


class InputError(RegmodError):
    """A user-supplied file or value cannot be used; names where, so the user can fix it."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.file = file
        self.row = row
        self.field = field
        where = ", ".join(
            part
            for part in (
                f"file {file}" if file else "",
                f"row {row}" if row is not None else "",
                f"field {field!r}" if field else "",
            )
            if part
        )
        super().__init__(f"{where}: {message}" if where else message)


class ConfigurationError(RegmodError):
    """Settings, a column mapping or a spec is inconsistent."""


class NotFoundError(RegmodError):
    """A requested object (run, record, person, entry) does not exist for this tenant."""


class PreviewRejectedError(RegmodError):
    """A preview cannot be confirmed: wrong or expired token, or already confirmed."""


class IndexUnavailableError(RegmodError):
    """No trained model is configured, so single records cannot be matched."""


class ReconciliationUnavailableError(RegmodError):
    """The reconciliation service cannot be loaded in this deployment."""
