"""Kölner Phonetik: the examples and letter rules of DOMAIN.md, per value and as an expression."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from regmod.normalize import cologne_code, koelner_phonetik, search_form


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Wikipedia", "3412"),
        ("Breschnew", "17863"),
        ("Müller-Lüdenscheidt", "65752682"),
        ("Meier", "67"),
        ("Maier", "67"),
        ("Meyer", "67"),
        ("Mayr", "67"),
        ("schmidt", "862"),
        ("hoffmann", "0366"),
    ],
)
def test_domain_examples_get_their_code(name: str, code: str) -> None:
    assert cologne_code(name) == code


@pytest.mark.parametrize(
    ("name", "code", "rule"),
    [
        ("Philipp", "351", "p before h is 3, otherwise 1"),
        ("Dietz", "28", "t before z is 8"),
        ("Dachs", "248", "d not before c s z is 2; c after a before h is 4"),
        ("Cäsar", "487", "c at the start before a is 4 (ä counts as a)"),
        ("Celle", "85", "c at the start before e is 8"),
        ("Christian", "47826", "c at the start before h is 4"),
        ("Zschech", "84", "c after s is 8 even before h"),
        ("Xaver", "4837", "x not after c k q is 48"),
        ("Max", "648", "x after a vowel is 48"),
        ("Rexhausen", "74886", "runs collapse before zeros are removed"),
        ("hoffmann", "0366", "a leading 0 stays"),
    ],
)
def test_letter_rules_by_context(name: str, code: str, rule: str) -> None:
    assert cologne_code(name) == code, rule


def test_non_letters_and_lost_letters_are_skipped() -> None:
    assert cologne_code("Y?lmaz") == cologne_code("Yılmaz") == "0568"
    assert cologne_code("Meyer-Schulz") == cologne_code("Meyer Schulz")
    assert cologne_code("") == ""
    assert cologne_code("??") == ""


@pytest.mark.parametrize(
    ("name", "search"),
    [("Łukasz", "LUKASZ"), ("Þórsson", "THORSSON"), ("Ĳssel", "IJSSEL"), ("Æsa", "AESA")],
)
def test_code_of_a_name_is_the_code_of_its_search_form(name: str, search: str) -> None:
    assert cologne_code(name) == cologne_code(search)


def test_expression_gives_the_same_codes_and_null_without_letters() -> None:
    names = ["Müller", "Meier", None, "Müller", "--"]
    codes = pl.Series(names).to_frame("name").select(koelner_phonetik(pl.col("name")))
    assert codes.to_series().to_list() == ["657", "67", None, "657", None]


_GERMAN_NAME = st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöüßÄÖÜABCDEZ -", max_size=20)


@given(_GERMAN_NAME)
def test_code_of_search_form_equals_code_of_name(name: str) -> None:
    """ä → ae in the search form must not change the code (ä is a, and vowels collapse)."""
    folded = pl.select(search_form(pl.lit(name, dtype=pl.String))).item()
    assert cologne_code(folded or "") == cologne_code(name)
