"""normalise(): the contract of regmod.record, row count and order; problems() for quarantine."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from regmod.normalize import normalise, problems
from regmod.record import NORMALISED_SCHEMA, raw_column

_ROW = {
    "record_id": "r1",
    "source_register": "melde",
    "idnr_raw": "36 574 261 809",
    "family_name_raw": "Dr. von Müller geb. Schmidt",
    "first_names_raw": "Hans Peter",
    "birth_date_raw": "00.05.1980",
    "postcode_raw": "D-01067",
}


def test_adds_every_normalised_column_with_its_dtype_and_keeps_raw_columns() -> None:
    frame = pl.DataFrame([_ROW])
    result = normalise(frame)
    assert isinstance(result, pl.DataFrame)
    assert {name: result.schema[name] for name in NORMALISED_SCHEMA} == NORMALISED_SCHEMA
    assert result.select(frame.columns).equals(frame)


def test_lazy_frame_in_lazy_frame_out_with_all_raw_fields_missing() -> None:
    result = normalise(pl.LazyFrame({"record_id": ["a", "b"]}))
    assert isinstance(result, pl.LazyFrame)
    collected = result.collect()
    assert collected.height == 2
    assert collected["information_block"].to_list() == [False, False]
    assert collected["family_name"].to_list() == [None, None]


def test_values_of_one_record() -> None:
    row = normalise(pl.DataFrame([_ROW])).row(0, named=True)
    assert row["idnr"] == "36574261809"
    assert (row["family_name"], row["family_name_core"], row["birth_name"]) == (
        "von Müller",
        "MUELLER",
        "Schmidt",
    )
    assert (row["family_name_search"], row["family_name_loose"]) == ("VON MUELLER", "MULLER")
    assert (row["first_name_search"], row["first_name_loose"]) == ("HANS", "HANS")
    assert row["generation"] is None
    assert row["birth_date_placeholder"] is False
    assert (row["birth_year"], row["birth_month"], row["birth_day"]) == (1980, 5, None)
    assert row["postcode"] == "01067"
    assert row["doctoral_degree"] == "Dr."


def test_digits_other_than_ascii_are_unreadable_not_a_crash() -> None:
    arabic_indic = {
        "record_id": "r1",
        "family_name_raw": "Müller",
        "birth_date_raw": "١٢.٠٥.١٩٨٠",
        "house_number_raw": "١٢a",
        "postcode_raw": "٥٠٦٦٧",
        "idnr_raw": "٣٦٥٧٤٢٦١٨٠٩",
    }
    frame = pl.DataFrame([arabic_indic])
    row = normalise(frame).row(0, named=True)
    assert [row[name] for name in ("birth_year", "house_number", "postcode", "idnr")] == [None] * 4
    assert frame.select(problems(frame)).item().to_list() == [
        "birth_date: unreadable date '١٢.٠٥.١٩٨٠'",
        "idnr: not only digits 0-9",
        "postcode: not five digits '٥٠٦٦٧'",
        "house_number: no number '١٢a'",
    ]


_RAW_VALUE = st.one_of(
    st.none(),
    st.sampled_from(["Müller", "Dr. Meyer-Schulz", "00.00.1980", "31.02.1980", "12 a", "ja", "?"]),
    st.text(max_size=8),
)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(_RAW_VALUE, _RAW_VALUE, _RAW_VALUE), max_size=20))
def test_row_count_and_order_are_kept(
    rows: list[tuple[str | None, str | None, str | None]],
) -> None:
    frame = pl.DataFrame(
        {
            "record_id": [str(i) for i in range(len(rows))],
            "family_name_raw": [row[0] for row in rows],
            "birth_date_raw": [row[1] for row in rows],
            "house_number_raw": [row[2] for row in rows],
        },
        schema={
            "record_id": pl.String,
            **{raw_column(f): pl.String for f in ("family_name", "birth_date", "house_number")},
        },
    )
    result = normalise(frame)
    assert result["record_id"].to_list() == frame["record_id"].to_list()
    assert result.select(frame.columns).equals(frame)


def test_problems_name_field_and_value() -> None:
    frame = pl.DataFrame(
        {
            "record_id": ["ok", "bad", "empty"],
            "family_name_raw": ["Müller", "Meyer", "Dr."],
            "birth_date_raw": ["01.02.1980", "31.02.1980", None],
            "death_date_raw": [None, "gestern", None],
            "idnr_raw": ["36574261809", "36574261808", None],
            "sex_raw": ["m", "q", None],
            "postcode_raw": ["01067", "1067", None],
            "house_number_raw": ["12a", "o. Nr.", None],
            "information_block_raw": ["nein", "vielleicht", None],
        }
    )
    reasons = frame.select(problems(frame))["problems"].to_list()
    assert reasons[0] == []
    assert reasons[1] == [
        "birth_date: impossible date '31.02.1980'",
        "death_date: unreadable date 'gestern'",
        "idnr: check digit wrong",
        "sex: unknown code 'q'",
        "postcode: four digits are ambiguous (lost leading zero or foreign) '1067'",
        "house_number: no number 'o. Nr.'",
        "information_block: unknown value 'vielleicht' (treated as blocked)",
    ]
    assert reasons[2] == ["family_name: empty"]


def test_problems_work_on_a_frame_with_only_some_raw_columns() -> None:
    frame = pl.LazyFrame({"record_id": ["a"], "family_name_raw": ["Müller"]})
    assert frame.select(problems(frame)).collect()["problems"].to_list() == [[]]
