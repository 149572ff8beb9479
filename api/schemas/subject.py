"""How a client names a person: by IDNr, or by identifying attributes."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from regmod.errors import InputError
from regmod.evidence import SubjectAttributes, valid_idnr
from regmod.record import PartialDate

PARTIAL_DATE_PATTERN = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
EARLIEST_BIRTH_YEAR = 1800

Text = Annotated[str, Field(min_length=1, max_length=200)]
OptionalText = Annotated[str | None, Field(max_length=200)]


def parse_partial_date(value: str) -> PartialDate:
    """``YYYY-MM-DD`` with ``00`` for an unknown day or month (``1980-04-00``, ``1980-00-00``)."""
    found = PARTIAL_DATE_PATTERN.match(value)
    if found is None:
        raise ValueError("expected YYYY-MM-DD, with 00 for an unknown day or month")
    year, month, day = (int(part) for part in found.groups())
    if month == 0 and day != 0:
        raise ValueError("a day without a month is not a partial date; write YYYY-00-00")
    try:
        partial = PartialDate(year=year, month=month or None, day=day or None)
        partial.as_date()
    except ValueError as error:
        raise ValueError(f"{value} is not a calendar date") from error
    return partial


def check_birth_date(value: str) -> str:
    """``value`` when it is a partial date from ``EARLIEST_BIRTH_YEAR`` on and not in the future."""
    birth = parse_partial_date(value)
    if birth.year < EARLIEST_BIRTH_YEAR:
        raise ValueError(f"a date of birth lies in {EARLIEST_BIRTH_YEAR} or later")
    if date(birth.year, birth.month or 1, birth.day or 1) > date.today():
        raise ValueError("a date of birth cannot lie in the future")
    return value


class Address(BaseModel):
    """A postal address as the citizen gave it."""

    model_config = ConfigDict(extra="forbid")

    street: OptionalText = None
    house_number: Annotated[str | None, Field(max_length=20)] = None
    postcode: Annotated[str | None, Field(pattern=r"^\d{5}$")] = None
    city: OptionalText = None


class SubjectByIdnr(BaseModel):
    """The subject named by IDNr (steuerliche Identifikationsnummer)."""

    model_config = ConfigDict(extra="forbid")

    idnr: str = Field(examples=["36574261809"], max_length=20)

    @field_validator("idnr")
    @classmethod
    def _check_digit(cls, value: str) -> str:
        try:
            return valid_idnr(value)
        except InputError as error:
            raise ValueError(str(error)) from error


class SubjectByAttributes(BaseModel):
    """The subject named by identifying attributes; answered only for one clear candidate."""

    model_config = ConfigDict(extra="forbid")

    family_name: Text
    first_names: Text
    birth_date: str = Field(
        examples=["1980-04-12"],
        pattern=PARTIAL_DATE_PATTERN.pattern,
        description=f"YYYY-MM-DD, 00 for an unknown day or month; from {EARLIEST_BIRTH_YEAR} "
        "on and not in the future",
    )
    birth_place: OptionalText = None
    address: Address | None = None

    @field_validator("birth_date")
    @classmethod
    def _partial_date(cls, value: str) -> str:
        return check_birth_date(value)

    def attributes(self) -> SubjectAttributes:
        """The service-level value of these attributes."""
        address = self.address or Address()
        return SubjectAttributes(
            family_name=self.family_name,
            first_names=self.first_names,
            birth_date=parse_partial_date(self.birth_date),
            birth_place=self.birth_place,
            street=address.street,
            house_number=address.house_number,
            postcode=address.postcode,
            city=address.city,
        )
