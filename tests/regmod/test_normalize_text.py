"""Search form of names: case folding, German transliteration, base letters, lost letters."""

from __future__ import annotations

import unicodedata

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from regmod.normalize import has_lost_letter, search_form


def _search(*values: str | None) -> list[str | None]:
    return (
        pl.DataFrame({"v": list(values)}, schema={"v": pl.String})
        .select(search_form(pl.col("v")))["v"]
        .to_list()
    )


def test_mueller_spellings_meet() -> None:
    assert _search("Müller", "Mueller", "MÜLLER", "MUELLER") == ["mueller"] * 4


def test_eszett_and_capital_eszett_become_ss() -> None:
    assert _search("Weiß", "WEISS", "WEIẞ", "Weiss") == ["weiss"] * 4


@pytest.mark.parametrize(
    ("name", "form"),
    [
        ("Çelik", "celik"),
        ("Doğan", "dogan"),
        ("Yılmaz", "yilmaz"),
        ("İnce", "ince"),
        ("Łukasz", "lukasz"),
        ("Søren", "soren"),
        ("Åsa", "asa"),
        ("José", "jose"),
        ("Šťastný", "stastny"),
        ("Nuñez", "nunez"),
    ],
)
def test_other_diacritics_reduce_to_base_letter(name: str, form: str) -> None:
    assert _search(name) == [form]


def test_punctuation_and_spacing_are_tidied() -> None:
    assert _search("  Dell’Acqua - MÜLLER ", "O'Brien", "St. Martin", "   ", None) == [
        "dellacqua-mueller",
        "obrien",
        "st martin",
        None,
        None,
    ]


def test_lost_letter_stays_as_one_wildcard_and_flags_damage() -> None:
    frame = pl.DataFrame({"v": ["Y?lmaz", "Y\ufffdlmaz", "Yilmaz", None]})
    result = frame.select(search_form(pl.col("v")), has_lost_letter(pl.col("v")).alias("lost"))
    assert result["v"].to_list() == ["y?lmaz", "y?lmaz", "yilmaz", None]
    assert result["lost"].to_list() == [True, True, False, False]


_NAMES = st.text(
    alphabet=st.characters(categories=["Lu", "Ll", "Mn", "Zs", "Pd", "Po"]), max_size=30
)


@given(_NAMES)
def test_search_form_is_idempotent(name: str) -> None:
    once = _search(name)[0]
    assert _search(once) == [once]


@given(_NAMES)
def test_search_form_ignores_unicode_composition(name: str) -> None:
    composed = unicodedata.normalize("NFC", name)
    decomposed = unicodedata.normalize("NFD", name)
    assert _search(composed) == _search(decomposed)


_GERMAN = st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöüß", min_size=1, max_size=20)


@given(_GERMAN)
def test_umlaut_transliterated_and_upper_case_spellings_meet(name: str) -> None:
    transliterated = (
        name.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    )
    assert len(set(_search(name, transliterated, name.upper(), name.title()))) == 1
