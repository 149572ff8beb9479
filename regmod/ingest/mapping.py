"""Column mappings: a register's own headers onto the canonical fields, with shipped presets.

A mapping is TOML or JSON::

    name = "melderegister"
    source_register = "melderegister"
    record_id = "Ordnungsmerkmal"     # omit for a stable id from the row number
    [columns]
    Familienname = "family_name"

Headers are matched loosely (case, spaces, dots, hyphens, brackets, BOM, ``ä``/``ae`` and
``ß``/``ss`` spellings), so ``STRASSE`` finds a mapping written for ``Straße``.
"""

from __future__ import annotations

import json
import tomllib
import unicodedata
from importlib import resources
from pathlib import Path

import tomli_w
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from regmod.errors import ConfigurationError, InputError
from regmod.record import RAW_FIELDS

PRESETS: tuple[str, ...] = ("melderegister", "idnr_reference")

_SPELLINGS = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", **dict.fromkeys("_-.()/", None)}
)


def header_key(header: str) -> str:
    """The loose form of a header used for matching.

    >>> header_key(" Staatsangehörigkeit ") == header_key("STAATSANGEHOERIGKEIT")
    True
    """
    text = unicodedata.normalize("NFC", header.lstrip("\ufeff")).strip().casefold()
    return "".join(text.translate(_SPELLINGS).split())


class ColumnMapping(BaseModel):
    """Which source header feeds which canonical field, and where the record id comes from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    source_register: str
    record_id: str | None = None
    columns: dict[str, str]

    @field_validator("columns")
    @classmethod
    def _known_fields(cls, columns: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(columns.values()) - set(RAW_FIELDS))
        if unknown:
            raise ValueError(
                f"unknown canonical field(s) {unknown}; valid fields: {', '.join(RAW_FIELDS)}"
            )
        targets = list(columns.values())
        repeated = sorted({field for field in targets if targets.count(field) > 1})
        if repeated:
            raise ValueError(f"canonical field(s) {repeated} are mapped from more than one header")
        return columns

    @classmethod
    def load(cls, path: Path | str) -> ColumnMapping:
        """Read a mapping from a TOML or JSON file."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise InputError(
                f"cannot read the column mapping: {error.strerror}", file=str(path)
            ) from None
        try:
            data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
        except (json.JSONDecodeError, tomllib.TOMLDecodeError) as error:
            raise InputError(f"not a valid mapping file: {error}", file=str(path)) from None
        try:
            return cls.model_validate(data)
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}"
                for item in error.errors()
            )
            raise InputError(f"invalid column mapping: {problems}", file=str(path)) from None

    @classmethod
    def preset(cls, name: str) -> ColumnMapping:
        """One of the shipped presets (``PRESETS``)."""
        if name not in PRESETS:
            raise ConfigurationError(f"no preset {name!r}; presets: {', '.join(PRESETS)}")
        resource = resources.files("regmod.presets").joinpath(f"{name}.toml")
        return cls.model_validate(tomllib.loads(resource.read_text(encoding="utf-8")))

    @classmethod
    def resolve(cls, mapping: ColumnMapping | str | Path) -> ColumnMapping:
        """A mapping given as an object, a preset name, or a path to a file."""
        if isinstance(mapping, ColumnMapping):
            return mapping
        if isinstance(mapping, str) and mapping in PRESETS:
            return cls.preset(mapping)
        return cls.load(mapping)

    def to_toml(self, *, comment: str = "") -> str:
        """The mapping as TOML that ``load`` reads back; ``comment`` lines go on top."""
        header = "".join(f"# {line}\n" for line in comment.splitlines())
        return header + tomli_w.dumps(self.model_dump(exclude_none=True))

    def source_headers(self) -> set[str]:
        """Loose keys of every header this mapping reads (columns and record id)."""
        headers = {header_key(header) for header in self.columns}
        if self.record_id is not None:
            headers.add(header_key(self.record_id))
        return headers

    def unmapped(self, headers: tuple[str, ...]) -> tuple[str, ...]:
        """The headers this mapping does not read, in file order (carried through by ingest)."""
        keys = self.source_headers()
        return tuple(header for header in headers if header_key(header) not in keys)

    def bind(self, headers: tuple[str, ...], *, file: str) -> dict[str, str]:
        """Map each file header this mapping reads to its canonical field; missing ones are errors."""
        by_key = {header_key(header): header for header in headers}
        missing = sorted(h for h in self.source_headers() if h not in by_key)
        if missing:
            wanted = [h for h in [*self.columns, self.record_id or ""] if header_key(h) in missing]
            raise InputError(
                f"mapping {self.name!r} needs header(s) {wanted} that the file lacks; "
                f"file headers: {list(headers)}",
                file=file,
                row=1,
            )
        return {by_key[header_key(header)]: field for header, field in self.columns.items()}
