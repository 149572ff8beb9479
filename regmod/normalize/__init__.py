"""German normalisation of person records as composable Polars expressions.

``normalise(frame)`` adds every column of ``regmod.record.NORMALISED_SCHEMA``; the expression
builders below compose inside one ``with_columns``. Python runs at most once per distinct value.
One query record is normalised by the scalar twins instead (``regmod.normalize.single``).
"""

from regmod.normalize.address import normalise_postcode, split_house_number, street_search_form
from regmod.normalize.dates import parse_partial_date
from regmod.normalize.frame import normalise
from regmod.normalize.idnr import is_valid_idnr, valid_idnr
from regmod.normalize.information_block import normalise_information_block
from regmod.normalize.names import (
    DOCTORAL_DEGREES,
    split_family_name_field,
    split_generation,
    split_titles,
)
from regmod.normalize.phonetics import cologne_code, koelner_phonetik
from regmod.normalize.problems import problems
from regmod.normalize.sex import normalise_sex
from regmod.normalize.text import has_lost_letter, loose_form, search_form, visible_text

__all__ = [
    "DOCTORAL_DEGREES",
    "cologne_code",
    "has_lost_letter",
    "is_valid_idnr",
    "koelner_phonetik",
    "loose_form",
    "normalise",
    "normalise_information_block",
    "normalise_postcode",
    "normalise_sex",
    "parse_partial_date",
    "problems",
    "search_form",
    "split_family_name_field",
    "split_generation",
    "split_house_number",
    "split_titles",
    "street_search_form",
    "valid_idnr",
    "visible_text",
]
