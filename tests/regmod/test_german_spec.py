"""The German default spec: valid, JSON round-trippable, never blocking on sex, keys derived."""

from __future__ import annotations

import polars as pl
import pytest

from matching.blocking import block
from matching.comparisons import compare, gamma_column
from matching.errors import SpecError
from matching.spec import LinkageSpec
from regmod.linkage import LINKAGE_COLUMNS, german_spec, prepare_for_linkage
from regmod.linkage.german import SPELLING_LEVELS
from regmod.normalize.frame import normalise
from regmod.record import NORMALISED_SCHEMA, RECORD_ID

COMPLETE = {
    "family_name": "Weber",
    "birth_name": "Weber",
    "first_names": "Anna",
    "sex": "w",
    "birth_date": "07.03.1970",
    "birth_place": "Köln",
    "street": "Hauptstraße",
    "house_number": "3",
    "postcode": "50667",
    "city": "Köln",
}


def _records(**raw: list[str | None]) -> pl.DataFrame:
    """Register-like records; fields not given are filled in (the same on both sides)."""
    count = len(next(iter(raw.values())))
    values = {key: [value] * count for key, value in COMPLETE.items()} | raw
    frame = pl.DataFrame({f"{key}_raw": column for key, column in values.items()})
    return prepare_for_linkage(
        normalise(frame.with_columns(pl.Series(RECORD_ID, [f"r{i}" for i in range(count)])))
    )


def test_spec_round_trips_through_json() -> None:
    spec = german_spec()
    assert LinkageSpec.model_validate_json(spec.model_dump_json()) == spec


def test_spec_never_blocks_on_sex() -> None:
    assert all("sex" not in rule.columns() for rule in german_spec().blocking)


def test_spec_reads_only_normalised_and_derived_columns() -> None:
    known = set(NORMALISED_SCHEMA) | set(LINKAGE_COLUMNS) | {RECORD_ID}
    assert german_spec().input_columns() <= known


def test_thresholds_are_adjustable_and_checked() -> None:
    assert german_spec(match_threshold=0.9, review_threshold=0.2).thresholds.match == 0.9
    with pytest.raises(SpecError):
        german_spec(match_threshold=0.5, review_threshold=0.9)


def test_birth_date_text_is_only_built_for_full_dates() -> None:
    frame = _records(family_name=["Müller", "Müller"], birth_date=["07.03.1970", "00.03.1970"])
    assert frame["birth_date_text"].to_list() == ["19700307", None]


def _levels(left: pl.DataFrame, right: pl.DataFrame) -> dict[str, int]:
    spec = german_spec()
    pairs = pl.DataFrame(
        {"idx_l": [0], "idx_r": [0]}, schema={"idx_l": pl.UInt32, "idx_r": pl.UInt32}
    )
    levels = compare(left, right, pairs, spec).row(0, named=True)
    return {c.name: levels[gamma_column(c.name)] for c in spec.comparisons}


def _label(name: str, level: int) -> str:
    return german_spec().comparison(name).level_labels()[level]


def test_married_name_agrees_with_birth_name_across_columns() -> None:
    register = _records(family_name=["Schmidt"], birth_name=["Becker"])
    reference = _records(family_name=["Becker"], birth_name=["Becker"])
    assert _label("family_name", _levels(register, reference)["family_name"]).startswith(
        "exact [birth_name_search~family_name_search"
    )


def test_transliterated_first_name_is_a_close_level() -> None:
    levels = _levels(
        _records(family_name=["Müller"], first_names=["Mohammed"]),
        _records(family_name=["Mueller"], first_names=["Muhammad"]),
    )
    assert _label("family_name", levels["family_name"]) == "exact"
    assert levels["first_names"] not in (
        -1,
        len(german_spec().comparison("first_names").agreement_levels) - 1,
    )


def test_partial_birth_date_agrees_with_full_date_in_same_month() -> None:
    levels = _levels(
        _records(family_name=["Kaya"], birth_date=["00.03.1970"]),
        _records(family_name=["Kaya"], birth_date=["1970-03-07"]),
    )
    assert _label("birth_date", levels["birth_date"]) == "date exact"


def test_swapped_day_and_month_is_its_own_level() -> None:
    levels = _levels(
        _records(family_name=["Kaya"], birth_date=["03.07.1970"]),
        _records(family_name=["Kaya"], birth_date=["1970-03-07"]),
    )
    assert _label("birth_date", levels["birth_date"]) == "date day_month_swap"


def test_married_person_is_still_blocked_by_first_name_and_birth_year() -> None:
    register = _records(family_name=["Schmidt"], first_names=["Anna"], birth_date=["01.02.1980"])
    reference = _records(family_name=["Becker"], first_names=["Anna"], birth_date=["1980-02-01"])
    assert block(register, reference, german_spec()).height == 1


def test_decisive_levels_of_the_german_spec_are_the_ones_meant() -> None:
    spec = german_spec()
    decisive = {
        c.name: [label for i, label in enumerate(c.level_labels()) if c.contradicts(i)]
        for c in spec.comparisons
    }
    assert decisive == {
        "family_name": ["else"],
        "first_names": ["else"],
        "several_first_names": ["else"],
        "birth_date": ["date within_years", "else"],
        "birth_place": ["else"],
        "address": [],
        "generation": ["else"],
        "sex": [],
    }
    first_names = spec.comparison("first_names").level_labels()
    assert [first_names[i] for i in SPELLING_LEVELS] == [
        "jaro_winkler >= 0.92",
        "exact [first_name_phonetic]",
        "jaro_winkler >= 0.8",
    ]
