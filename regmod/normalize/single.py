"""One record normalised in plain Python, for online queries that cannot wait for a batch.

On a one-row frame ``normalise`` is dominated by the fixed cost of hundreds of expressions;
``normalised_values`` gives the same values from the scalar twin that sits beside each
expression builder (figures in ``benchmarks/README.md``). A property test holds the two to the
same output, also on text with control and zero-width characters.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from regmod.normalize.address import house_number_value, postcode_value, street_key_value
from regmod.normalize.dates import is_placeholder_date_value, partial_date_value
from regmod.normalize.idnr import valid_idnr_value
from regmod.normalize.information_block import information_block_value
from regmod.normalize.names import (
    clean_birth_name_value,
    doctoral_degree_value,
    family_name_core_value,
    family_name_field_value,
    family_name_parts_value,
    first_names_list_value,
    name_field_value,
)
from regmod.normalize.phonetics import koelner_phonetik_value
from regmod.normalize.sex import sex_value
from regmod.normalize.text import (
    clean_text_value,
    has_lost_letter_value,
    loose_form_value,
    search_form_value,
    visible_text_value,
)
from regmod.record import raw_column


def _first_known(*values: str | None) -> str | None:
    return next((value for value in values if value is not None), None)


def normalised_values(raw: Mapping[str, str | None]) -> dict[str, Any]:
    """Every ``NORMALISED_SCHEMA`` value of one record given as ``{<field>_raw: text}``."""

    def field(name: str) -> str | None:
        return visible_text_value(raw.get(raw_column(name)))

    family = family_name_field_value(field("family_name")) or {}
    first = name_field_value(field("first_names")) or {}
    birth_date = partial_date_value(field("birth_date"))
    birth = birth_date or {}
    death = partial_date_value(field("death_date")) or {}
    house = house_number_value(field("house_number")) or {}
    family_search = search_form_value(family.get("name"))
    core = family_name_core_value(family_search)
    birth_name = _first_known(clean_birth_name_value(field("birth_name")), family.get("birth_name"))
    birth_name_search = search_form_value(birth_name)
    first_names = first_names_list_value(first.get("name"))
    first_names_search = None if first_names is None else list(map(search_form_value, first_names))
    first_name_search = first_names_search[0] if first_names_search else None
    return {
        "idnr": valid_idnr_value(field("idnr")),
        "family_name": family.get("name"),
        "family_name_search": family_search,
        "family_name_core": core,
        "family_name_parts": family_name_parts_value(core),
        "family_name_loose": loose_form_value(core),
        "family_name_phonetic": koelner_phonetik_value(core),
        "birth_name": birth_name,
        "birth_name_search": birth_name_search,
        "birth_name_phonetic": koelner_phonetik_value(birth_name_search),
        "first_names": first_names,
        "first_names_search": first_names_search,
        "first_name_search": first_name_search,
        "first_name_loose": loose_form_value(first_name_search),
        "first_name_phonetic": koelner_phonetik_value(first_name_search),
        "doctoral_degree": _first_known(
            doctoral_degree_value(field("doctoral_degree")),
            family.get("doctoral_degree"),
            first.get("doctoral_degree"),
        ),
        "generation": _first_known(family.get("generation"), first.get("generation")),
        "sex": sex_value(field("sex")),
        "birth_year": birth.get("year"),
        "birth_month": birth.get("month"),
        "birth_day": birth.get("day"),
        "birth_date_placeholder": is_placeholder_date_value(birth_date),
        "birth_place_search": search_form_value(field("birth_place")),
        "nationality": clean_text_value(field("nationality")),
        "street_search": street_key_value(field("street")),
        "house_number": house.get("number"),
        "house_number_suffix": house.get("suffix"),
        "postcode": postcode_value(field("postcode")),
        "city_search": search_form_value(field("city")),
        "death_year": death.get("year"),
        "death_month": death.get("month"),
        "death_day": death.get("day"),
        "information_block": information_block_value(field("information_block")),
        "name_damaged": any(
            has_lost_letter_value(field(name))
            for name in ("family_name", "birth_name", "first_names")
        ),
    }
