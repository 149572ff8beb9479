"""Register ingest: encodings, delimiters, formats, mappings, and every kind of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regmod.errors import InputError
from regmod.ingest import ColumnMapping, read_register

SAMPLE = Path(__file__).parents[2] / "fixtures" / "sample"
HEADER = "Ordnungsmerkmal;Familienname;Vornamen;Geburtsdatum;Straße;PLZ"
MAPPING = ColumnMapping(
    name="test",
    source_register="test",
    record_id="Ordnungsmerkmal",
    columns={
        "Familienname": "family_name",
        "Vornamen": "first_names",
        "Geburtsdatum": "birth_date",
        "Straße": "street",
        "PLZ": "postcode",
    },
)


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "in.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def table(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def assert_accounted(result_rows_in: int, accepted: pl.DataFrame, quarantine: pl.DataFrame) -> None:
    assert result_rows_in == accepted.height + quarantine.height


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("cp1252", "cp1252"),
        ("iso8859-15", "iso8859-15"),
    ],
)
def test_each_encoding_is_detected_and_umlauts_survive(
    tmp_path: Path, encoding: str, expected: str
) -> None:
    price = "€"
    path = write(tmp_path, table(f"1;Müller;Jürgen {price};01.02.1980;Hauptstraße;01067"), encoding)
    result = read_register(path, mapping=MAPPING)
    assert result.encoding == expected
    row = result.accepted.row(0, named=True)
    assert row["family_name_raw"] == "Müller"
    assert row["street_raw"] == "Hauptstraße"
    assert row["first_names_raw"] == f"Jürgen {price}"


def test_iso_8859_15_is_told_from_windows_1252_by_the_euro_sign_byte(tmp_path: Path) -> None:
    path = write(tmp_path, table("1;Müller;Jörg €;01.02.1980;Weg;01067"), "iso8859-15")
    assert read_register(path, mapping=MAPPING).encoding == "iso8859-15"


@pytest.mark.parametrize("encoding", ["cp1252", "iso8859-15", "utf-8"])
def test_encoding_override_is_used(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path, table("1;Müller;Jörg;01.02.1980;Weg;01067"), encoding)
    result = read_register(path, mapping=MAPPING, encoding=encoding)
    assert result.accepted["family_name_raw"].to_list() == ["Müller"]


def test_wrong_encoding_override_is_an_error_naming_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, table("1;Müller;Jörg;01.02.1980;Weg;01067"), "cp1252")
    with pytest.raises(InputError, match=r"in\.csv.*not valid utf-8"):
        read_register(path, mapping=MAPPING, encoding="utf-8")


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_delimiter_is_sniffed_and_can_be_given(tmp_path: Path, delimiter: str) -> None:
    text = table("1;Meyer;Anna;01.02.1980;Weg;01067").replace(";", delimiter)
    path = write(tmp_path, text)
    sniffed = read_register(path, mapping=MAPPING)
    given_ = read_register(path, mapping=MAPPING, delimiter=delimiter)
    assert sniffed.delimiter == given_.delimiter == delimiter
    assert sniffed.accepted["family_name_raw"].to_list() == ["Meyer"]


def test_quoted_fields_keep_delimiters_and_line_breaks(tmp_path: Path) -> None:
    path = write(tmp_path, table('1;"Meyer;Schulz";"Anna\nLena";01.02.1980;Weg;01067'))
    result = read_register(path, mapping=MAPPING)
    assert result.accepted["family_name_raw"].to_list() == ["Meyer;Schulz"]
    assert result.accepted["first_names_raw"].to_list() == ["Anna\nLena"]


def test_postcodes_keep_their_leading_zero(tmp_path: Path) -> None:
    path = write(tmp_path, table("1;Meyer;Anna;01.02.1980;Weg;01067"))
    row = read_register(path, mapping=MAPPING).accepted.row(0, named=True)
    assert row["postcode_raw"] == "01067"
    assert row["postcode"] == "01067"


def test_parquet_and_json_lines_read_like_csv(tmp_path: Path) -> None:
    records = [
        {"Ordnungsmerkmal": "1", "Familienname": "Meyer", "Vornamen": "Anna",
         "Geburtsdatum": "01.02.1980", "Straße": "Weg", "PLZ": "01067"},
    ]  # fmt: skip
    parquet = tmp_path / "in.parquet"
    pl.DataFrame(records).write_parquet(parquet)
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text("\n".join(json.dumps(record) for record in records) + "\n", encoding="utf-8")
    for path, kind in ((parquet, "parquet"), (jsonl, "jsonl")):
        result = read_register(path, mapping=MAPPING)
        assert result.format == kind
        assert result.accepted["postcode_raw"].to_list() == ["01067"]


def test_presets_are_detected_on_the_shipped_sample() -> None:
    register = read_register(SAMPLE / "register.csv")
    reference = read_register(SAMPLE / "reference.csv")
    assert (register.mapping, register.encoding) == ("melderegister", "cp1252")
    assert (reference.mapping, reference.encoding) == ("idnr_reference", "utf-8")
    assert register.rows_in == 5000
    assert_accounted(register.rows_in, register.accepted, register.quarantine)
    assert register.quarantine.height > 0
    assert register.quarantine["reason"].null_count() == 0
    assert reference.accepted["idnr"].null_count() == 0


def test_header_variants_match_the_mapping(tmp_path: Path) -> None:
    header = "\ufeff ORDNUNGSMERKMAL ;familienname;VORNAMEN;Geburtsdatum;STRASSE;plz"
    path = write(tmp_path, table("1;Meyer;Anna;01.02.1980;Weg;01067", header=header))
    assert read_register(path, mapping=MAPPING).accepted["street_raw"].to_list() == ["Weg"]


def test_mapping_loads_from_toml_and_json(tmp_path: Path) -> None:
    toml = tmp_path / "m.toml"
    toml.write_text(
        'name = "x"\nsource_register = "x"\n[columns]\nName = "family_name"\n', encoding="utf-8"
    )
    as_json = tmp_path / "m.json"
    as_json.write_text(
        json.dumps({"name": "x", "source_register": "x", "columns": {"Name": "family_name"}}),
        encoding="utf-8",
    )
    assert ColumnMapping.load(toml) == ColumnMapping.load(as_json)


def test_unknown_canonical_field_in_a_mapping_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "m.toml"
    path.write_text('name = "x"\nsource_register = "x"\n[columns]\nName = "surname"\n')
    with pytest.raises(InputError, match=r"unknown canonical field.*surname.*family_name"):
        ColumnMapping.load(path)


def test_missing_header_lists_the_file_headers(tmp_path: Path) -> None:
    path = write(tmp_path, "Ordnungsmerkmal;Name\n1;Meyer\n")
    with pytest.raises(InputError, match=r"lacks.*file headers: \['Ordnungsmerkmal', 'Name'\]"):
        read_register(path, mapping=MAPPING)


def test_headers_that_identify_nothing_name_what_is_missing(tmp_path: Path) -> None:
    path = write(tmp_path, "Foo;Bar\n1;2\n")
    with pytest.raises(InputError, match=r"row 1: .* name no record_id, family_name"):
        read_register(path)


def test_record_id_is_generated_from_the_row_when_the_mapping_has_none(tmp_path: Path) -> None:
    mapping = MAPPING.model_copy(update={"record_id": None})
    path = write(tmp_path, table("1;Meyer;Anna;01.02.1980;Weg;01067", "2;Kühn;Ida;;Weg;01067"))
    ids = read_register(path, mapping=mapping).accepted["record_id"].to_list()
    assert ids == ["test-00000001", "test-00000002"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "file not found"),
        (b"", "empty"),
        (HEADER.encode() + b"\n", "no data rows"),
        (b"\x00\x01\x02binary", "binary content"),
        (b"just one column\nvalue\n", "no ';', ','"),
    ],
)
def test_whole_file_problems_are_input_errors_naming_the_file(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "broken.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError, match=rf"broken\.csv.*{message}"):
        read_register(path, mapping=MAPPING)


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("2;Meyer;Anna;01.02.1980;Weg", "line 3 has 5 fields, the header has 6"),
        (";Meyer;Anna;01.02.1980;Weg;01067", "record_id: missing"),
        ("1;Kühn;Ida;01.02.1980;Weg;01067", "record_id: repeats an earlier row"),
        ("2;;Anna;01.02.1980;Weg;01067", "family_name: empty"),
        ("2;Meyer;Anna;31.02.1980;Weg;01067", "birth_date: impossible date '31.02.1980'"),
        ("2;Meyer;Anna;gestern;Weg;01067", "birth_date: unreadable date"),
    ],
)
def test_each_bad_row_kind_is_quarantined_with_its_reason(
    tmp_path: Path, row: str, reason: str
) -> None:
    path = write(tmp_path, table("1;Meyer;Anna;01.02.1980;Weg;01067", row))
    result = read_register(path, mapping=MAPPING)
    assert_accounted(result.rows_in, result.accepted, result.quarantine)
    assert result.accepted.height == 1
    quarantined = result.quarantine.row(0, named=True)
    assert reason in quarantined["reason"]
    assert quarantined["source_row"] == 2
    assert quarantined["source_file"] == str(path)


def test_empty_line_is_quarantined_not_dropped(tmp_path: Path) -> None:
    path = write(tmp_path, table("1;Meyer;Anna;01.02.1980;Weg;01067", "", "3;Kühn;Ida;;Weg;01067"))
    result = read_register(path, mapping=MAPPING)
    assert_accounted(result.rows_in, result.accepted, result.quarantine)


def test_malformed_idnr_is_quarantined(tmp_path: Path) -> None:
    mapping = MAPPING.model_copy(update={"columns": {**MAPPING.columns, "IdNr": "idnr"}})
    header = HEADER + ";IdNr"
    path = write(
        tmp_path,
        table(
            "1;Meyer;Anna;01.02.1980;Weg;01067;36574261809",
            "2;Kühn;Ida;01.02.1980;Weg;01067;36574261808",
            header=header,
        ),
    )
    result = read_register(path, mapping=mapping)
    assert result.accepted["idnr"].to_list() == ["36574261809"]
    assert "idnr: check digit wrong" in result.quarantine["reason"].item()


def test_undecodable_bytes_under_an_explicit_encoding_are_quarantined(tmp_path: Path) -> None:
    good = table("1;Müller-Lüdenscheidt;Jürgen;01.02.1980;Weg;01067").encode("utf-8")
    path = tmp_path / "in.csv"
    path.write_bytes(good + b"2;M\xfcller;Ida;01.02.1980;Weg;01067\n")
    result = read_register(path, mapping=MAPPING, encoding="utf-8")
    assert_accounted(result.rows_in, result.accepted, result.quarantine)
    assert "not valid in the file's encoding" in result.quarantine["reason"].item()


NAMES = st.sampled_from(["Meyer", "Müller", "", "Öztürk", "Y?lmaz"])
DATES = st.sampled_from(["01.02.1980", "31.02.1980", "00.00.1970", "", "1980-13-01"])
IDS = st.sampled_from(["1", "2", "3", "", "4"])


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.tuples(IDS, NAMES, DATES), min_size=1, max_size=12))
def test_every_row_is_accepted_or_quarantined_and_no_record_id_is_lost(
    tmp_path: Path, rows: list[tuple[str, str, str]]
) -> None:
    path = write(tmp_path, table(*[f"{i};{n};Anna;{d};Weg;01067" for i, n, d in rows]))
    result = read_register(path, mapping=MAPPING)
    assert_accounted(result.rows_in, result.accepted, result.quarantine)
    assert result.rows_in == len(rows)
    seen = result.accepted["record_id"].to_list() + result.quarantine["record_id"].to_list()
    assert sorted(seen, key=str) == sorted((i or None for i, _, _ in rows), key=str)
