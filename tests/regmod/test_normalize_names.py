"""Names: titles move to the doctoral degree, geb. gives the birth name, particles, parts, first names."""

from __future__ import annotations

import polars as pl
import pytest

from regmod.normalize import normalise, split_family_name_field, split_titles


@pytest.mark.parametrize(
    ("field", "name", "degree"),
    [
        ("Dr. Müller", "Müller", "Dr."),
        ("Dr. med. Müller", "Müller", "Dr. med."),
        ("Prof. Dr. Müller", "Müller", "Prof. Dr."),
        ("Dr.-Ing. Müller", "Müller", "Dr.-Ing."),
        ("Dr. h.c. Müller", "Müller", "Dr. h.c."),
        ("DR. MED. DENT. Weiß", "Weiß", "DR. MED. DENT."),
        ("Dr.Müller", "Müller", "Dr."),
        ("Müller, Dr.", "Müller", "Dr."),
        ("Drechsler", "Drechsler", None),
        ("Professorius", "Professorius", None),
    ],
)
def test_doctoral_titles_leave_the_name(field: str, name: str, degree: str | None) -> None:
    assert split_titles(field) == (name, degree)


def test_diploma_degrees_leave_the_name_but_are_no_doctoral_degree() -> None:
    assert split_titles("Dipl.-Ing. Schmidt") == ("Schmidt", None)
    assert split_titles("Dipl.-Ing. Dr. Schmidt") == ("Schmidt", "Dr.")


@pytest.mark.parametrize(
    "field",
    ["Schulz geb. Meyer", "Schulz, geb. Meyer", "Schulz (geb. Meyer)", "Schulz geborene Meyer"],
)
def test_birth_name_after_geb_is_split_off(field: str) -> None:
    parts = split_family_name_field(field)
    assert (parts["name"], parts["birth_name"]) == ("Schulz", "Meyer")


def test_names_starting_with_geb_are_no_birth_name_marker() -> None:
    assert split_family_name_field("Gebhardt")["birth_name"] is None


def _normalised(**raw: list[str | None]) -> pl.DataFrame:
    size = len(next(iter(raw.values())))
    frame = pl.DataFrame(
        {"record_id": [str(i) for i in range(size)], **{f"{k}_raw": v for k, v in raw.items()}},
        schema_overrides={f"{k}_raw": pl.String for k in raw},
    )
    return normalise(frame)


def test_title_in_family_or_first_name_field_fills_doctoral_degree() -> None:
    result = _normalised(
        family_name=["Prof. Dr. Meyer", "Meyer", "Meyer", "Meyer"],
        first_names=["Anna", "Dr. Anna", "Anna", "Anna"],
        doctoral_degree=[None, None, "Dr. rer. nat.", "Dipl.-Kfm."],
    )
    assert result["family_name"].to_list() == ["Meyer"] * 4
    assert result["first_names"].to_list() == [["Anna"]] * 4
    assert result["doctoral_degree"].to_list() == ["Prof. Dr.", "Dr.", "Dr. rer. nat.", None]


def test_particles_stay_in_family_name_but_not_in_core() -> None:
    result = _normalised(
        family_name=[
            "von der Heide",
            "van der Berg",
            "de Vries",
            "zu Guttenberg",
            "Le",
            "Schulz von Thun",
        ]
    )
    assert result["family_name_search"].to_list() == [
        "von der heide",
        "van der berg",
        "de vries",
        "zu guttenberg",
        "le",
        "schulz von thun",
    ]
    assert result["family_name_core"].to_list() == [
        "heide",
        "berg",
        "vries",
        "guttenberg",
        "le",
        "schulz thun",
    ]


def test_family_name_with_and_without_particle_share_the_phonetic_code() -> None:
    result = _normalised(family_name=["von Goethe", "Goethe"])
    assert result["family_name_phonetic"].n_unique() == 1


def test_double_barrelled_name_has_its_parts() -> None:
    result = _normalised(family_name=["Meyer-Schulz", "Meyer - Schulz", "Müller"])
    assert result["family_name_search"].to_list() == ["meyer-schulz", "meyer-schulz", "mueller"]
    assert result["family_name_parts"].to_list() == [["meyer", "schulz"]] * 2 + [["mueller"]]


def test_first_names_split_on_spaces_and_hyphenated_names_stay_one() -> None:
    result = _normalised(first_names=["Hans Peter  Josef", "Hans-Adolf Karl", "Jürgen", None])
    assert result["first_names"].to_list() == [
        ["Hans", "Peter", "Josef"],
        ["Hans-Adolf", "Karl"],
        ["Jürgen"],
        None,
    ]
    assert result["first_names_search"].to_list()[2] == ["juergen"]
    assert result["first_name_search"].to_list() == ["hans", "hans-adolf", "juergen", None]
    assert result["first_name_phonetic"].to_list()[0] == "068"


def test_birth_name_comes_from_its_field_or_from_geb_in_the_family_name() -> None:
    result = _normalised(
        family_name=["Schulz geb. Meyer", "Schulz", "Schulz geb. Meyer"],
        birth_name=[None, "geb. Krüger", "Krüger"],
    )
    assert result["family_name"].to_list() == ["Schulz"] * 3
    assert result["birth_name"].to_list() == ["Meyer", "Krüger", "Krüger"]
    assert result["birth_name_search"].to_list() == ["meyer", "krueger", "krueger"]
    assert result["birth_name_phonetic"].to_list() == ["67", "4747", "4747"]


def test_question_mark_in_any_name_field_marks_the_record_damaged() -> None:
    result = _normalised(
        family_name=["Y?lmaz", "Yilmaz", "Yilmaz", "Yilmaz"],
        first_names=["Ali", "Ay?e", "Ali", "Ali"],
        birth_name=[None, None, "\ufffdzt\ufffdrk", None],
    )
    assert result["name_damaged"].to_list() == [True, True, True, False]
    assert result["family_name_search"].to_list()[0] == "y?lmaz"
