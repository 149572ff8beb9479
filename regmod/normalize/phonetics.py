"""Kölner Phonetik (Cologne phonetics): a digit code per name that sounds alike in German.

Each letter is coded by its neighbours, runs of the same digit collapse, then every ``0`` but a
leading one goes. Letters are those of the DIN 91379 search form (``Ł`` → ``L``, ``Þ`` → ``TH``),
so a name and its search form share one code and ``Łukasz`` keeps its ``L``; anything that is not
a letter (``-``, spaces, a lost letter ``?``) is skipped. The search form writes ``ä`` as ``AE``
where DOMAIN.md codes ``a``: both give 0 and runs of 0 collapse, so the codes are the same.
"""

from __future__ import annotations

from itertools import groupby

import polars as pl

from regmod.normalize._distinct import map_distinct
from regmod.normalize.text import fold_letters_value

_FIXED_CODES = {
    **dict.fromkeys("aeijouy", "0"),
    "h": "",
    "b": "1",
    **dict.fromkeys("fvw", "3"),
    **dict.fromkeys("gkq", "4"),
    "l": "5",
    **dict.fromkeys("mn", "6"),
    "r": "7",
    **dict.fromkeys("sz", "8"),
}


def _plain_letters(text: str) -> str:
    """The search-form letters of ``text`` in lower case, everything else skipped."""
    return "".join(char for char in fold_letters_value(text).lower() if "a" <= char <= "z")


def _letter_code(letter: str, before: str, after: str, at_start: bool) -> str:
    """The code of one letter given the letter before and after it ("" at the edges)."""
    if letter in _FIXED_CODES:
        return _FIXED_CODES[letter]
    if letter == "p":
        return "3" if after == "h" else "1"
    if letter in "dt":
        return "8" if after in ("c", "s", "z") else "2"
    if letter == "x":
        return "8" if before in ("c", "k", "q") else "48"
    if letter == "c":
        if at_start:
            return "4" if after in tuple("ahkloqrux") else "8"
        hard = after in tuple("ahkoqux") and before not in ("s", "z")
        return "4" if hard else "8"
    raise AssertionError(f"no Kölner Phonetik rule for {letter!r}")


def cologne_code(text: str) -> str:
    """Kölner Phonetik of one value; "" when it has no letters.

    >>> cologne_code("Müller-Lüdenscheidt")
    '65752682'
    """
    letters = _plain_letters(text)
    digits = "".join(
        _letter_code(
            letter,
            letters[index - 1] if index > 0 else "",
            letters[index + 1] if index + 1 < len(letters) else "",
            index == 0,
        )
        for index, letter in enumerate(letters)
    )
    collapsed = "".join(digit for digit, _ in groupby(digits))
    return collapsed[:1] + collapsed[1:].replace("0", "")


def _code_or_none(text: str) -> str | None:
    return cologne_code(text) or None


def koelner_phonetik(expr: pl.Expr) -> pl.Expr:
    """Kölner Phonetik of a string column, computed once per distinct value; null without letters."""
    return map_distinct(expr, _code_or_none, pl.String())


def koelner_phonetik_value(text: str | None) -> str | None:
    """``koelner_phonetik`` of one value."""
    return None if text is None else _code_or_none(text)
