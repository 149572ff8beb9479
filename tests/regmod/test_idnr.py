"""IDNr validation: python-stdnum plus the rule that a digit three times is not three in a row."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.de import idnr as stdnum_idnr
from stdnum.iso7064 import mod_11_10

from regmod.normalize import is_valid_idnr, valid_idnr
from regmod.normalize.idnr import idnr_problem, valid_idnr_value


@pytest.mark.parametrize(
    "number",
    [
        "36574261809",
        "36 574 261 809",
        "65929970489",
        "12345678995",  # 9 twice, in a row
        "11234567890",  # 1 twice, in a row
        "11213456783",  # 1 three times, two in a row
        "12131456787",  # 1 three times, none in a row
        "12347658999",  # the check digit is no third 9 in a row
    ],
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
        ("11123456786", "digit repetition rule broken"),  # three in a row, DOMAIN.md
        ("56711192345", "digit repetition rule broken"),  # three in a row inside
        ("45678912228", "digit repetition rule broken"),  # three in a row at digits 8-10
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


def _with_check_digit(base: str) -> str:
    return base + mod_11_10.calc_check_digit(base)


_THREE_TIMES = (
    st.permutations("0123456789")
    .flatmap(lambda digits: st.permutations([*digits[1:8], digits[0], digits[0], digits[0]]))
    .map("".join)
)
"""Ten digits in which one digit occurs three times and seven others once, in any order."""

_DIGIT_STRINGS = st.one_of(
    st.text(alphabet="0123456789", min_size=9, max_size=12),
    st.text(alphabet="0123456789 -/x", max_size=16),
    st.text("0123456789", min_size=10, max_size=10).map(_with_check_digit),
    _THREE_TIMES.map(_with_check_digit),
)


def test_stdnum_alone_accepts_three_in_a_row_so_the_rule_is_added() -> None:
    assert stdnum_idnr.is_valid("11123456786")
    assert not is_valid_idnr("11123456786")
    assert valid_idnr_value("11123456786") is None
    frame = pl.DataFrame({"idnr": ["11123456786", "11213456783"]})
    assert frame.select(valid_idnr(pl.col("idnr")))["idnr"].to_list() == [None, "11213456783"]


@given(_THREE_TIMES)
def test_a_digit_three_times_is_valid_unless_three_in_a_row(first_ten: str) -> None:
    in_a_row = any(str(digit) * 3 in first_ten for digit in range(10))
    assert is_valid_idnr(_with_check_digit(first_ten)) is (not in_a_row and first_ten[0] != "0")


@settings(max_examples=300)
@given(st.lists(_DIGIT_STRINGS, min_size=1, max_size=20))
def test_batch_expression_agrees_with_the_single_value_check(numbers: list[str]) -> None:
    frame = pl.DataFrame({"idnr": numbers}, schema={"idnr": pl.String})
    batch = frame.select(valid_idnr(pl.col("idnr")).is_not_null())["idnr"].to_list()
    assert batch == [is_valid_idnr(number) for number in numbers]
