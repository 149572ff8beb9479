"""Text cleaning and the DIN 91379 search form of names (letters reduced to A–Z for matching).

The search form is upper case A–Z: ``Ä`` → ``AE``, ``Ö`` → ``OE``, ``Ü`` → ``UE``, ``ß`` → ``SS``,
``Å`` → ``AA``, ``Æ`` → ``AE``, ``Ø`` → ``OE``, ``Œ`` → ``OE``, ``Þ`` → ``TH``, ``Ĳ`` → ``IJ``, every
other letter with a diacritic to its base letter. So ``Müller``, ``Mueller`` and ``MÜLLER`` all
become ``MUELLER`` and ``Çelik`` becomes ``CELIK``. The looser key (``loose_form``) also folds the
German transliterations ``AE``, ``OE``, ``UE`` to the vowel, so ``Muller`` meets ``Müller`` there.

A ``?`` (or U+FFFD) inside a name is a letter lost by a Windows-1252 export (``Y?lmaz`` for
``Yılmaz``). The search form keeps it as a single ``?`` wildcard so that length and letter
positions survive for similarity measures (``Y?LMAZ`` is one substitution from ``YILMAZ``);
Kölner Phonetik skips it like any non-letter. A text without any letter A–Z has no search form.

Control characters, ANSI escape sequences and zero-width or other invisible format characters
are removed before anything else (``visible_text``); the raw column keeps them.
"""

from __future__ import annotations

import re
import unicodedata

import polars as pl

from regmod.normalize._distinct import native_per_distinct

LOST_LETTER = "?"
"""Marker of a letter that a lossy encoding replaced."""

_REPLACEMENT_CHARACTER = "\ufffd"

_DIN_91379_TRANSLITERATION = {
    "Ä": "AE",
    "Ö": "OE",
    "Ü": "UE",
    "ẞ": "SS",
    "Å": "AA",
    "Æ": "AE",
    "Ø": "OE",
    "Œ": "OE",
    "Þ": "TH",
    "Ĳ": "IJ",
}
"""Upper-case letters the DIN 91379 search form writes as two letters (``ß`` upper-cases to ``SS``)."""

_LETTERS_WITHOUT_DECOMPOSITION = {
    "Ł": "L",
    "Đ": "D",
    "Ð": "D",
    "Ħ": "H",
    "Ŀ": "L",
    "Ŋ": "N",
    "Ŧ": "T",
}
"""Upper-case letters that Unicode does not decompose into base letter plus mark."""

_INVISIBLE = (
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # ANSI control sequence (colours, cursor moves)
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # ANSI operating-system command
    r"|[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f"  # C0 and C1 controls that are no whitespace
    r"\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    r"\u2060-\u2064\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb\U000e0000-\U000e007f]"
)
"""What a name never holds and a screen does not show: controls, escapes, zero-width characters.

Listed explicitly (not as ``\\p{Cf}``) so that Polars and Python, whose Unicode tables may differ
in version, remove the very same characters.
"""

_APOSTROPHES = r"['’‘`´ʼ]"

_WHITESPACE_CHARACTERS = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000"
)
"""Unicode ``White_Space``: what Polars' ``\\s`` and ``strip_chars()`` mean, for the scalar forms."""

_WHITESPACE_CLASS_BODY = re.escape(_WHITESPACE_CHARACTERS)

_SPACE_RUN = r"\s+"
_NOT_IN_SEARCH_FORM = r"[^A-Z?\s-]"
_HYPHEN_RUN = r"\s*-[\s-]*"
_ANY_LETTER = r"[A-Z]"
_GERMAN_TRANSLITERATION = r"([AOU])E+"


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
_INVISIBLE_VALUE = as_python_pattern(_INVISIBLE)
_ANY_LETTER_VALUE = as_python_pattern(_ANY_LETTER)
_GERMAN_TRANSLITERATION_VALUE = as_python_pattern(_GERMAN_TRANSLITERATION)
_DIN_91379_TRANSLATION = str.maketrans(_DIN_91379_TRANSLITERATION)
_UNDECOMPOSED_TRANSLATION = str.maketrans(_LETTERS_WITHOUT_DECOMPOSITION)


