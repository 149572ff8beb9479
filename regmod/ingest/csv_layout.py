"""The layout of delimited text: which delimiter, where each record starts, how many fields it has.

Polars parses the values; this module finds what Polars smooths over (ragged and empty lines) so
that such rows go to quarantine with their file line instead of silently gaining or losing fields.
"""

from __future__ import annotations

import re

import polars as pl

from regmod.errors import InputError

CANDIDATE_DELIMITERS = (";", ",", "\t")
QUOTE = '"'
_QUOTED = r'"[^"]*"'
_SNIFF_LINES = 20
_SNIFF_CHARS = 1 << 16


def sniff_delimiter(text: str, *, file: str | None = None) -> str:
    """The candidate that splits the header and agrees best with the next lines.

    >>> sniff_delimiter("Name;Ort\\nMüller;Köln, Altstadt\\n")
    ';'
    """
    lines = [re.sub(_QUOTED, "", line) for line in text[:_SNIFF_CHARS].splitlines()[:_SNIFF_LINES]]
    best: tuple[float, int, str] | None = None
    for delimiter in CANDIDATE_DELIMITERS:
        counts = [line.count(delimiter) for line in lines]
        if not counts or counts[0] == 0:
            continue
        others = counts[1:] or counts
        agreement = sum(count == counts[0] for count in others) / len(others)
        score = (agreement, counts[0], delimiter)
        if best is None or score[:2] > best[:2]:
            best = score
    if best is None:
        raise InputError(
            "the header line holds no ';', ',' or tab; a register table needs one "
            "(pass the delimiter explicitly if the file uses another)",
            file=file,
            row=1,
        )
    return best[2]


def record_layout(text: str, delimiter: str) -> pl.DataFrame:
    """One row per CSV record (the header first): its first file ``line``, ``fields``, ``blank``,
    ``open_quote`` (a quote that never closes starts in it) and ``stray_quote`` (a quoted value
    runs on past its closing quote, ``"Meyer"x``).

    Records span several lines only where a quoted field holds a line break.
    """
    lines = (
        pl.Series("text", [text.removesuffix("\n")])
        .str.split("\n")
        .explode()
        .str.strip_suffix("\r")
        .to_frame()
        .with_row_index("line", offset=1)
    )
    if QUOTE in text:
        inside_quotes = pl.col("text").str.count_matches(QUOTE, literal=True).cum_sum() % 2 == 1
        starts_record = inside_quotes.shift(1, fill_value=False).not_()
        lines = (
            lines.with_columns(record=starts_record.cum_sum())
            .group_by("record", maintain_order=True)
            .agg(pl.col("line").first(), pl.col("text").str.join("\n"))
            .drop("record")
        )
        unquoted = pl.col("text").str.replace_all(_QUOTED, "")
        open_quote = pl.col("text").str.count_matches(QUOTE, literal=True) % 2 == 1
        separator = re.escape(delimiter)
        stray_quote = pl.col("text").str.contains(
            f'(?:^|{separator})"(?:[^"]|"")*"[^{separator}"\r\n]'
        )
    else:
        unquoted = pl.col("text")
        open_quote = stray_quote = pl.lit(False)
    return lines.select(
        "line",
        fields=unquoted.str.count_matches(delimiter, literal=True).cast(pl.UInt32) + 1,
        blank=pl.col("text").str.strip_chars().str.len_bytes() == 0,
        open_quote=open_quote,
        stray_quote=stray_quote,
    )
