"""Header recognition: the spellings of register software, optional columns, unknown columns
carried through, and the recognised mapping written as TOML and read back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from regmod.errors import InputError
from regmod.ingest import ColumnMapping, read_register
from regmod.ingest.headers import recognise, recognise_headers
from regmod.record import RAW_FIELDS, raw_column

SAMPLE = Path(__file__).parents[2] / "fixtures" / "sample"
IDENTIFYING = ("Satz-ID", "Name", "Vorname")


def write_extract(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "extract.csv"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Satz-ID", "record_id"),
        ("SATZ-ID", "record_id"),
        ("lfd. Nr.", "record_id"),
        ("Lfd.Nr.", "record_id"),
        ("Ordnungsmerkmal", "record_id"),
        ("OM", "record_id"),
        ("Name", "family_name"),
        ("Familienname", "family_name"),
        ("FAMILIENNAME", "family_name"),
        ("Vorname(n)", "first_names"),
        ("Vornamen", "first_names"),
        ("Geb.-Datum", "birth_date"),
        ("geb.-datum", "birth_date"),
        ("Geburtsdatum", "birth_date"),
        ("Geb.-Ort", "birth_place"),
        ("Straße", "street"),
        ("Strasse", "street"),
        ("STRASSE", "street"),
        ("Hausnr.", "house_number"),
        ("PLZ", "postcode"),
        ("Ort", "city"),
        ("Wohnort", "city"),
        ("Gemeinde", "city"),
        ("Staatsangehörigkeit", "nationality"),
        ("Staatsangehoerigkeit", "nationality"),
        ("IDNr", "idnr"),
        ("Steuer-ID", "idnr"),
        ("Sterbedatum", "death_date"),
        ("Auskunftssperre", "information_block"),
    ],
)
def test_header_spelling_is_recognised_as_its_field(header: str, target: str) -> None:
    assert recognise_headers(("Bemerkung", header)).targets == {target: header}


def test_the_more_specific_spelling_wins_and_the_other_is_carried_through() -> None:
    recognition = recognise_headers(("Name", "Familienname", "Ort", "Wohnort"))
    assert recognition.targets == {"family_name": "Familienname", "city": "Ort"}
    assert recognition.unknown == ("Name", "Wohnort")


def test_the_idnr_serves_as_record_id_when_no_record_id_column_exists() -> None:
    mapping = recognise(("IdNr", "Name", "Geburtsdatum"), file="reference.csv")
    assert mapping.record_id == "IdNr"
    assert mapping.columns["IdNr"] == "idnr"


@pytest.mark.parametrize(
    ("headers", "missing"),
    [
        (("Name", "Vorname", "Geb.-Datum"), "record_id"),
        (("Satz-ID", "Vorname", "Geb.-Datum"), "family_name"),
        (("Satz-ID", "Name", "PLZ"), "first_names or birth_date"),
    ],
)
def test_headers_short_of_a_record_id_or_a_person_name_what_is_missing(
    headers: tuple[str, ...], missing: str
) -> None:
    with pytest.raises(InputError, match=rf"file x\.csv, row 1: .* name no {missing}"):
        recognise(headers, file="x.csv")


def test_an_extract_with_only_identifying_columns_is_read_and_the_rest_left_empty(
    tmp_path: Path,
) -> None:
    path = write_extract(tmp_path, ";".join(IDENTIFYING) + "\nA-1;Meyer;Anna\n")
    result = read_register(path)
    row = result.accepted.row(0, named=True)
    assert (row["record_id"], row["family_name"], row["first_names_raw"]) == (
        "A-1",
        "Meyer",
        "Anna",
    )
    absent = [field for field in RAW_FIELDS if field not in ("family_name", "first_names")]
    assert all(row[raw_column(field)] is None for field in absent)
    assert result.mapping == "recognised"


def test_unknown_columns_are_carried_through_on_accepted_and_quarantined_rows(
    tmp_path: Path,
) -> None:
    path = write_extract(
        tmp_path,
        "Satz-ID;Name;Vorname;Bemerkung;Aktenzeichen\nA-1;Meyer;Anna;eilt;7/24\nA-2;;Ida;;8/24\n",
    )
    result = read_register(path)
    assert result.unmapped == ("Bemerkung", "Aktenzeichen")
    extra = json.loads(result.accepted["extra_columns"].item())
    assert extra == {"Bemerkung": "eilt", "Aktenzeichen": "7/24"}
    quarantined = json.loads(result.quarantine["extra_columns"].item())
    assert quarantined == {"Bemerkung": None, "Aktenzeichen": "8/24"}


def test_the_shipped_sample_is_recognised_as_its_presets() -> None:
    assert read_register(SAMPLE / "register.csv").mapping == "melderegister"
    assert read_register(SAMPLE / "reference.csv").mapping == "idnr_reference"


def test_a_recognised_mapping_written_as_toml_reads_back_and_reads_the_file_alike(
    tmp_path: Path,
) -> None:
    path = write_extract(
        tmp_path,
        "Satz-ID;Name;Vorname(n);Geb.-Datum;Strasse;Bemerkung\nA-1;Meyer;Anna;01.02.1980;Weg;x\n",
    )
    recognised = read_register(path)
    toml = tmp_path / "mapping.toml"
    toml.write_text(recognised.column_mapping.to_toml(comment="check\nand edit"), "utf-8")
    assert toml.read_text("utf-8").startswith("# check\n# and edit\n")
    loaded = ColumnMapping.load(toml)
    assert loaded == recognised.column_mapping
    assert read_register(path, mapping=toml).accepted.equals(recognised.accepted)