def visible_text(expr: pl.Expr) -> pl.Expr:
    """The text without control characters, ANSI escape sequences and invisible characters.

    ``"Mü\\u200bller"`` → ``"Müller"``; whitespace controls (tab, line breaks) stay for
    ``clean_text`` to collapse.
    """
    return expr.str.replace_all(_INVISIBLE, "")


def visible_text_value(text: str | None) -> str | None:
    """``visible_text`` of one value."""
    return None if text is None else _INVISIBLE_VALUE.sub("", text)


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
    """Upper case with the DIN 91379 search-form letters: ``Ä`` → ``AE`` …, ``Ç`` → ``C``.

    Invisible characters go first, so that a zero-width space does not split a name.
    """
    upper = (
        visible_text(expr)
        .str.normalize("NFC")
        .str.replace_all(_REPLACEMENT_CHARACTER, LOST_LETTER, literal=True)
        .str.to_uppercase()
        .str.replace_many(_DIN_91379_TRANSLITERATION)
    )
    return (
        upper.str.normalize("NFD")
        .str.replace_all(r"\p{Mn}", "")
        .str.replace_many(_LETTERS_WITHOUT_DECOMPOSITION)
    )


def fold_letters_value(text: str) -> str:
    """``fold_letters`` of one value."""
    upper = (
        unicodedata.normalize("NFC", _INVISIBLE_VALUE.sub("", text))
        .replace(_REPLACEMENT_CHARACTER, LOST_LETTER)
        .upper()
        .translate(_DIN_91379_TRANSLATION)
    )
    decomposed = unicodedata.normalize("NFD", upper)
    bases = "".join(char for char in decomposed if unicodedata.category(char) != "Mn")
    return bases.translate(_UNDECOMPOSED_TRANSLATION)


def search_form(expr: pl.Expr) -> pl.Expr:
    """DIN 91379 search form of a name: A–Z, ``?``, single spaces and hyphens.

    Apostrophes vanish, other punctuation and digits separate words; null without a letter.
    Computed once per distinct value. Example: ``"  Dell’Acqua-Müller "`` → ``"DELLACQUA-MUELLER"``.
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
    return pl.when(folded.str.contains(_ANY_LETTER)).then(folded)


def search_form_value(text: str | None) -> str | None:
    """``search_form`` of one value."""
    if text is None:
        return None
    folded = _APOSTROPHES_VALUE.sub("", fold_letters_value(text))
    folded = _HYPHEN_RUN_VALUE.sub("-", _NOT_IN_SEARCH_FORM_VALUE.sub(" ", folded))
    folded = _SPACE_RUN_VALUE.sub(" ", folded).strip(" -")
    return folded if _ANY_LETTER_VALUE.search(folded) else None


def loose_form(search: pl.Expr) -> pl.Expr:
    """Looser key of a search form: ``AE``, ``OE``, ``UE`` to the vowel (``MUELLER`` → ``MULLER``).

    ``Muller`` meets ``Müller`` and ``Mueller`` here, and whatever meets in the search form meets
    here too. It also joins names such as ``Michael`` and ``Michal``: a weaker level than exact.
    A run of ``E`` goes with the vowel, so that ``Äe`` and ``Ae`` meet as well.
    """
    return search.str.replace_all(_GERMAN_TRANSLITERATION, "$1")


def loose_form_value(search: str | None) -> str | None:
    """``loose_form`` of one value."""
    return None if search is None else _GERMAN_TRANSLITERATION_VALUE.sub(r"\1", search)


def has_lost_letter(expr: pl.Expr) -> pl.Expr:
    """True where the text holds a ``?`` or U+FFFD standing for a letter lost in export."""
    return expr.str.contains(rf"[?{_REPLACEMENT_CHARACTER}]").fill_null(False)


def has_lost_letter_value(text: str | None) -> bool:
    """``has_lost_letter`` of one value."""
    return text is not None and (LOST_LETTER in text or _REPLACEMENT_CHARACTER in text)
