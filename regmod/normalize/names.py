"""Names: titles out of name fields, birth names after ``geb.``, particles, parts, first names.

The doctoral degree (Doktorgrad) is one of ``DOCTORAL_DEGREES``: a faculty (``Dr. med.``,
``Dr.-Ing.``) reduces to ``Dr.``, honorary doctorates to ``Dr. h.c.`` or ``Dr. e.h.``. ``Prof.``
and diploma degrees (``Dipl.-Ing.``) are neither a degree nor part of a name: they are removed
from name fields and dropped. Titles are recognised at the start of a field and after a comma at
its end (``Müller, Dr.``). ``jun.``/``Jr.``/``sen.``/``Sen.`` after a name mark parent and child
with the same name: they leave the name and become the ``generation`` (``jr`` or ``sr``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import polars as pl

from regmod.normalize._distinct import per_distinct
from regmod.normalize.text import as_python_pattern, clean_text, clean_text_value, strip_value

DOCTORAL_DEGREES: tuple[str, ...] = ("Dr.", "Dr. h.c.", "Dr. e.h.")
"""Values of the doctoral degree, earned first: of several titles the first listed here is kept."""

_HONORIS_CAUSA = r"h\.\s*c\.?"
_EHRENHALBER = r"e\.\s*h\.?"
_FACULTY = r"med|dent|vet|rer|nat|pol|phil|jur|iur|oec|theol|habil|sc|soc|paed|agr|ing|publ|math"
_DOCTOR_SPECIALITY = rf"(?:(?:{_FACULTY}|mult)\.|{_HONORIS_CAUSA}|{_EHRENHALBER})"
_DOCTOR = rf"(?:dres\.|dr\.?(?:\s*-\s*ing\.)?(?:\s*{_DOCTOR_SPECIALITY})*)"
_PROFESSOR = r"prof(?:essor(?:in)?)?\.?"
_DIPLOMA_TITLE = r"dipl\.?\s*-\s*[a-zäöü]+\.?"
_TITLE = rf"(?:{_DOCTOR}|{_PROFESSOR}|{_DIPLOMA_TITLE})"
_TITLE_END = r"(?:(?<=\.)|(?=[\s,]|$))"
_LEADING_TITLES = re.compile(rf"^(?:{_TITLE}{_TITLE_END}[\s,]*)+", re.IGNORECASE)
_TRAILING_TITLES = re.compile(rf",\s*(?:{_TITLE}{_TITLE_END}\s*)+$", re.IGNORECASE)
_ONE_TITLE = re.compile(rf"\b{_TITLE}{_TITLE_END}", re.IGNORECASE)
_ONE_DOCTOR = re.compile(_DOCTOR, re.IGNORECASE)
_HONORARY = (
    (re.compile(rf"\b{_HONORIS_CAUSA}", re.IGNORECASE), "Dr. h.c."),
    (re.compile(rf"\b{_EHRENHALBER}", re.IGNORECASE), "Dr. e.h."),
)
_GENERATION = re.compile(
    r"[\s,]+(?:(jr\.?|jun\.|junior)|sr\.?|sen\.|senior)(?=[\s,]|$)", re.IGNORECASE
)
"""A generation marker after a name; ``Jun`` and ``Sen`` without a period are names."""
_BIRTH_NAME = re.compile(
    r"[\s,]*\(?\s*\bgeb(?:\.|oren(?:e|er)?\b)\s*(.*?)\s*\)?\s*$", re.IGNORECASE
)
_LEADING_BIRTH_MARKER = r"(?i)^geb(?:\.|oren(?:e|er)?\b)\s*"

NAME_PARTICLES: tuple[str, ...] = (
    "VON",
    "VOM",
    "VON DER",
    "ZU",
    "ZUM",
    "ZUR",
    "VAN",
    "VAN DER",
    "VAN DEN",
    "DE",
    "DER",
    "DEN",
    "DEL",
    "DELLA",
    "DI",
    "DA",
    "DU",
    "DOS",
    "DAS",
    "LE",
    "LA",
    "TEN",
    "TER",
    "OP",
    "TE",
)
"""Particles of family names, in search form; multi-word ones are covered word by word."""

_PARTICLE_WORDS = sorted({word for particle in NAME_PARTICLES for word in particle.split()})
_PARTICLE_BEFORE_NAME = rf"\b(?:{'|'.join(_PARTICLE_WORDS)}) +"
_PARTICLES_BEFORE_NAME = re.compile(_PARTICLE_BEFORE_NAME)
_LEADING_BIRTH_MARKER_VALUE = as_python_pattern(_LEADING_BIRTH_MARKER)
_FIRST_NAME_HYPHEN = r"\s*-\s*"
_FIRST_NAME_SEPARATORS = r"[\s,]+"
_FIRST_NAME_HYPHEN_VALUE = as_python_pattern(_FIRST_NAME_HYPHEN)
_FIRST_NAME_SEPARATORS_VALUE = as_python_pattern(_FIRST_NAME_SEPARATORS)

NAME_FIELD = pl.Struct(
    {"name": pl.String(), "doctoral_degree": pl.String(), "generation": pl.String()}
)
FAMILY_NAME_FIELD = pl.Struct(
    {
        "name": pl.String(),
        "doctoral_degree": pl.String(),
        "generation": pl.String(),
        "birth_name": pl.String(),
    }
)


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" ,")


def _doctoral_degree_of(title: str) -> str | None:
    """``Dr.``, ``Dr. h.c.`` or ``Dr. e.h.`` for one doctoral title; None for any other title."""
    if not _ONE_DOCTOR.match(title):
        return None
    return next((degree for pattern, degree in _HONORARY if pattern.search(title)), "Dr.")


def _degree_of(titles: str) -> str | None:
    """The doctoral degree among the titles in ``titles``; professor and diploma titles dropped."""
    found = {_doctoral_degree_of(match.group()) for match in _ONE_TITLE.finditer(titles)}
    return next((degree for degree in DOCTORAL_DEGREES if degree in found), None)


def split_titles(text: str) -> tuple[str | None, str | None]:
    """Split a name field into (name without titles, doctoral degree).

    >>> split_titles("Prof. Dr. med. Müller")
    ('Müller', 'Dr.')
    """
    titles = []
    rest = text
    for pattern in (_LEADING_TITLES, _TRAILING_TITLES):
        match = pattern.search(rest)
        if match:
            titles.append(match.group())
            rest = rest[: match.start()] + " " + rest[match.end() :]
    return _collapse(rest) or None, _degree_of(" ".join(titles))


def split_generation(text: str) -> tuple[str, str | None]:
    """Split a generation marker off a name field: (field without it, ``jr``, ``sr`` or None).

    >>> split_generation("Hans Müller jun.")
    ('Hans Müller', 'jr')
    """
    match = _GENERATION.search(text)
    if match is None:
        return text, None
    return _GENERATION.sub("", text), "jr" if match.group(1) else "sr"


def split_family_name_field(text: str) -> dict[str, str | None]:
    """Family-name field into name, doctoral degree, generation and a birth name after ``geb.``.

    >>> split_family_name_field("Dr. Schulz geb. Meyer")["birth_name"]
    'Meyer'
    """
    text, generation = split_generation(text)
    birth_name = None
    match = _BIRTH_NAME.search(text)
    if match:
        birth_name = _collapse(match.group(1)) or None
        text = text[: match.start()]
    name, degree = split_titles(text)
    return {
        "name": name,
        "doctoral_degree": degree,
        "generation": generation,
        "birth_name": birth_name,
    }


def _name_and_degree(text: str) -> dict[str, str | None]:
    text, generation = split_generation(text)
    name, degree = split_titles(text)
    return {"name": name, "doctoral_degree": degree, "generation": generation}


def _map_cleaned(
    expr: pl.Expr, function: Callable[[str], object], return_dtype: pl.DataType
) -> pl.Expr:
    """Clean each distinct raw value, then call ``function`` on it unless it is blank."""

    def transform(distinct: pl.Series) -> pl.Series:
        cleaned = distinct.to_frame("raw").select(clean_text(pl.col("raw"))).to_series()
        results = [None if text is None else function(text) for text in cleaned.to_list()]
        return pl.Series(results, dtype=return_dtype)

    return per_distinct(expr, transform, return_dtype)


def family_name_field(expr: pl.Expr) -> pl.Expr:
    """Struct{name, doctoral_degree, generation, birth_name} of a raw family-name field."""
    return _map_cleaned(expr, split_family_name_field, FAMILY_NAME_FIELD)


def family_name_field_value(text: str | None) -> dict[str, str | None] | None:
    """``family_name_field`` of one value."""
    cleaned = clean_text_value(text)
    return None if cleaned is None else split_family_name_field(cleaned)


def name_field(expr: pl.Expr) -> pl.Expr:
    """Struct{name, doctoral_degree, generation} of a raw name field (first names)."""
    return _map_cleaned(expr, _name_and_degree, NAME_FIELD)


def name_field_value(text: str | None) -> dict[str, str | None] | None:
    """``name_field`` of one value."""
    cleaned = clean_text_value(text)
    return None if cleaned is None else _name_and_degree(cleaned)


def clean_birth_name(expr: pl.Expr) -> pl.Expr:
    """Birth-name field cleaned; a leading ``geb.`` marker is dropped."""
    return clean_text(clean_text(expr).str.replace(_LEADING_BIRTH_MARKER, ""))


def clean_birth_name_value(text: str | None) -> str | None:
    """``clean_birth_name`` of one value."""
    cleaned = clean_text_value(text)
    if cleaned is None:
        return None
    return clean_text_value(_LEADING_BIRTH_MARKER_VALUE.sub("", cleaned, count=1))


def doctoral_degree(expr: pl.Expr) -> pl.Expr:
    """One of ``DOCTORAL_DEGREES`` from a title field, else null (``Prof. Dr. med.`` → ``Dr.``).

    Titles are found anywhere in the field; text that holds no doctoral title gives null.
    """
    return _map_cleaned(expr, _degree_of, pl.String())


def doctoral_degree_value(text: str | None) -> str | None:
    """``doctoral_degree`` of one value."""
    cleaned = clean_text_value(text)
    return None if cleaned is None else _degree_of(cleaned)


def family_name_core(search: pl.Expr) -> pl.Expr:
    """Search form without particles (``VON DER HEIDE`` → ``HEIDE``); a lone particle stays."""
    core = search.str.replace_all(_PARTICLE_BEFORE_NAME, "").str.strip_chars(" -")
    return pl.when(core != "").then(core).otherwise(search)


def family_name_core_value(search: str | None) -> str | None:
    """``family_name_core`` of one value."""
    if search is None:
        return None
    return _PARTICLES_BEFORE_NAME.sub("", search).strip(" -") or search


def family_name_parts(core: pl.Expr) -> pl.Expr:
    """Parts of a double-barrelled name: ``MEYER-SCHULZ`` → ``[MEYER, SCHULZ]``."""
    return core.str.replace_all(" ", "-", literal=True).str.split("-")


def family_name_parts_value(core: str | None) -> list[str] | None:
    """``family_name_parts`` of one value."""
    return None if core is None else core.replace(" ", "-").split("-")


def first_names_list(cleaned: pl.Expr) -> pl.Expr:
    """Several first names split on spaces and commas; ``Hans-Adolf`` stays one name."""
    joined = (
        cleaned.str.replace_all(_FIRST_NAME_HYPHEN, "-")
        .str.replace_all(_FIRST_NAME_SEPARATORS, " ")
        .str.strip_chars()
    )
    return joined.str.split(" ").list.eval(pl.element().filter(pl.element() != ""))


def first_names_list_value(cleaned: str | None) -> list[str] | None:
    """``first_names_list`` of one value."""
    if cleaned is None:
        return None
    joined = _FIRST_NAME_SEPARATORS_VALUE.sub(" ", _FIRST_NAME_HYPHEN_VALUE.sub("-", cleaned))
    return [name for name in strip_value(joined).split(" ") if name != ""]
