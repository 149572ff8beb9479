"""Names: degrees move out, geb. gives the birth name, jun./sen., particles, parts, first names."""

from __future__ import annotations

import polars as pl
import pytest

from regmod.normalize import (
    DOCTORAL_DEGREES,
    normalise,
    split_family_name_field,
    split_generation,
    split_titles,
)


@pytest.mark.parametrize(
    ("field", "name", "degree"),
    [
        ("Dr. Müller", "Müller", "Dr."),
        ("Dr. med. Müller", "Müller", "Dr."),
        ("Prof. Dr. Müller", "Müller", "Dr."),
        ("Prof. Müller", "Müller", None),
        ("Professorin Müller", "Müller", None),
        ("Dr.-Ing. Müller", "Müller", "Dr."),
        ("Dr. h.c. Müller", "Müller", "Dr. h.c."),
        ("Dr. h. c. mult. Müller", "Müller", "Dr. h.c."),
        ("Dr.-Ing. E.h. Müller", "Müller", "Dr. e.h."),
        ("Dr. e. h. Müller", "Müller", "Dr. e.h."),
        ("Dr. med. Dr. h.c. Müller", "Müller", "Dr."),
        ("Dres. Müller", "Müller", "Dr."),
        ("DR. MED. DENT. Weiß", "Weiß", "Dr."),
        ("Dr.Müller", "Müller", "Dr."),
        ("Müller, Dr.", "Müller", "Dr."),
        ("Müller, Prof. Dr. rer. nat.", "Müller", "Dr."),
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
        family_name=["Prof. Dr. Meyer", "Meyer", "Meyer", "Meyer", "Prof. Meyer"],
        first_names=["Anna", "Dr. Anna", "Anna", "Anna", "Anna"],
        doctoral_degree=[None, None, "Dr. rer. nat.", "Dipl.-Kfm.", None],
    )
    assert result["family_name"].to_list() == ["Meyer"] * 5
    assert result["family_name_search"].to_list() == ["MEYER"] * 5
    assert result["first_names"].to_list() == [["Anna"]] * 5
    assert result["doctoral_degree"].to_list() == ["Dr.", "Dr.", "Dr.", None, None]


@pytest.mark.parametrize(
    ("field", "degree"),
    [
        ("Dr.", "Dr."),
        ("Dr. med", "Dr."),
        ("dr rer nat", "Dr."),
        ("Prof. Dr.-Ing.", "Dr."),
        ("Dr. h.c.", "Dr. h.c."),
        ("Dr. h. c", "Dr. h.c."),
        ("Dr.-Ing. E. h.", "Dr. e.h."),
        ("Prof.", None),
        ("Dipl.-Ing.", None),
        ("Magister", None),
    ],
)
def test_doctoral_degree_field_holds_only_the_three_degrees(field: str, degree: str | None) -> None:
    result = _normalised(family_name=["Meyer"], doctoral_degree=[field])
    assert result["doctoral_degree"].to_list() == [degree]
    assert degree is None or degree in DOCTORAL_DEGREES


@pytest.mark.parametrize(
    ("field", "name", "generation"),
    [
        ("Hans jun.", "Hans", "jr"),
        ("Müller Jr.", "Müller", "jr"),
        ("Müller Jr", "Müller", "jr"),
        ("Müller, junior", "Müller", "jr"),
        ("Müller sen.", "Müller", "sr"),
        ("Müller Sen.", "Müller", "sr"),
        ("Müller Sr.", "Müller", "sr"),
        ("Hans sen. Peter", "Hans Peter", "sr"),
        ("Şen", "Şen", None),
        ("Ali Sen", "Ali Sen", None),
        ("Jun Li", "Jun Li", None),
        ("Junior", "Junior", None),
    ],
)
def test_generation_marker_leaves_the_name(field: str, name: str, generation: str | None) -> None:
    assert split_generation(field) == (name, generation)


def test_generation_is_its_own_column_and_no_part_of_the_search_form() -> None:
    result = _normalised(
        family_name=["Dr. Müller jun.", "Müller", "Müller, sen.", "Müller"],
        first_names=["Hans", "Hans jun.", "Hans", "Hans"],
    )
    assert result["family_name_search"].to_list() == ["MUELLER"] * 4
    assert result["first_name_search"].to_list() == ["HANS"] * 4
    assert result["generation"].to_list() == ["jr", "jr", "sr", None]
    assert result["doctoral_degree"].to_list() == ["Dr.", None, None, None]


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
        "VON DER HEIDE",
        "VAN DER BERG",
        "DE VRIES",
        "ZU GUTTENBERG",
        "LE",
        "SCHULZ VON THUN",
    ]
    assert result["family_name_core"].to_list() == [
        "HEIDE",
        "BERG",
        "VRIES",
        "GUTTENBERG",
        "LE",
        "SCHULZ THUN",
    ]


