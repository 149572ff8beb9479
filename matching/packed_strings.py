"""Short ASCII strings packed into one 64-bit word each, so that "at most one edit apart" is a
handful of integer operations per pair instead of a string kernel (dates as ``YYYYMMDD``,
postcodes, short codes).

A word holds one character per byte, first character lowest; each byte keeps the character's
seven ASCII bits and sets its high bit where a character is, so equal words are equal strings
and two words' high bits agree exactly when the strings have the same length. Between strings
of equal length an insertion needs a deletion to match it, so at most one edit means at most one
differing character (Levenshtein) or two neighbours swapped (optimal string alignment and
Damerau–Levenshtein).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl

WORD_BYTES = 8
"""The longest value that fits in a word, in characters."""

Words = npt.NDArray[np.uint64]
BoolArray = npt.NDArray[np.bool_]

_PRESENT = np.uint64(0x8080808080808080)
_LOW_BIT_OF_EACH_BYTE = np.uint64(0x0101010101010101)
_BYTE = np.uint64(8)
_PRESENT_UP_TO = np.array(
    [int(_PRESENT) & ((1 << (8 * length)) - 1) for length in range(WORD_BYTES + 1)],
    dtype=np.uint64,
)
"""Per string length, the high bits of the bytes that hold a character."""


def pack(values: pl.Series) -> tuple[Words, BoolArray]:
    """Each value as a word, and whether it fits (present, ASCII, at most ``WORD_BYTES``
    characters); a value that does not fit gets the word of the empty string."""
    value = pl.col("value")
    size = value.str.len_bytes()
    fits = ((size <= WORD_BYTES) & (size == value.str.len_chars())).fill_null(False)
    packed = pl.DataFrame({"value": values.cast(pl.String)}).select(
        fits.alias("fits"),
        pl.when(fits).then(size).otherwise(0).alias("size"),
        pl.when(fits)
        .then(value)
        .otherwise(pl.lit(""))
        .str.pad_end(WORD_BYTES, "\0")
        .cast(pl.Binary)
        .bin.reinterpret(dtype=pl.UInt64, endianness="little")
        .alias("word"),
    )
    words: Words = packed["word"].to_numpy() | _PRESENT_UP_TO[packed["size"].to_numpy()]
    return words, packed["fits"].to_numpy()


def same_length(left: Words, right: Words) -> BoolArray:
    """Whether the strings of two words have the same length."""
    result: BoolArray = ((left ^ right) & _PRESENT) == 0
    return result


def at_least(words: Words, length: int) -> BoolArray:
    """Whether each word's string has at least ``length`` (1 to ``WORD_BYTES``) characters."""
    result: BoolArray = (words & (_PRESENT_UP_TO[length] ^ _PRESENT_UP_TO[length - 1])) != 0
    return result


def at_most_one_edit(left: Words, right: Words, *, transpositions: bool) -> BoolArray:
    """Whether words of strings of equal length are at most one edit apart: one substitution,
    or (with ``transpositions``) one swap of neighbouring characters."""
    differing = np.bitwise_count(_nonzero_bytes(left ^ right))
    result: BoolArray = differing <= 1
    if transpositions:
        two = np.flatnonzero(differing == 2)
        result[two] = _swapped_neighbours(left[two], right[two])
    return result


def _nonzero_bytes(words: Words) -> Words:
    """The lowest bit of each byte set where that byte of ``words`` is not zero."""
    folded = words | (words >> np.uint64(4))
    folded |= folded >> np.uint64(2)
    folded |= folded >> np.uint64(1)
    result: Words = folded & _LOW_BIT_OF_EACH_BYTE
    return result


def _swapped_neighbours(left: Words, right: Words) -> BoolArray:
    """For words differing in exactly two bytes: whether those are neighbours holding each
    other's character."""
    differing = _nonzero_bytes(left ^ right)
    neighbours = (differing & (differing >> _BYTE)) != 0
    first = (differing & (~differing + np.uint64(1))) * np.uint64(0xFF)
    crossed = (((left >> _BYTE) & first) == (right & first)) & (
        ((right >> _BYTE) & first) == (left & first)
    )
    result: BoolArray = neighbours & crossed
    return result
