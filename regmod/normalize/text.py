"""Text cleaning and the search form of names (DIN 91379 letters reduced for matching).

The search form is case-folded, German transliterations made equal (ä = ae, ö = oe, ü = ue,
ß = ss) and every other diacritic reduced to its base letter, so ``Müller``, ``Mueller`` and
``MÜLLER`` all become ``mueller`` and ``Çelik`` becomes ``celik``.

A ``?`` (or U+FFFD) inside a name is a letter lost by a Windows-1252 export (``Y?lmaz`` for
``Yılmaz``). The search form keeps it as a single ``?`` wildcard so that length and letter
positions survive for similarity measures (``y?lmaz`` is one substitution from ``yilmaz``);
Kölner Phonetik skips it like any non-letter.
"""

from __future__ import annotations

import re
import unicodedata

import polars as pl

from regmod.normalize._distinct import native_per_distinct

LOST_LETTER = "?"
"""Marker of a letter that a lossy encoding replaced."""

_REPLACEMENT_CHARACTER = "\ufffd"

_GERMAN_TRANSLITERATION = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}

_LETTERS_WITHOUT_DECOMPOSITION = {
    "ı": "i",
    "ł": "l",
    "ø": "o",
    "đ": "d",
    "ð": "d",
    "þ": "th",
    "æ": "ae",
    "œ": "oe",
    "ħ": "h",
    "ŀ": "l",
    "ŋ": "n",
    "ĳ": "ij",
    "ſ": "s",
    "ŧ": "t",
}
"""Letters that Unicode does not decompose into base letter plus mark."""

_APOSTROPHES = r"['’‘`´ʼ]"

_WHITESPACE_CHARACTERS = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000"
)
"""Unicode ``White_Space``: what Polars' ``\\s`` and ``strip_chars()`` mean, for the scalar forms."""

_WHITESPACE_CLASS_BODY = re.escape(_WHITESPACE_CHARACTERS)

_SPACE_RUN = r"\s+"
_NOT_IN_SEARCH_FORM = r"[^a-z0-9?\s-]"
_HYPHEN_RUN = r"\s*-[\s-]*"


def as_python_pattern(pattern: str) -> re.Pattern[str]:
    """A Polars (Rust) regular expression compiled for Python's ``re``, matching the same.

    ``\\s`` becomes Unicode ``White_Space`` (Python's also matches U+001C–U+001F) and ``$``
    outside a class the end of the text (Python's also matches before a final newline).
    """
    translated: list[str] = []
    in_class, position = False, 0
    while position < len(pattern):
        char = pattern[position]
        if char == "\\":
            escape = pattern[position : position + 2]
            translated.append(
                (_WHITESPACE_CLASS_BODY if in_class else f"[{_WHITESPACE_CLASS_BODY}]")
                if escape == r"\s"
                else escape
            )
            position += 2
            continue
        if char == "$" and not in_class:
            char = r"\Z"
        elif char in "[]":
            in_class = char == "["
        translated.append(char)
        position += 1
    return re.compile("".join(translated))


_SPACE_RUN_VALUE = as_python_pattern(_SPACE_RUN)
_NOT_IN_SEARCH_FORM_VALUE = as_python_pattern(_NOT_IN_SEARCH_FORM)
_HYPHEN_RUN_VALUE = as_python_pattern(_HYPHEN_RUN)
_APOSTROPHES_VALUE = as_python_pattern(_APOSTROPHES)
_GERMAN_TRANSLATION = str.maketrans(_GERMAN_TRANSLITERATION)
_UNDECOMPOSED_TRANSLATION = str.maketrans(_LETTERS_WITHOUT_DECOMPOSITION)


def clean_text(expr: pl.Expr) -> pl.Expr:
    """NFC, lost letters as ``?``, whitespace collapsed and trimmed; blank becomes null."""
    cleaned = (
        expr.str.normalize("NFC")
        .str.replace_all(_REPLACEMENT_CHARACTER, LOST_LETTER, literal=True)
        .str.replace_all(_SPACE_RUN, " ")
        .str.strip_chars()
    )
    return pl.when(cleaned != "").then(cleaned)


def strip_value(text: str) -> str:
    """``text`` without leading and trailing Unicode whitespace (as ``str.strip_chars()``)."""
    return text.strip(_WHITESPACE_CHARACTERS)


def clean_text_value(text: str | None) -> str | None:
    """``clean_text`` of one value."""
    if text is None:
        return None
    cleaned = unicodedata.normalize("NFC", text).replace(_REPLACEMENT_CHARACTER, LOST_LETTER)
    return strip_value(_SPACE_RUN_VALUE.sub(" ", cleaned)) or None


def fold_letters(expr: pl.Expr) -> pl.Expr:
    """Lower case, ä → ae, ö → oe, ü → ue, ß → ss, other diacritics to the base letter."""
    lowered = (
        expr.str.normalize("NFC")
        .str.replace_all(_REPLACEMENT_CHARACTER, LOST_LETTER, literal=True)
        .str.to_lowercase()
        .str.replace_many(_GERMAN_TRANSLITERATION)
    )
    return (
        lowered.str.normalize("NFD")
        .str.replace_all(r"\p{Mn}", "")
        .str.replace_many(_LETTERS_WITHOUT_DECOMPOSITION)
    )


def fold_letters_value(text: str) -> str:
    """``fold_letters`` of one value."""
    lowered = (
        unicodedata.normalize("NFC", text)
        .replace(_REPLACEMENT_CHARACTER, LOST_LETTER)
        .lower()
        .translate(_GERMAN_TRANSLATION)
    )
    decomposed = unicodedata.normalize("NFD", lowered)
    bases = "".join(char for char in decomposed if unicodedata.category(char) != "Mn")
    return bases.translate(_UNDECOMPOSED_TRANSLATION)


def search_form(expr: pl.Expr) -> pl.Expr:
    """Search form of a name: folded letters, digits, ``?``, single spaces and hyphens.

    Apostrophes vanish, other punctuation separates words; blank becomes null. Computed once
    per distinct value. Example: ``"  Dell’Acqua-MÜLLER "`` → ``"dellacqua-mueller"``.
    """
    return native_per_distinct(expr, _search_form, pl.String())


def _search_form(expr: pl.Expr) -> pl.Expr:
    folded = (
        fold_letters(expr)
        .str.replace_all(_APOSTROPHES, "")
        .str.replace_all(_NOT_IN_SEARCH_FORM, " ")
        .str.replace_all(_HYPHEN_RUN, "-")
        .str.replace_all(_SPACE_RUN, " ")
        .str.strip_chars(" -")
    )
    return pl.when(folded != "").then(folded)


def search_form_value(text: str | None) -> str | None:
    """``search_form`` of one value."""
    if text is None:
        return None
    folded = _APOSTROPHES_VALUE.sub("", fold_letters_value(text))
    folded = _HYPHEN_RUN_VALUE.sub("-", _NOT_IN_SEARCH_FORM_VALUE.sub(" ", folded))
    return _SPACE_RUN_VALUE.sub(" ", folded).strip(" -") or None


def has_lost_letter(expr: pl.Expr) -> pl.Expr:
    """True where the text holds a ``?`` or U+FFFD standing for a letter lost in export."""
    return expr.str.contains(rf"[?{_REPLACEMENT_CHARACTER}]").fill_null(False)


def has_lost_letter_value(text: str | None) -> bool:
    """``has_lost_letter`` of one value."""
    return text is not None and (LOST_LETTER in text or _REPLACEMENT_CHARACTER in text)
