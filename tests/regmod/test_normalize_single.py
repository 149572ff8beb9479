"""The scalar path of one record gives the very values the vectorised normalise() gives.

Online queries normalise one record with ``normalised_values`` and key it with
``linkage_keys``; batches use ``normalise`` and ``prepare_for_linkage``. Both must agree on
every input, or an online answer would differ from the batch decision for the same record.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from regmod.ingest import read_register
from regmod.linkage import LINKAGE_COLUMNS, LINKAGE_SCHEMA, linkage_keys, prepare_for_linkage
from regmod.normalize import normalise
from regmod.normalize.single import normalised_values
from regmod.record import NORMALISED_SCHEMA, RAW_FIELDS, raw_column

_SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "sample"
_RAW_SCHEMA = {raw_column(field): pl.String() for field in RAW_FIELDS}
_LINKABLE_SCHEMA = {
    **_RAW_SCHEMA,
    **NORMALISED_SCHEMA,
    **LINKAGE_SCHEMA,
}

_TOKENS = [
    "Dr.", "Prof. Dr. med.", "Dr.-Ing.", "Dipl.-Kfm.", "geb.", "geborene", "von der", "van",
    "de", "Müller", "Meyer-Schulz", "Straße", "Str.", "platz", "D-", "DE ", "01067", "12a",
    "12 - 14", "00.05.1980", "31.02.1980", "1980-05-17", "19800517", "29.02.1900", "7.3.2001",
    "36 574 261 809", "männlich", "W", "ja", "X", "nein", "Y?lmaz", "\ufffd", "Çelik", "Łódź",
    "Dell’Acqua", "O'Brien", "Hans-Peter", ",", " ", "  ", "\t", "\u00a0", "-", "(", ")",
    "١٢.٠٥.١٩٨٠", "٥٠٦٦٧", "١٢",
    "jun.", "Jr.", "sen.", "Sen.", "Sen", "junior", "Prof.", "Dr. h.c.", "Dr.-Ing. E.h.", "Dres.",
    "01.01.1980", "1980-01-01", "Åsa", "Þór", "Œ", "ẞ", "Mueller", "Muller", "Äe",
    "\u200b", "\u200d", "\ufeff", "\u00ad", "\u202e", "\x00", "\x07", "\x1b", "\x1b[31m",
    "\x1b[0m", "\x1b]0;t\x07", "\x9b", "\x1f", "\n", "\r",
]  # fmt: skip
_LETTERS = (
    "abcdeghilmnorstuzABDGHKMSVZäöüÄÖÜßéèçñøıłæœĳſåþ0123456789١٥ .,-'’/?()"
    "\t\u00a0\u2009\u200b\u2060\x01\x1b\x7f"
)

_text = st.lists(
    st.one_of(st.sampled_from(_TOKENS), st.text(_LETTERS, max_size=4)), max_size=5
).map("".join)
_record = st.tuples(*(st.one_of(st.none(), _text) for _ in RAW_FIELDS)).map(
    lambda values: dict(zip(_RAW_SCHEMA, values, strict=True))
)


def _linkable_one(raw: dict[str, str | None]) -> dict[str, Any]:
    values = normalised_values(raw)
    return {**raw, **values, **linkage_keys(values)}


@settings(max_examples=150, deadline=None)
@given(st.lists(_record, min_size=1, max_size=20))
def test_scalar_path_equals_the_vectorised_one(records: list[dict[str, str | None]]) -> None:
    expected = prepare_for_linkage(normalise(pl.DataFrame(records, schema=_RAW_SCHEMA)))
    actual = pl.DataFrame([_linkable_one(record) for record in records], schema=_LINKABLE_SCHEMA)
    assert_frame_equal(actual, expected)


def test_new_columns_agree_on_a_record_with_invisible_characters() -> None:
    raw = {
        raw_column("family_name"): "\x1b[1mDr. Mü\u200bller jun.\x1b[0m",
        raw_column("first_names"): "J\u00adürgen",
        raw_column("birth_date"): "01.01.\u200b1980",
        raw_column("postcode"): "\ufeff01067",
    }
    values = normalised_values(raw)
    assert values["family_name"] == "Müller" and values["family_name_loose"] == "MULLER"
    assert values["first_name_search"] == "JUERGEN" and values["first_name_loose"] == "JURGEN"
    assert values["generation"] == "jr" and values["doctoral_degree"] == "Dr."
    assert values["birth_date_placeholder"] is True and values["postcode"] == "01067"
    expected = normalise(pl.DataFrame([raw])).select(list(NORMALISED_SCHEMA)).row(0, named=True)
    assert values == expected


def test_a_sparse_query_record() -> None:
    raw = {raw_column("family_name"): "Dr. Müller geb. Schmidt", raw_column("postcode"): "1067"}
    values = normalised_values(raw)
    assert values["family_name"] == "Müller" and values["birth_name"] == "Schmidt"
    assert values["doctoral_degree"] == "Dr." and values["postcode"] is None
    assert values["information_block"] is False and values["first_names"] is None
    expected = normalise(pl.DataFrame([raw])).select(list(NORMALISED_SCHEMA)).row(0, named=True)
    assert values == expected


@pytest.mark.parametrize("name", ["register.csv", "reference.csv"])
def test_every_shipped_fixture_row_normalises_alike(name: str) -> None:
    accepted = prepare_for_linkage(read_register(_SAMPLE / name).accepted)
    raw_names = [column for column in _RAW_SCHEMA if column in accepted.columns]
    mismatches: list[dict[str, Any]] = []
    for row in accepted.iter_rows(named=True):
        expected = {column: row[column] for column in (*NORMALISED_SCHEMA, *LINKAGE_COLUMNS)}
        values = normalised_values({column: row[column] for column in raw_names})
        actual = values | linkage_keys(values)
        if actual != expected:
            mismatches.append({"row": row["record_id"], "actual": actual, "expected": expected})
    assert mismatches == []
