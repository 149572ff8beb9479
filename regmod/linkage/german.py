"""German default ``LinkageSpec`` for linking a register extract to the IDNr reference.

The spec reads the normalised columns of ``regmod.record.NORMALISED_SCHEMA`` plus a few keys that
``prepare_for_linkage`` derives (the matching engine is domain-free, so German composite keys are
built here). Blocking never uses sex; address agreement is supporting evidence only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import polars as pl

from matching.contradictions import CONTRADICTIONS
from matching.gamma import gamma_column
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
from regmod.normalize._distinct import map_distinct
from regmod.normalize.text import has_lost_letter, search_form, search_form_value
from regmod.record import RECORD_ID

BIRTH_DATE = DateColumns(year="birth_year", month="birth_month", day="birth_day")
BIRTH_DATE_OPEN = DateColumns(year="birth_year", month="birth_month_open", day="birth_day_open")
"""The birth date with a ``01.01.`` placeholder read as year-only (the foreigners' register writes
it when only the year is known)."""

_NOT_IN_WINDOWS_1252 = (
    r"[^\x00-\x7f\u00a0-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    r"\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
"""Characters a Windows-1252 export cannot hold (it writes ``?``), U+FFFD among them."""

LINKAGE_SCHEMA: dict[str, pl.DataType] = {
    "birth_date_text": pl.String(),
    "birth_month_open": pl.Int8(),
    "birth_day_open": pl.Int8(),
    "several_first_names": pl.List(pl.String()),
    "several_first_names_text": pl.String(),
    "family_name_lossy": pl.String(),
    "first_name_lossy": pl.String(),
    "street_key": pl.String(),
    "address_key": pl.String(),
}
"""Derived columns that ``prepare_for_linkage`` adds and the German spec reads."""
LINKAGE_COLUMNS: tuple[str, ...] = tuple(LINKAGE_SCHEMA)

FIRST_NAMES_CONTRADICT_FROM = 7
"""First-name level from which the names say two people (else): twins differ only there."""

# Match and review thresholds on the match probability, tuned by benchmarks/tune_german_spec.py.
MATCH_THRESHOLD = 0.999
REVIEW_THRESHOLD = 0.5


def prepare_for_linkage(frame: pl.DataFrame) -> pl.DataFrame:
    """Add the composite keys of the German spec to a normalised frame.

    ``birth_date_text`` is ``YYYYMMDD`` for full dates only, so a one-digit slip is one edit;
    ``birth_month_open``/``birth_day_open`` are null for a ``01.01.`` placeholder;
    ``several_first_names`` is the sorted set of first names when there are two or more;
    ``family_name_lossy``/``first_name_lossy`` are the search forms as a Windows-1252 export
    writes them (``Yıldız`` → ``Y?LD?Z``), so a name with lost letters meets its original;
    ``street_key`` and ``address_key`` join postcode, street and house number.

    >>> row = pl.DataFrame({"birth_year": [1970], "birth_month": [3], "birth_day": [7],
    ...     "postcode": ["01067"], "street_search": ["HAUPTSTR"], "house_number": [12],
    ...     "house_number_suffix": ["A"], "family_name": ["Yıldız"],
    ...     "birth_date_placeholder": [False],
    ...     "first_names": [["Anna", "Lena"]], "first_names_search": [["ANNA", "LENA"]]},
    ...     schema_overrides={"birth_year": pl.Int16, "birth_month": pl.Int8,
    ...     "birth_day": pl.Int8})
    >>> keys = ("birth_date_text", "several_first_names", "family_name_lossy", "address_key")
    >>> prepare_for_linkage(row).select(keys).row(0)
    ('19700307', ['ANNA', 'LENA'], 'Y?LD?Z', '01067|HAUPTSTR|12A')
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
    placeholder = pl.col("birth_date_placeholder").fill_null(False)
    names = pl.col("first_names_search")
    several_text = map_distinct(
        pl.when(names.list.len() > 1).then(names.list.join("\t")), _several_text, pl.String()
    )
    return frame.with_columns(
        birth_date_text=full_date,
        birth_month_open=pl.when(~placeholder).then(pl.col("birth_month")),
        birth_day_open=pl.when(~placeholder).then(pl.col("birth_day")),
        several_first_names=several_text.str.split(" "),
        several_first_names_text=several_text,
        family_name_lossy=_lossy(pl.col("family_name")),
        first_name_lossy=_lossy(pl.col("first_names").list.first()),
        street_key=street_key,
        address_key=pl.concat_str(street_key, number, separator="|"),
    )


def linkage_keys(values: Mapping[str, Any]) -> dict[str, Any]:
    """``prepare_for_linkage``'s keys of one normalised record given as a dict (no frame)."""
    year, month, day = values["birth_year"], values["birth_month"], values["birth_day"]
    full_date = None
    if year is not None and month is not None and day is not None:
        full_date = f"{str(year).zfill(4)}{str(month).zfill(2)}{str(day).zfill(2)}"
    placeholder = bool(values["birth_date_placeholder"])
    names = [name for name in values["first_names_search"] or [] if name is not None]
    several_text = _several_text("\t".join(names)) if len(names) > 1 else None
    postcode, street, number = values["postcode"], values["street_search"], values["house_number"]
    street_key = None if postcode is None or street is None else f"{postcode}|{street}"
    address_key = None
    if street_key is not None and number is not None:
        address_key = f"{street_key}|{number}{values['house_number_suffix'] or ''}"
    return {
        "birth_date_text": full_date,
        "birth_month_open": None if placeholder else month,
        "birth_day_open": None if placeholder else day,
        "several_first_names": None if several_text is None else several_text.split(" "),
        "several_first_names_text": several_text,
        "family_name_lossy": _lossy_value(values["family_name"]),
        "first_name_lossy": _lossy_value((values["first_names"] or [None])[0]),
        "street_key": street_key,
        "address_key": address_key,
    }


