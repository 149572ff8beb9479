"""IDNr validation through python-stdnum: length, leading zero, repetition rule, check digit."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.iso7064 import mod_11_10

from regmod.normalize import is_valid_idnr, valid_idnr
from regmod.normalize.idnr import idnr_problem


@pytest.mark.parametrize(
    "number",
    ["36574261809", "36 574 261 809", "65929970489", "12345678995", "11234567890", "11123456786"],
)
def test_valid_numbers_pass_with_or_without_spaces(number: str) -> None:
    assert is_valid_idnr(number)


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("3657426180", "wrong length (10 characters, need 11 digits)"),
        ("365742618090", "wrong length (12 characters, need 11 digits)"),
        ("3657426180X", "not only digits"),
        ("01234567896", "leading zero"),
        ("12345678903", "digit repetition rule broken"),  # no digit repeated
        ("11223456785", "digit repetition rule broken"),  # two digits repeated
        ("11112345678", "digit repetition rule broken"),  # one digit four times
        ("36574261808", "check digit wrong"),
    ],
)
def test_invalid_numbers_name_the_broken_rule(number: str, reason: str) -> None:
    assert not is_valid_idnr(number)
    assert (idnr_problem(number) or "").startswith(reason)


def test_expression_keeps_valid_numbers_compact_and_nulls_the_rest() -> None:
    raw = pl.DataFrame({"idnr": ["36 574 261 809", "36574261808", None, ""]})
    assert raw.select(valid_idnr(pl.col("idnr"))).to_series().to_list() == [
        "36574261809",
        None,
        None,
        None,
    ]


_DIGIT_STRINGS = st.one_of(
    st.text(alphabet="0123456789", min_size=9, max_size=12),
    st.text(alphabet="0123456789 -/x", max_size=16),
    st.builds(
        lambda base: base + mod_11_10.calc_check_digit(base),
        st.text("0123456789", min_size=10, max_size=10),
    ),
)


@settings(max_examples=300)
@given(st.lists(_DIGIT_STRINGS, min_size=1, max_size=20))
def test_batch_expression_agrees_with_stdnum(numbers: list[str]) -> None:
    frame = pl.DataFrame({"idnr": numbers}, schema={"idnr": pl.String})
    batch = frame.select(valid_idnr(pl.col("idnr")).is_not_null())["idnr"].to_list()
    assert batch == [is_valid_idnr(number) for number in numbers]
