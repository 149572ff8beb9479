"""Dates, sex codes, postcodes, streets, house numbers and the information block."""

from __future__ import annotations

import polars as pl
import pytest

from regmod.normalize import (
    normalise_information_block,
    normalise_postcode,
    normalise_sex,
    parse_partial_date,
    split_house_number,
    street_search_form,
)
from regmod.normalize.dates import is_placeholder_date


def _apply(expression: pl.Expr, *values: str | None) -> list[object]:
    frame = pl.DataFrame({"v": list(values)}, schema={"v": pl.String})
    return frame.select(expression.alias("out"))["out"].to_list()


def _date(text: str) -> object:
    return _apply(parse_partial_date(pl.col("v")), text)[0]


@pytest.mark.parametrize(
    "text", ["07.03.1980", "7.3.1980", "1980-03-07", "19800307", " 07.03.1980 "]
)
def test_full_date_in_every_layout(text: str) -> None:
    assert _date(text) == {"year": 1980, "month": 3, "day": 7}


def test_day_unknown_keeps_month() -> None:
    assert _date("00.05.1980") == {"year": 1980, "month": 5, "day": None}


def test_day_and_month_unknown_is_never_first_of_january() -> None:
    assert _date("00.00.1980") == {"year": 1980, "month": None, "day": None}
    assert _date("1980-00-00") == {"year": 1980, "month": None, "day": None}


@pytest.mark.parametrize(
    "text", ["31.02.1980", "29.02.1900", "01.13.1980", "31.04.1980", "15.00.1980", "00.00.0000"]
)
def test_impossible_dates_are_null(text: str) -> None:
    assert _date(text) is None


@pytest.mark.parametrize(
    ("text", "placeholder"),
    [
        ("01.01.1980", True),
        ("1980-01-01", True),
        ("19800101", True),
        ("1.1.1980", True),
        ("02.01.1980", False),
        ("01.02.1980", False),
        ("00.01.1980", False),
        ("00.00.1980", False),
        ("", False),
        (None, False),
    ],
)
def test_first_of_january_is_kept_and_flagged_as_possible_placeholder(
    text: str | None, placeholder: bool
) -> None:
    parsed = parse_partial_date(pl.col("v"))
    assert _apply(is_placeholder_date(parsed), text) == [placeholder]
    if placeholder:
        assert _apply(parsed, text) == [{"year": 1980, "month": 1, "day": 1}]


def test_leap_day_in_leap_year_is_possible() -> None:
    assert _date("29.02.2000") == {"year": 2000, "month": 2, "day": 29}


def test_unreadable_and_missing_dates_are_null() -> None:
    assert _apply(parse_partial_date(pl.col("v")), "März 1980", "", None) == [None] * 3


def test_sex_spellings_map_to_register_codes() -> None:
    spellings = ["m", "M", "männlich", "w", "W", "weiblich", "f", "d", "divers", "x", "", None, "q"]
    assert _apply(normalise_sex(pl.col("v")), *spellings) == [
        *["m"] * 3,
        *["w"] * 4,
        *["d"] * 2,
        "x",
        None,
        None,
        None,
    ]


def test_postcode_keeps_leading_zero_and_refuses_four_digits() -> None:
    assert _apply(
        normalise_postcode(pl.col("v")), "01067", "D-01067", "DE 80331", "1067", "8033A"
    ) == [
        "01067",
        "01067",
        "80331",
        None,
        None,
    ]


@pytest.mark.parametrize(
    "street",
    ["Hauptstraße", "Hauptstrasse", "Hauptstr.", "Haupt-Str.", "HAUPTSTRASSE", "Haupt Str"],
)
def test_street_spellings_meet(street: str) -> None:
    assert _apply(street_search_form(pl.col("v")), street) == ["HAUPTSTR"]


def test_platz_and_pl_meet_and_numbers_stay() -> None:
    assert _apply(
        street_search_form(pl.col("v")), "Marktplatz", "Markt-Pl.", "Straße des 17. Juni"
    ) == [
        "MARKTPL",
        "MARKTPL",
        "STRDES17JUNI",
    ]


def test_street_key_ignores_invisible_characters() -> None:
    assert (
        _apply(street_search_form(pl.col("v")), "Haupt\u200bstraße", "\x1b[0mHauptstr.")
        == ["HAUPTSTR"] * 2
    )


@pytest.mark.parametrize(
    ("text", "number", "suffix"),
    [
        ("12", 12, None),
        ("12a", 12, "a"),
        ("12 a", 12, "a"),
        ("12 A", 12, "a"),
        ("12-14", 12, "-14"),
        ("12/1", 12, "/1"),
    ],
)
def test_house_number_splits_into_number_and_suffix(
    text: str, number: int, suffix: str | None
) -> None:
    assert _apply(split_house_number(pl.col("v")), text) == [{"number": number, "suffix": suffix}]


def test_house_number_without_digits_is_null() -> None:
    assert _apply(split_house_number(pl.col("v")), "o. Nr.", None) == [None, None]


def test_information_block_spellings() -> None:
    values = ["ja", "J", "X", "1", "true", "nein", "N", "0", "false", "", None, "vielleicht"]
    assert _apply(normalise_information_block(pl.col("v")), *values) == [
        *[True] * 5,
        *[False] * 6,
        True,
    ]