def _several_text(names: str) -> str | None:
    """The distinct first names of a tab-joined list, sorted and space-joined; None below two."""
    distinct = sorted(set(names.split("\t")) - {""})
    return " ".join(distinct) if len(distinct) > 1 else None


def _lossy(name: pl.Expr) -> pl.Expr:
    """The search form of ``name`` as a Windows-1252 export would have kept it."""
    return search_form(name.str.replace_all(_NOT_IN_WINDOWS_1252, "?"))


def _lossy_value(name: str | None) -> str | None:
    """``_lossy`` of one value."""
    if name is None:
        return None
    return search_form_value(re.sub(_NOT_IN_WINDOWS_1252, "?", name))


def _family_name() -> Comparison:
    """Family name: exact (rarity-weighted), as a Windows-1252 export kept it, umlauts loosely
    (Muller), core without particles, close spelling, birth name against family name either
    way, one part of a double-barrelled name, same sound; anything else contradicts."""
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
            ExactLevel(column="family_name_lossy"),
            ExactLevel(column="family_name_loose"),
            ExactLevel(column="family_name_core"),
            SimilarityLevel(metric="jaro_winkler", threshold=0.94),
            ExactLevel(pairs=birth_name_either_way),
            ListOverlapLevel(column="family_name_parts", mode="any"),
            ExactLevel(column="family_name_phonetic"),
            SimilarityLevel(metric="jaro_winkler", threshold=0.84),
            ElseLevel(),
        ],
        term_frequency=TermFrequencyAdjustment(),
        contradicts_from=9,
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
            ExactLevel(column="first_name_lossy"),
            ExactLevel(column="first_name_loose"),
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
    """Birth place: exact (rarity-weighted), close spelling; another place contradicts (a
    namesake born the same day elsewhere)."""
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
        contradicts_from=2,
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


def _generation() -> Comparison:
    """``jun.`` against ``sen.`` in the name fields: parent and child of one name, two people."""
    return Comparison(
        name="generation",
        column="generation",
        levels=[NullLevel(), ExactLevel(), ElseLevel()],
        contradicts_from=1,
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
            block_on("family_name_lossy", "first_name_lossy", "birth_year"),
        ],
        comparisons=[
            _family_name(),
            _first_names(),
            _several_first_names(),
            _birth_date(),
            _birth_place(),
            _address(),
            _generation(),
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


SPELLING_LEVELS = (3, 5, 6)
"""First-name levels that a misspelling reaches: close spelling, same sound, loosely similar."""


def known_first_names(*frames: pl.DataFrame) -> pl.Series:
    """First names that two or more records hold: real names, not one-off misspellings."""
    names = pl.concat([frame.select("first_name_search") for frame in frames])
    counts = names.group_by("first_name_search").len()
    real = (pl.col("len") >= 2) & ~has_lost_letter(pl.col("first_name_search"))
    return counts.filter(real)["first_name_search"].drop_nulls()


def with_real_name_contradictions(
    pairs: pl.DataFrame, spec: LinkageSpec, left: pl.DataFrame, right: pl.DataFrame | None
) -> pl.DataFrame:
    """Pairs whose first names differ only as a misspelling would, but where both are real
    names (Jonas and Jonah, Anna and Anja), contradict on ``first_names``: twins, not a typo.

    Applies to specs with the German first-name comparison; ``right=None`` for pairs in ``left``.
    """
    default = _first_names()
    if not any(c.name == default.name and c.levels == default.levels for c in spec.comparisons):
        return pairs
    frames = (left,) if right is None else (left, right)
    known = known_first_names(*frames)
    left_known = left["first_name_search"].is_in(known.implode()).fill_null(False)
    right_known = left_known if right is None else right["first_name_search"].is_in(known.implode())
    level = pl.col(gamma_column(default.name))
    real = (
        level.is_in(SPELLING_LEVELS)
        & pl.lit(left_known).gather("idx_l")
        & pl.lit(right_known.fill_null(False)).gather("idx_r")
    )
    return pairs.with_columns(
        pl.when(~real | pl.col(CONTRADICTIONS).str.contains(rf"(^|, ){default.name}(,|$)"))
        .then(pl.col(CONTRADICTIONS))
        .when(pl.col(CONTRADICTIONS) == "")
        .then(pl.lit(default.name))
        .otherwise(pl.col(CONTRADICTIONS) + pl.lit(f", {default.name}"))
        .alias(CONTRADICTIONS)
    )


SAME_RESIDENCE = "same_residence"
"""Column of register pairs: the two records live at one address (or one has none)."""


def same_residence_expression(spec: LinkageSpec) -> pl.Expr:
    """Whether a register pair shares its street or house: one person has one main residence,
    so namesakes at two addresses of a town are two people however alike (specs without the
    German address comparison: always true)."""
    default = _address()
    if not any(c.name == default.name and c.levels == default.levels for c in spec.comparisons):
        return pl.lit(True).alias(SAME_RESIDENCE)
    return (pl.col(gamma_column(default.name)) <= 1).alias(SAME_RESIDENCE)
