"""IDNr (Steuer-ID) validation.

``stdnum.de.idnr`` is the authority for single values and the reasons of ``idnr_problems``,
plus one rule it lacks: a digit that occurs three times must not stand in three consecutive
places (``11123456786`` is invalid). The batch expression ``valid_idnr`` checks the same rules
(11 digits, no leading 0, one digit twice or three times in the first ten, not three in a row,
ISO 7064 MOD 11,10 check digit) in native Polars, because IDNrs are nearly all distinct and a
Python call per value would dominate; a test holds the two to the same answers.
"""

from __future__ import annotations

import polars as pl
from stdnum.de import idnr as stdnum_idnr
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError

from regmod.normalize._distinct import map_distinct
from regmod.normalize.text import as_python_pattern

_SEPARATORS = r"[\s\-./,]"
"""Characters a printed IDNr may carry (``36 574 261 809``), as stdnum's ``compact`` strips."""

_IDNR_FORM = r"^[1-9][0-9]{10}$"
_THREE_IN_A_ROW = "|".join(str(digit) * 3 for digit in range(10))
"""A digit in three consecutive places (the regex engine has no back-references)."""
_SEPARATORS_VALUE, _IDNR_FORM_VALUE, _THREE_IN_A_ROW_VALUE = map(
    as_python_pattern, (_SEPARATORS, _IDNR_FORM, _THREE_IN_A_ROW)
)


def _three_in_a_row(number: str) -> bool:
    return _THREE_IN_A_ROW_VALUE.search(number[:10]) is not None


def idnr_problem(text: str) -> str | None:
    """Why ``text`` is no valid IDNr, or None when it is."""
    number = stdnum_idnr.compact(text)
    try:
        stdnum_idnr.validate(number)
    except InvalidLength:
        return f"wrong length ({len(number)} characters, need 11 digits)"
    except InvalidChecksum:
        return "check digit wrong"
    except InvalidFormat:
        if not (number.isascii() and number.isdigit()):
            return "not only digits 0-9"
        if number.startswith("0"):
            return "leading zero"
        return "digit repetition rule broken (one digit twice or three times in the first ten)"
    except ValidationError:
        return "invalid"
    if _three_in_a_row(number):
        return "digit repetition rule broken (a digit three times in consecutive places)"
    return None


def is_valid_idnr(text: str) -> bool:
    """True for a valid IDNr such as ``"36 574 261 809"``."""
    return idnr_problem(text) is None


def valid_idnr_value(text: str | None) -> str | None:
    """``valid_idnr`` of one value, by stdnum."""
    if text is None:
        return None
    number = _SEPARATORS_VALUE.sub("", text)
    valid = (
        _IDNR_FORM_VALUE.search(number) is not None
        and stdnum_idnr.is_valid(number)
        and not _three_in_a_row(number)
    )
    return number if valid else None


def _compact(expr: pl.Expr) -> pl.Expr:
    return expr.str.replace_all(_SEPARATORS, "")


def _repetition_rule_holds(number: pl.Expr) -> pl.Expr:
    first_ten = number.str.slice(0, 10)
    counts = [first_ten.str.count_matches(str(digit), literal=True) for digit in range(10)]
    repeated = pl.sum_horizontal(count > 1 for count in counts)
    three_in_a_row = first_ten.str.contains(_THREE_IN_A_ROW)
    return (repeated == 1) & (pl.max_horizontal(counts) <= 3) & ~three_in_a_row


def _mod_11_10_step(product: pl.Series, digit: pl.Series) -> pl.Series:
    """One ISO 7064 MOD 11,10 step over whole columns; a total of 0 counts as 10."""
    total = (digit + product - 1) % 10 + 1
    return (2 * total) % 11


def _check_digit_holds(number: pl.Expr) -> pl.Expr:
    # A fold over the ten digit columns, not ten nested expressions: Polars plans a chain that
    # deep slowly, and the fold is faster on large batches too (benchmarks/README.md).
    digits = [number.str.slice(position, 1).cast(pl.Int32, strict=False) for position in range(10)]
    product = pl.fold(pl.lit(10, dtype=pl.Int32), _mod_11_10_step, digits, returns_scalar=False)
    return (11 - product) % 10 == number.str.slice(10, 1).cast(pl.Int32, strict=False)


def valid_idnr(expr: pl.Expr) -> pl.Expr:
    """The IDNr as 11 digits when valid, else null (``"36 574 261 809"`` → ``"36574261809"``).

    ``expr`` is a column: the check-digit fold does not broadcast a scalar literal.
    """
    number = _compact(expr)
    valid = (
        number.str.contains(_IDNR_FORM)
        & _repetition_rule_holds(number)
        & _check_digit_holds(number)
    )
    return pl.when(valid).then(number)


def idnr_problems(expr: pl.Expr) -> pl.Expr:
    """Why each non-blank value is no valid IDNr, else null; stdnum sees only invalid values."""
    cleaned = expr.str.strip_chars()
    invalid = pl.when((cleaned != "") & valid_idnr(cleaned).is_null()).then(cleaned)
    return map_distinct(invalid, idnr_problem, pl.String())
