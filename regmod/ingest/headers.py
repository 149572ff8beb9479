"""Header recognition: the spellings register software writes for each canonical field.

A file needs no hand-written mapping when its headers are recognised here: a record id (or an
IDNr, which then serves as the record id) and enough identifying fields (``REQUIRED``). Every
other recognised field is optional; a header recognised as nothing is carried through.

>>> recognise(("Satz-ID", "Name", "Vorname(n)", "Geb.-Datum"), file="x.csv").columns["Name"]
'family_name'
"""

from __future__ import annotations

from dataclasses import dataclass

from regmod.errors import InputError
from regmod.ingest.mapping import PRESETS, ColumnMapping, header_key

RECORD_ID_FIELD = "record_id"
"""Target of a header that holds the register's own record id (not a canonical raw field)."""

SYNONYMS: dict[str, tuple[str, ...]] = {
    RECORD_ID_FIELD: (
        "Ordnungsmerkmal",
        "OM",
        "Satz-ID",
        "Datensatz-ID",
        "Datensatznummer",
        "lfd. Nr.",
        "laufende Nummer",
        "Personen-ID",
        "Personennummer",
        "Record-ID",
        "ID",
    ),
    "idnr": (
        "IdNr",
        "Identifikationsnummer",
        "Steuer-ID",
        "Steuer-IdNr",
        "Steueridentifikationsnummer",
    ),
    "family_name": ("Familienname", "Nachname", "Zuname", "Name"),
    "birth_name": ("Geburtsname", "geb."),
    "first_names": ("Vornamen", "Vorname(n)", "Vorname"),
    "doctoral_degree": ("Doktorgrad", "Titel", "akad. Grad"),
    "sex": ("Geschlecht", "Geschl."),
    "birth_date": ("Geburtsdatum", "Geb.-Datum", "Geb.-Dat.", "Geburtstag"),
    "birth_place": ("Geburtsort", "Geb.-Ort"),
    "nationality": ("Staatsangehörigkeit", "Staatsangehörigkeiten", "Staatsang.", "Nationalität"),
    "street": ("Straße", "Str."),
    "house_number": ("Hausnummer", "Hausnr.", "Haus-Nr.", "HNr."),
    "postcode": ("PLZ", "Postleitzahl"),
    "city": ("Ort", "Wohnort", "Gemeinde", "Stadt"),
    "death_date": ("Sterbedatum", "Todesdatum", "Sterbetag"),
    "information_block": ("Auskunftssperre",),
}
"""Spellings per target, most specific first; matched by ``header_key`` (case, ß/ss, dots …)."""

REQUIRED = ("family_name",)
ONE_OF = ("first_names", "birth_date")
"""A recognised file needs the family name and at least one of these to identify a person."""

_TARGET_BY_KEY: dict[str, tuple[str, int]] = {
    header_key(spelling): (target, rank)
    for target, spellings in SYNONYMS.items()
    for rank, spelling in enumerate(spellings)
}


@dataclass(frozen=True)
class Recognition:
    """Which header feeds which target, and the headers recognised as nothing."""

    targets: dict[str, str]
    unknown: tuple[str, ...]


def recognise_headers(headers: tuple[str, ...]) -> Recognition:
    """Each target's best header (earliest spelling, then earliest column); others are unknown."""
    best: dict[str, tuple[int, int, str]] = {}
    for position, header in enumerate(headers):
        found = _TARGET_BY_KEY.get(header_key(header))
        if found is None:
            continue
        target, rank = found
        if target not in best or (rank, position) < best[target][:2]:
            best[target] = (rank, position, header)
    targets = {target: header for target, (_, _, header) in best.items()}
    used = set(targets.values())
    return Recognition(targets, tuple(header for header in headers if header not in used))


def recognise(headers: tuple[str, ...], *, file: str) -> ColumnMapping:
    """A mapping from recognised headers, named after the preset it equals if any.

    Raises InputError naming the file, row 1 and what is missing when the headers do not
    identify a record and a person.
    """
    mapping = recognised_mapping(headers)
    missing = missing_targets(mapping)
    if missing:
        raise InputError(
            f"the headers {list(headers)} name no {', '.join(missing)}; recognised headers "
            f"include {_examples(missing)}; or write a column mapping with "
            "regmod mapping init FILE and edit it",
            file=file,
            row=1,
        )
    return mapping


def recognised_mapping(headers: tuple[str, ...]) -> ColumnMapping:
    """Whatever the headers are recognised as, complete or not (for ``regmod mapping init``)."""
    targets = dict(recognise_headers(headers).targets)
    record_id = targets.pop(RECORD_ID_FIELD, None) or targets.get("idnr")
    columns = {header: field for field, header in targets.items()}
    name = _equal_preset(record_id, columns) or "recognised"
    return ColumnMapping(name=name, source_register=name, record_id=record_id, columns=columns)


def missing_targets(mapping: ColumnMapping) -> list[str]:
    """What a mapping lacks to identify a record and a person, e.g. ``["record_id"]``."""
    fields = set(mapping.columns.values())
    missing = [RECORD_ID_FIELD] if mapping.record_id is None else []
    missing += [field for field in REQUIRED if field not in fields]
    if not fields & set(ONE_OF):
        missing.append(" or ".join(ONE_OF))
    return missing


def _examples(missing: list[str]) -> str:
    fields = [part for entry in missing for part in entry.split(" or ")]
    return "; ".join(f"{field}: {', '.join(SYNONYMS[field][:4])}" for field in fields)


def _equal_preset(record_id: str | None, columns: dict[str, str]) -> str | None:
    """The preset that reads exactly these fields from these headers, so runs keep its name."""
    wanted = {header_key(header): field for header, field in columns.items()}
    for name in PRESETS:
        preset = ColumnMapping.preset(name)
        keys = {header_key(header): field for header, field in preset.columns.items()}
        if keys == wanted and header_key(preset.record_id or "") == header_key(record_id or ""):
            return name
    return None
