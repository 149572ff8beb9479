"""An evidence request by attributes is never answered when a supplied decisive attribute (family
name, first names, birth date) contradicts the person, however well the rest fits."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regmod.store.access import Role
from tests.api.conftest import KOELN, World
from tests.api.test_evidence_requests import ANNA_ATTRIBUTES, ask, outcomes

_OTHER_FAMILY_NAMES = ["Schmitz", "Yilmaz", "Kowalski", "Becker", "Zimmermann", "Ng"]
_OTHER_FIRST_NAMES = ["Berta", "Kevin", "Olga", "Zoe", "Friedhelm", "Ute"]


def _refused_without_evidence(response: Any) -> None:
    assert response.status_code == 422, response.json()
    problem = response.json()
    assert problem["type"] == "urn:regmod:problem:subject-ambiguous"
    assert "IDNr" in problem["detail"]
    assert "evidence" not in problem


@pytest.mark.parametrize(
    "change",
    [
        {"family_name": "Schmitz"},
        {"first_names": "Berta"},
        {"birth_date": "1999-09-09"},
        {"birth_date": "1957-04-12"},
    ],
)
def test_one_contradicting_attribute_is_refused_and_logged(
    world: World, change: dict[str, str]
) -> None:
    _refused_without_evidence(ask(world, {**ANNA_ATTRIBUTES, **change}))
    assert outcomes(world) == ["ambiguous"]


def test_a_typo_within_the_levels_tolerance_is_still_answered(world: World) -> None:
    response = ask(world, {**ANNA_ATTRIBUTES, "birth_date": "1980-12-04"})  # day and month swapped
    assert response.status_code == 200, response.json()


def _far_years() -> st.SearchStrategy[date]:
    """Birth dates that differ from 1980-04-12 in at least two digits of the year."""
    years = [y for y in range(1901, 1970) if y % 10 != 0]
    return st.builds(date, st.sampled_from(years), st.integers(1, 12), st.integers(1, 28))


_contradiction = st.one_of(
    st.sampled_from(_OTHER_FAMILY_NAMES).map(lambda name: {"family_name": name}),
    st.sampled_from(_OTHER_FIRST_NAMES).map(lambda name: {"first_names": name}),
    _far_years().map(lambda day: {"birth_date": day.isoformat()}),
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(change=_contradiction)
def test_a_contradicting_attribute_never_yields_a_delivery(
    world: World, change: dict[str, str]
) -> None:
    response = ask(world, {**ANNA_ATTRIBUTES, **change})
    assert response.status_code != 200, (change, response.json())


def test_match_flags_the_contradicting_comparison(world: World) -> None:
    response = world.client.post(
        "/v1/match",
        json={"record": {**ANNA_ATTRIBUTES, "first_names": "Berta"}},
        headers=world.headers(KOELN, Role.REGISTER_OFFICE),
    )
    assert response.status_code == 200
    best = response.json()["candidates"][0]
    assert best["contradictions"] == ["first_names"]
    plain = world.client.post(
        "/v1/match",
        json={"record": ANNA_ATTRIBUTES},
        headers=world.headers(KOELN, Role.REGISTER_OFFICE),
    ).json()
    assert plain["candidates"][0]["contradictions"] == []
