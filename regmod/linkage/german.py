"""German default ``LinkageSpec`` for linking a register extract to the IDNr reference.

The spec reads the normalised columns of ``regmod.record.NORMALISED_SCHEMA`` plus a few keys that
``prepare_for_linkage`` derives (the matching engine is domain-free, so German composite keys are
built here). Blocking never uses sex; address agreement is supporting evidence only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from matching.spec import (
    Comparison,
    DateColumns,
    DateLevel,
    ElseLevel,
    ExactLevel,
    LinkageSpec,
    ListOverlapLevel,
    NullLevel,
    SimilarityLevel,
    TermFrequencyAdjustment,
    Thresholds,
    Training,
    block_on,
)
from regmod.record import RECORD_ID

BIRTH_DATE = DateColumns(year="birth_year", month="birth_month", day="birth_day")
BIRTH_DATE_OPEN = DateColumns(year="birth_year", month="birth_month_open", day="birth_day_open")
"""The birth date with a ``01.01.`` placeholder read as year-only (the foreigners' register writes
it when only the year is known)."""

LINKAGE_SCHEMA: dict[str, pl.DataType] = {
    "birth_date_text": pl.String(),
    "birth_month_open": pl.Int8(),
    "birth_day_open": pl.Int8(),
    "several_first_names": pl.List(pl.String()),
    "several_first_names_text": pl.String(),
    "street_key": pl.String(),
    "address_key": pl.String(),
}
"""Derived columns that ``prepare_for_linkage`` adds and the German spec reads."""
LINKAGE_COLUMNS: tuple[str, ...] = tuple(LINKAGE_SCHEMA)

FIRST_NAMES_CONTRADICT_FROM = 5
"""First-name level from which the names say two people (else): twins differ only there."""

# Match and review thresholds on the match probability, tuned by benchmarks/tune_german_spec.py.
MATCH_THRESHOLD = 0.999
REVIEW_THRESHOLD = 0.5


def prepare_for_linkage(frame: pl.DataFrame) -> pl.DataFrame:
    """Add the composite keys of the German spec to a normalised frame.

    ``birth_date_text`` is ``YYYYMMDD`` for full dates only, so a one-digit slip is one edit;
    ``birth_month_open``/``birth_day_open`` are null for a ``01.01.`` placeholder;
    ``several_first_names`` is the sorted set of first names when there are two or more;
    ``street_key`` and ``address_key`` join postcode, street and house number.

    >>> row = pl.DataFrame({"birth_year": [1970], "birth_month": [3], "birth_day": [7],
    ...     "postcode": ["01067"], "street_search": ["hauptstr"], "house_number": [12],
    ...     "house_number_suffix": ["a"]}, schema_overrides={"birth_year": pl.Int16,
    ...     "birth_month": pl.Int8, "birth_day": pl.Int8})
    >>> names = pl.Series("first_names_search", [["anna", "lena"]])
    >>> prepare_for_linkage(row.with_columns(names)).select(LINKAGE_COLUMNS).row(0)
    ('19700307', 3, 7, ['anna', 'lena'], 'anna lena', '01067|hauptstr', '01067|hauptstr|12a')
    """
    full_date = pl.format(
        "{}{}{}",
        pl.col("birth_year").cast(pl.String).str.zfill(4),
        pl.col("birth_month").cast(pl.String).str.zfill(2),
        pl.col("birth_day").cast(pl.String).str.zfill(2),
    )
    street_key = pl.concat_str(pl.col("postcode"), pl.col("street_search"), separator="|")
    number = pl.concat_str(
        pl.col("house_number").cast(pl.String), pl.col("house_number_suffix").fill_null("")
    )
    placeholder = ((pl.col("birth_month") == 1) & (pl.col("birth_day") == 1)).fill_null(False)
    names = pl.col("first_names_search").list.drop_nulls().list.unique().list.sort()
    several = pl.when(names.list.len() > 1).then(names)
    return frame.with_columns(
        birth_date_text=full_date,
        birth_month_open=pl.when(~placeholder).then(pl.col("birth_month")),
        birth_day_open=pl.when(~placeholder).then(pl.col("birth_day")),
        several_first_names=several,
        several_first_names_text=several.list.join(" "),
        street_key=street_key,
        address_key=pl.concat_str(street_key, number, separator="|"),
    )


def linkage_keys(values: Mapping[str, Any]) -> dict[str, Any]:
    """``prepare_for_linkage``'s keys of one normalised record given as a dict (no frame)."""
    year, month, day = values["birth_year"], values["birth_month"], values["birth_day"]
    full_date = None
    if year is not None and month is not None and day is not None:
        full_date = f"{str(year).zfill(4)}{str(month).zfill(2)}{str(day).zfill(2)}"
    placeholder = month == 1 and day == 1
    distinct = sorted({name for name in values["first_names_search"] or [] if name is not None})
    several = distinct if len(distinct) > 1 else None
    postcode, street, number = values["postcode"], values["street_search"], values["house_number"]
    street_key = None if postcode is None or street is None else f"{postcode}|{street}"
    address_key = None
    if street_key is not None and number is not None:
        address_key = f"{street_key}|{number}{values['house_number_suffix'] or ''}"
    return {
        "birth_date_text": full_date,
        "birth_month_open": None if placeholder else month,
        "birth_day_open": None if placeholder else day,
        "several_first_names": several,
        "several_first_names_text": None if several is None else " ".join(several),
        "street_key": street_key,
        "address_key": address_key,
    }


