"""DIN 91379 search form of names, the looser key, lost letters and invisible characters."""

from __future__ import annotations

import unicodedata

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from regmod.normalize import has_lost_letter, loose_form, search_form, visible_text


def _search(*values: str | None) -> list[str | None]:
    return (
        pl.DataFrame({"v": list(values)}, schema={"v": pl.String})
        .select(search_form(pl.col("v")))["v"]
        .to_list()
    )


def _loose(*values: str | None) -> list[str | None]:
    return (
        pl.DataFrame({"v": list(values)}, schema={"v": pl.String})
        .select(loose_form(search_form(pl.col("v"))))["v"]
        .to_list()
    )


def test_mueller_spellings_meet() -> None:
    assert _search("Müller", "Mueller", "MÜLLER", "MUELLER", "müller") == ["MUELLER"] * 5


def test_muller_does_not_meet_mueller_in_the_search_form_but_in_the_loose_key() -> None:
    assert _search("Muller", "Müller") == ["MULLER", "MUELLER"]
    assert _loose("Muller", "Müller", "Mueller", "MÜLLER") == ["MULLER"] * 4


def test_eszett_and_capital_eszett_become_ss() -> None:
    assert _search("Weiß", "WEISS", "WEIẞ", "Weiss") == ["WEISS"] * 4


@pytest.mark.parametrize(
    ("name", "form"),
    [
        ("Ä", "AE"),
        ("Ö", "OE"),
        ("Ü", "UE"),
        ("ß", "SS"),
        ("ẞ", "SS"),
        ("Åsa", "AASA"),
        ("Ærø", "AEROE"),
        ("Søren", "SOEREN"),
        ("Œuvray", "OEUVRAY"),
        ("Þórsson", "THORSSON"),
        ("Ĳsselmeer", "IJSSELMEER"),
        ("ĳzer", "IJZER"),
        ("Çelik", "CELIK"),
        ("Łukasz", "LUKASZ"),
        ("Şahin", "SAHIN"),
        ("Éloïse", "ELOISE"),
        ("Doğan", "DOGAN"),
        ("Yılmaz", "YILMAZ"),
        ("İnce", "INCE"),
        ("José", "JOSE"),
        ("Šťastný", "STASTNY"),
        ("Nuñez", "NUNEZ"),
        ("Đorđević", "DORDEVIC"),
        ("Ðuro", "DURO"),
    ],
)
def test_din_91379_letters_to_their_search_form(name: str, form: str) -> None:
    assert _search(name) == [form]


def test_celik_spellings_meet() -> None:
    assert _search("Çelik", "Celik", "ÇELIK") == ["CELIK"] * 3


def test_punctuation_digits_and_spacing_are_tidied() -> None:
    assert _search("  Dell’Acqua - MÜLLER ", "O'Brien", "St. Martin", "Meyer2", "   ", None) == [
        "DELLACQUA-MUELLER",
        "OBRIEN",
        "ST MARTIN",
        "MEYER",
        None,
        None,
    ]


def test_lost_letter_stays_as_one_wildcard_and_flags_damage() -> None:
    frame = pl.DataFrame({"v": ["Y?lmaz", "Y\ufffdlmaz", "Yilmaz", None]})
    result = frame.select(search_form(pl.col("v")), has_lost_letter(pl.col("v")).alias("lost"))
    assert result["v"].to_list() == ["Y?LMAZ", "Y?LMAZ", "YILMAZ", None]
    assert result["lost"].to_list() == [True, True, False, False]


def test_unknown_letters_alone_are_no_name() -> None:
    assert _search("?", "??", "? - ?", "\ufffd") == [None] * 4


@pytest.mark.parametrize(
    "damaged",
    [
        "Mü\u200bller",  # zero-width space
        "Mül\u200dler",  # zero-width joiner
        "\ufeffMüller",  # byte-order mark
        "Mül\u00adler",  # soft hyphen
        "\u202eMüller\u202c",  # bidirectional override
        "Mül\x00ler\x07",  # C0 controls
        "Mül\x9bler",  # C1 control
        "\x1b[1;31mMüller\x1b[0m",  # ANSI colour
        "\x1b]0;title\x07Müller",  # ANSI operating-system command
    ],
)
def test_invisible_and_control_characters_do_not_change_the_search_form(damaged: str) -> None:
    assert _search(damaged) == ["MUELLER"]
    visible = pl.select(visible_text(pl.lit(damaged, dtype=pl.String))).item()
    assert visible == "Müller"


def test_whitespace_controls_still_separate_words() -> None:
    assert _search("Hans\tPeter", "Hans\nPeter") == ["HANS PETER"] * 2


_NAMES = st.text(
    alphabet=st.characters(categories=["Lu", "Ll", "Mn", "Zs", "Pd", "Po", "Cc", "Cf"]),
    max_size=30,
)


@given(_NAMES)
def test_search_form_is_idempotent(name: str) -> None:
    once = _search(name)[0]
    assert _search(once) == [once]


@given(_NAMES)
def test_search_form_is_upper_case_a_to_z_with_separators_and_wildcards(name: str) -> None:
    form = _search(name)[0]
    assert form is None or set(form) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ?- ")


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


@given(_GERMAN)
def test_umlauts_without_dots_meet_in_the_loose_key(name: str) -> None:
    without_dots = name.replace("ä", "a").replace("ö", "o").replace("ü", "u")
    assert len(set(_loose(name, without_dots))) == 1


@given(_NAMES, _NAMES)
def test_what_meets_in_the_search_form_meets_in_the_loose_key(left: str, right: str) -> None:
    if _search(left) == _search(right):
        assert _loose(left) == _loose(right)
