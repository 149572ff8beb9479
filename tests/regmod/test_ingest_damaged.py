"""Damaged input, one kind per row of a table: each is read with rows in = accepted + quarantined
and a reason naming row and field, or refused with one message naming the file (and row)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regmod.errors import InputError
from regmod.ingest import read_register

HEADER = "Satz-ID;Name;Vorname;Geb.-Datum;PLZ"
GOOD = "1;Meyer;Anna;01.02.1980;01067"


def csv_text(*rows: str, header: str = HEADER, end: str = "\n") -> bytes:
    return end.join([header, *rows, ""]).encode("utf-8")


def jsonl(*rows: dict[str, object]) -> bytes:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode("utf-8")


def record(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "Satz-ID": "1", "Name": "Meyer", "Vorname": "Anna", "Geb.-Datum": "01.02.1980",
        "PLZ": "01067",
    }  # fmt: skip
    return {**base, **changes}


def parquet(**columns: pl.Series) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        base = {
            "Satz-ID": pl.Series(["1", "2"]),
            "Name": pl.Series(["Meyer", "Kühn"]),
            "Vorname": pl.Series(["Anna", "Ida"]),
            "Geb.-Datum": pl.Series(["01.02.1980", "03.04.1990"]),
        }
        pl.DataFrame({**base, **columns}).write_parquet(path)

    return write


@dataclass(frozen=True)
class Case:
    """One damaged input: its bytes (or a writer), the counts expected, or a refusal."""

    content: bytes | Callable[[Path], None]
    accepted: int = 0
    quarantined: int = 0
    reason: str = ""
    refused: str = ""
    suffix: str = ".csv"


CASES: dict[str, Case] = {
    "cr_only_line_endings": Case(csv_text(GOOD, "2;Kühn;Ida;03.04.1990;01067", end="\r"), 2),
    "crlf_line_endings": Case(csv_text(GOOD, "2;Kühn;Ida;03.04.1990;01067", end="\r\n"), 2),
    "duplicated_header": Case(
        csv_text("1;Meyer;Anna;Anne;01.02.1980", header="Satz-ID;Name;Vorname;Vorname;Geb.-Datum"),
        refused=r"row 1: a header repeats \('Vorname' in column 3 and 'Vorname' in column 4\)",
    ),
    "header_repeated_in_another_spelling": Case(
        csv_text("1;Meyer;Anna;01.02.1980;Weg;Weg", header=HEADER[:-4] + ";Straße;STRASSE"),
        refused="row 1: a header repeats",
    ),
    "utf8_row_inside_a_cp1252_file": Case(
        HEADER.encode()
        + b"\n1;M\xfcller;J\xf6rg;01.02.1980;01067\n2;M\xc3\xbcller;Eva;01.02.1980;01067\n",
        accepted=2,
    ),
    "cp1252_row_inside_a_utf8_file": Case(
        csv_text("1;Müller;Jörg;01.02.1980;01067", "2;Öztürk;Ümit;01.02.1980;01067")
        + b"3;M\xfcller;Eva;01.02.1980;01067\n",
        accepted=2,
        quarantined=1,
        reason="row: bytes not valid in the file's encoding",
    ),
    "undecodable_byte_in_record_id": Case(
        HEADER.encode()
        + b"\n1\x81;Meyer;Anna;01.02.1980;01067\n2;M\xfcller;Eva;01.02.1980;01067\n",
        accepted=1,
        quarantined=1,
        reason="row: bytes not valid in the file's encoding",
    ),
    "birth_year_in_the_future": Case(
        csv_text(GOOD, "2;Kühn;Ida;00.00.2999;01067"),
        accepted=1,
        quarantined=1,
        reason="birth_date: impossible date '00.00.2999' (in the future)",
    ),
    "birth_date_before_1880": Case(
        csv_text(GOOD, "2;Kühn;Ida;03.04.1850;01067"),
        accepted=1,
        quarantined=1,
        reason="birth_date: impossible date '03.04.1850' (before 1880)",
    ),
    "death_date_in_the_future": Case(
        csv_text(
            "1;Meyer;Anna;01.02.1980;01067;",
            "2;Kühn;Ida;03.04.1990;01067;2999-01-01",
            header=HEADER + ";Sterbedatum",
        ),
        accepted=1,
        quarantined=1,
        reason="death_date: impossible date '2999-01-01' (in the future)",
    ),
    "nested_json_object": Case(
        jsonl(record(), record(**{"Satz-ID": "2", "Name": {"family": "Kühn"}})),
        accepted=1,
        quarantined=1,
        reason="field 'Name' holds a nested value",
        suffix=".jsonl",
    ),
    "nested_json_list": Case(
        jsonl(record(), record(**{"Satz-ID": "2", "Vorname": ["Ida", "Maria"]})),
        accepted=1,
        quarantined=1,
        reason="field 'Vorname' holds a nested value",
        suffix=".jsonl",
    ),
    "integer_postcode_in_json": Case(jsonl(record(PLZ=1067)), accepted=1, suffix=".jsonl"),
    "float_postcode_in_json": Case(jsonl(record(PLZ=1067.0)), accepted=1, suffix=".jsonl"),
    "invalid_json_line": Case(
        jsonl(record()) + b"{not json\n", refused=r"row 2: not valid JSON", suffix=".jsonl"
    ),
    "integer_postcode_in_parquet": Case(
        parquet(PLZ=pl.Series([1067, 80331])), accepted=2, suffix=".parquet"
    ),
    "float_postcode_with_gaps_in_parquet": Case(
        parquet(PLZ=pl.Series([1067.0, None])), accepted=2, suffix=".parquet"
    ),
    "excel_workbook_instead_of_a_table": Case(
        b"PK\x03\x04\x14\x00\x06\x00" + bytes(64), refused="Excel workbook", suffix=".xlsx"
    ),
    "list_column_in_parquet": Case(
        parquet(Staatsangehörigkeit=pl.Series([["deutsch"], None])),
        accepted=1,
        quarantined=1,
        reason="field 'Staatsangehörigkeit' holds a nested value",
        suffix=".parquet",
    ),
    "struct_column_in_parquet": Case(
        parquet(Adresse=pl.Series([{"ort": "Köln"}, {"ort": "Bonn"}])),
        quarantined=2,
        reason="field 'Adresse' holds a nested value",
        suffix=".parquet",
    ),
    "timestamp_birth_date_in_parquet": Case(
        parquet(**{"Geb.-Datum": pl.Series([datetime(1980, 2, 1), datetime(1990, 4, 3)])}),
        accepted=2,
        suffix=".parquet",
    ),
    "quote_that_never_closes": Case(
        csv_text(GOOD, '2;"Kühn;Ida;03.04.1990;01067', "3;Roth;Eva;05.06.1970;01067"),
        refused=r"row 2: a quote opens on line 3 and never closes",
    ),
    "quoted_value_running_on_past_its_quote": Case(
        csv_text(GOOD, '2;"Kühn"x;Ida;03.04.1990;01067'),
        refused=r"row 2: a quoted value on line 3 goes on after its closing quote",
    ),
    "trailing_delimiters_without_headers": Case(
        csv_text(GOOD + ";;", "2;Kühn;Ida;03.04.1990;01067;;", header=HEADER + ";;"), 2
    ),
    "json_array_instead_of_json_lines": Case(
        b"[" + jsonl(record()).strip() + b"]\n", refused="row 1: a JSON array", suffix=".json"
    ),
    "json_key_repeated_in_one_object": Case(
        jsonl(record()) + b'{"Satz-ID": "2", "Name": "A", "Name": "B", "Vorname": "Ida"}\n',
        refused=r"row 2: the key 'Name' occurs twice",
        suffix=".jsonl",
    ),
    "ragged_line": Case(
        csv_text(GOOD, "2;Kühn;Ida;03.04.1990"),
        accepted=1,
        quarantined=1,
        reason="row: line 3 has 4 fields, the header has 5",
    ),
    "empty_line": Case(
        csv_text(GOOD, "", "3;Kühn;Ida;03.04.1990;01067"),
        accepted=2,
        quarantined=1,
        reason="row: line 3 is empty",
    ),
    "missing_record_id": Case(
        csv_text(GOOD, ";Kühn;Ida;03.04.1990;01067"),
        accepted=1,
        quarantined=1,
        reason="record_id: missing",
    ),
    "repeated_record_id": Case(
        csv_text(GOOD, "1;Kühn;Ida;03.04.1990;01067"),
        accepted=1,
        quarantined=1,
        reason="record_id: repeats an earlier row",
    ),
    "impossible_calendar_date": Case(
        csv_text(GOOD, "2;Kühn;Ida;31.02.1990;01067"),
        accepted=1,
        quarantined=1,
        reason="birth_date: impossible date '31.02.1990'",
    ),
    "header_only": Case(csv_text(), refused="no data rows"),
    "headers_that_identify_no_person": Case(
        csv_text("1;Köln", header="Satz-ID;Ort"), refused=r"row 1: .*name no family_name"
    ),
    "a_directory_not_a_file": Case(lambda path: path.mkdir(), refused="a directory, not a file"),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_damaged_input_is_quarantined_with_reasons_or_refused_in_one_line(
    tmp_path: Path, case: Case
) -> None:
    path = tmp_path / f"damaged{case.suffix}"
    if isinstance(case.content, bytes):
        path.write_bytes(case.content)
    else:
        case.content(path)
    if case.refused:
        with pytest.raises(InputError, match=case.refused) as refusal:
            read_register(path)
        assert str(path) in str(refusal.value)
        assert "\n" not in str(refusal.value)
        return
    result = read_register(path)
    assert (result.accepted.height, result.quarantine.height) == (case.accepted, case.quarantined)
    assert result.rows_in == result.accepted.height + result.quarantine.height
    for row in result.quarantine.iter_rows(named=True):
        assert case.reason in row["reason"]
        assert row["source_file"] == str(path)
        assert row["source_row"] >= 1
        assert row["field"]


def test_utf8_and_cp1252_rows_of_one_file_both_read_as_the_letters_written(
    tmp_path: Path,
) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes(CASES["utf8_row_inside_a_cp1252_file"].content)  # type: ignore[arg-type]
    result = read_register(path)
    assert result.accepted["family_name"].to_list() == ["Müller", "Müller"]
    assert (result.encoding, result.utf8_lines) == ("cp1252", 1)


@pytest.mark.parametrize(
    "name",
    [
        "integer_postcode_in_json",
        "integer_postcode_in_parquet",
        "float_postcode_with_gaps_in_parquet",
    ],
)
def test_numeric_postcodes_get_their_leading_zero_back(tmp_path: Path, name: str) -> None:
    content = CASES[name].content
    path = tmp_path / f"in{CASES[name].suffix}"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        content(path)
    assert read_register(path).accepted["postcode"].to_list()[0] == "01067"


def test_a_column_without_header_but_with_values_is_carried_through_by_position(
    tmp_path: Path,
) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(csv_text(GOOD + ";Akte 7;", header=HEADER + ";;"))
    result = read_register(path)
    assert result.unmapped == ("column 6",)
    assert json.loads(result.accepted["extra_columns"].item()) == {"column 6": "Akte 7"}


def test_integer_house_numbers_are_not_padded(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(jsonl(record(PLZ=1067, Hausnr=12)))
    row = read_register(path).accepted.row(0, named=True)
    assert (row["postcode_raw"], row["house_number_raw"]) == ("01067", "12")


CELLS = st.text(alphabet=st.sampled_from([*"aü;\"'=\r\n\t -0.1", "\x81", "ß"]), max_size=12)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(st.lists(CELLS, min_size=1, max_size=6), min_size=1, max_size=8),
    encoding=st.sampled_from(["utf-8", "cp1252"]),
)
def test_any_damage_is_read_with_every_row_accounted_for_or_refused_as_input_error(
    tmp_path: Path, rows: list[list[str]], encoding: str
) -> None:
    body = "\n".join(";".join(cells) for cells in rows)
    path = tmp_path / "fuzz.csv"
    path.write_bytes((HEADER + "\n" + body + "\n").encode(encoding, errors="replace"))
    try:
        result = read_register(path)
    except InputError as refusal:
        assert str(refusal).startswith(f"file {path}")
        assert "\n" not in str(refusal)
        return
    assert result.rows_in == result.accepted.height + result.quarantine.height
    assert result.quarantine["reason"].null_count() == 0