def _family_name() -> Comparison:
    """Family name: exact (rarity-weighted), core without particles, close spelling, birth name
    against family name either way, one part of a double-barrelled name, same sound."""
    birth_name_either_way = [
        ("birth_name_search", "family_name_search"),
        ("family_name_search", "birth_name_search"),
        ("birth_name_search", "birth_name_search"),
    ]
    return Comparison(
        name="family_name",
        column="family_name_search",
        levels=[
            NullLevel(),
            ExactLevel(),
            ExactLevel(column="family_name_core"),
            SimilarityLevel(metric="jaro_winkler", threshold=0.94),
            ExactLevel(pairs=birth_name_either_way),
            ListOverlapLevel(column="family_name_parts", mode="any"),
            ExactLevel(column="family_name_phonetic"),
            SimilarityLevel(metric="jaro_winkler", threshold=0.84),
            ElseLevel(),
        ],
        term_frequency=TermFrequencyAdjustment(),
        contradicts_from=7,
    )


def _first_names() -> Comparison:
    """First names: first name exact (rarity-weighted) or close, any shared name of several,
    same sound, loosely similar."""
    return Comparison(
        name="first_names",
        column="first_name_search",
        levels=[
            NullLevel(),
            ExactLevel(),
            SimilarityLevel(metric="jaro_winkler", threshold=0.92),
            ListOverlapLevel(column="first_names_search", mode="any"),
            ExactLevel(column="first_name_phonetic"),
            SimilarityLevel(metric="jaro_winkler", threshold=0.8),
            ElseLevel(),
        ],
        term_frequency=TermFrequencyAdjustment(),
        contradicts_from=FIRST_NAMES_CONTRADICT_FROM,
    )


def _several_first_names() -> Comparison:
    """All first names, when both records have several: mostly the same names in any order, or
    a close spelling, agree; else they contradict (twins often share one given name only)."""
    return Comparison(
        name="several_first_names",
        column="several_first_names",
        levels=[
            NullLevel(),
            SimilarityLevel(metric="jaccard", threshold=0.6),
            SimilarityLevel(
                metric="jaro_winkler", threshold=0.9, column="several_first_names_text"
            ),
            ElseLevel(),
        ],
        contradicts_from=2,
    )


def _birth_date() -> Comparison:
    """Birth date: exact (partial dates fit), fits a ``01.01.`` placeholder, day and month
    swapped, one digit off, within a month; same year or else contradict (a parent, a namesake)."""
    return Comparison(
        name="birth_date",
        date_columns=BIRTH_DATE,
        levels=[
            NullLevel(),
            DateLevel(match="exact"),
            DateLevel(match="exact", columns=BIRTH_DATE_OPEN),
            DateLevel(match="day_month_swap"),
            SimilarityLevel(
                metric="damerau_levenshtein", threshold=0.875, column="birth_date_text"
            ),
            DateLevel(match="within_days", tolerance=31),
            DateLevel(match="within_years", tolerance=0),
            ElseLevel(),
        ],
        contradicts_from=5,
    )


def _birth_place() -> Comparison:
    return Comparison(
        name="birth_place",
        column="birth_place_search",
        levels=[
            NullLevel(),
            ExactLevel(),
            SimilarityLevel(metric="jaro_winkler", threshold=0.9),
            ElseLevel(),
        ],
        term_frequency=TermFrequencyAdjustment(),
    )


def _address() -> Comparison:
    """Address as supporting evidence: same house, same street, same postcode, else (moved)."""
    return Comparison(
        name="address",
        column="postcode",
        levels=[
            NullLevel(columns=["postcode"]),
            ExactLevel(column="address_key"),
            ExactLevel(column="street_key"),
            ExactLevel(column="postcode"),
            ElseLevel(),
        ],
    )


def _sex() -> Comparison:
    return Comparison(name="sex", column="sex", levels=[NullLevel(), ExactLevel(), ElseLevel()])


def german_spec(
    *, match_threshold: float = MATCH_THRESHOLD, review_threshold: float = REVIEW_THRESHOLD
) -> LinkageSpec:
    """The default spec for linking a register extract (left) to the IDNr reference (right)."""
    return LinkageSpec(
        link_type="link",
        record_id=RECORD_ID,
        blocking=[
            block_on("birth_year", "birth_month", "birth_day", "family_name_phonetic"),
            block_on("first_name_search", "birth_year", "birth_month"),
            block_on("family_name_phonetic", "first_name_phonetic", "birth_year"),
            block_on("family_name_phonetic", "first_name_phonetic", "birth_month", "birth_day"),
            block_on("birth_year", "birth_month", "birth_day", "postcode"),
            block_on("family_name_phonetic", "first_name_phonetic", "postcode"),
        ],
        comparisons=[
            _family_name(),
            _first_names(),
            _several_first_names(),
            _birth_date(),
            _birth_place(),
            _address(),
            _sex(),
        ],
        training=Training(
            seed=42, u_random_pairs=300_000, u_similarity_pairs=50_000, em_blocking_rules=[0, 1, 5]
        ),
        thresholds=Thresholds(match=match_threshold, review=review_threshold),
    )


def with_decisive_evidence(spec: LinkageSpec) -> LinkageSpec:
    """``spec`` with the German default's decisive levels on every comparison that has the
    default's levels but names none (a model saved before they existed still vetoes twins)."""
    defaults = {c.name: c for c in german_spec().comparisons}
    comparisons = [
        c.model_copy(update={"contradicts_from": defaults[c.name].contradicts_from})
        if c.contradicts_from is None and c.name in defaults and c.levels == defaults[c.name].levels
        else c
        for c in spec.comparisons
    ]
    if comparisons == spec.comparisons:
        return spec
    return spec.model_copy(update={"comparisons": comparisons})