def test_family_name_with_and_without_particle_share_the_phonetic_code() -> None:
    result = _normalised(family_name=["von Goethe", "Goethe"])
    assert result["family_name_phonetic"].n_unique() == 1


def test_double_barrelled_name_has_its_parts() -> None:
    result = _normalised(family_name=["Meyer-Schulz", "Meyer - Schulz", "Müller"])
    assert result["family_name_search"].to_list() == ["MEYER-SCHULZ", "MEYER-SCHULZ", "MUELLER"]
    assert result["family_name_parts"].to_list() == [["MEYER", "SCHULZ"]] * 2 + [["MUELLER"]]


def test_loose_family_and_first_names_meet_without_umlaut_dots() -> None:
    result = _normalised(
        family_name=["von Müller", "Muller", "Mueller", "Möller"],
        first_names=["Jürgen", "Jurgen", "Juergen", "Jörg"],
    )
    assert result["family_name_loose"].to_list() == ["MULLER", "MULLER", "MULLER", "MOLLER"]
    assert result["first_name_loose"].to_list() == ["JURGEN", "JURGEN", "JURGEN", "JORG"]
    assert result["family_name_search"].to_list()[:2] == ["VON MUELLER", "MULLER"]


def test_first_names_split_on_spaces_and_hyphenated_names_stay_one() -> None:
    result = _normalised(first_names=["Hans Peter  Josef", "Hans-Adolf Karl", "Jürgen", None])
    assert result["first_names"].to_list() == [
        ["Hans", "Peter", "Josef"],
        ["Hans-Adolf", "Karl"],
        ["Jürgen"],
        None,
    ]
    assert result["first_names_search"].to_list()[2] == ["JUERGEN"]
    assert result["first_name_search"].to_list() == ["HANS", "HANS-ADOLF", "JUERGEN", None]
    assert result["first_name_phonetic"].to_list()[0] == "068"


def test_birth_name_comes_from_its_field_or_from_geb_in_the_family_name() -> None:
    result = _normalised(
        family_name=["Schulz geb. Meyer", "Schulz", "Schulz geb. Meyer"],
        birth_name=[None, "geb. Krüger", "Krüger"],
    )
    assert result["family_name"].to_list() == ["Schulz"] * 3
    assert result["birth_name"].to_list() == ["Meyer", "Krüger", "Krüger"]
    assert result["birth_name_search"].to_list() == ["MEYER", "KRUEGER", "KRUEGER"]
    assert result["birth_name_phonetic"].to_list() == ["67", "4747", "4747"]


def test_question_mark_in_any_name_field_marks_the_record_damaged() -> None:
    result = _normalised(
        family_name=["Y?lmaz", "Yilmaz", "Yilmaz", "Yilmaz"],
        first_names=["Ali", "Ay?e", "Ali", "Ali"],
        birth_name=[None, None, "\ufffdzt\ufffdrk", None],
    )
    assert result["name_damaged"].to_list() == [True, True, True, False]
    assert result["family_name_search"].to_list()[0] == "Y?LMAZ"


def test_phonetic_codes_come_from_the_search_form() -> None:
    result = _normalised(family_name=["Łukasz", "Lukasz", "Þorsen"], first_names=["Łucja"] * 3)
    assert result["family_name_phonetic"].to_list() == ["548", "548", "2786"]
    assert result["first_name_phonetic"].to_list() == ["58"] * 3


def test_invisible_characters_leave_the_name_but_stay_in_the_raw_value() -> None:
    raw = ["Mü\u200bller", "\x1b[31mMüller\x1b[0m", "Mül\x00ler"]
    result = _normalised(family_name=raw, first_names=["Hans\u200b"] * 3)
    assert result["family_name"].to_list() == ["Müller"] * 3
    assert result["family_name_search"].to_list() == ["MUELLER"] * 3
    assert result["first_names"].to_list() == [["Hans"]] * 3
    assert result["family_name_raw"].to_list() == raw
