"""Evidence documents assembled from a person's base data: only the fields the evidence type needs.

>>> row = {"idnr": "36574261809", "family_name": "Müller", "first_names": "Anna",
...        "birth_year": 1980, "birth_month": 4, "birth_day": None, "death_year": None}
>>> assemble(EvidenceType.PROOF_OF_RESIDENCE, row)["birth_date"]
'1980-04-00'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from regmod.evidence.model import EvidenceType

EVIDENCE_FIELDS: dict[EvidenceType, tuple[str, ...]] = {
    EvidenceType.PROOF_OF_RESIDENCE: (
        "idnr",
        "family_name",
        "first_names",
        "doctoral_degree",
        "birth_date",
        "birth_place",
        "address",
        "deceased",
        "death_date",
    ),
    EvidenceType.CIVIL_STATUS_BASE_DATA: (
        "idnr",
        "family_name",
        "birth_name",
        "first_names",
        "doctoral_degree",
        "sex",
        "birth_date",
        "birth_place",
        "nationality",
        "deceased",
        "death_date",
    ),
}
"""The fields each evidence type discloses (data minimisation: nothing beyond the purpose)."""


def partial_date_text(year: Any, month: Any, day: Any) -> str | None:
    """``YYYY-MM-DD`` with ``00`` for an unknown month or day, as registers write partial dates."""
    if year is None:
        return None
    return f"{int(year):04d}-{int(month or 0):02d}-{int(day or 0):02d}"


def is_deceased(person: Mapping[str, Any]) -> bool:
    """True when the base data hold a (possibly partial) date of death."""
    return person.get("death_year") is not None


def _address(person: Mapping[str, Any]) -> dict[str, str | None]:
    return {
        "street": person.get("street"),
        "house_number": person.get("house_number"),
        "postcode": person.get("postcode"),
        "city": person.get("city"),
    }


def _all_fields(person: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "idnr": person.get("idnr"),
        "family_name": person.get("family_name"),
        "birth_name": person.get("birth_name"),
        "first_names": person.get("first_names"),
        "doctoral_degree": person.get("doctoral_degree"),
        "sex": person.get("sex"),
        "birth_date": partial_date_text(
            person.get("birth_year"), person.get("birth_month"), person.get("birth_day")
        ),
        "birth_place": person.get("birth_place"),
        "nationality": person.get("nationality"),
        "address": _address(person),
        "deceased": is_deceased(person),
        "death_date": partial_date_text(
            person.get("death_year"), person.get("death_month"), person.get("death_day")
        ),
    }


def assemble(evidence_type: EvidenceType, person: Mapping[str, Any]) -> dict[str, Any]:
    """The evidence document of ``evidence_type`` for one row of the ``persons`` table."""
    values = _all_fields(person)
    return {name: values[name] for name in EVIDENCE_FIELDS[evidence_type]}
