"""``/v1/evidence-requests``: each outcome, each refusal, and that every outcome is logged."""

from __future__ import annotations

from typing import Any

from regmod.store.access import Role
from tests.api.conftest import (
    ANNA,
    BLOCKED,
    DECEASED,
    KOELN,
    LEGAL_BASIS,
    MUENCHEN,
    MUNICH_RESIDENT,
    PURPOSE,
    World,
)

PROBLEM = "application/problem+json"


def ask(world: World, subject: dict[str, Any], tenant: str = KOELN, **changes: Any) -> Any:
    body = {
        "evidence_type": "proof_of_residence",
        "legal_basis": LEGAL_BASIS,
        "purpose": PURPOSE,
        "subject": subject,
        **changes,
    }
    return world.client.post(
        "/v1/evidence-requests", json=body, headers=world.headers(tenant, Role.ONLINE_SERVICE)
    )


def outcomes(world: World, tenant: str = KOELN) -> list[str]:
    """Outcomes of the tenant's audited evidence transfers, in order."""
    response = world.client.get("/v1/audit/entries", headers=world.headers(tenant, Role.AUDITOR))
    return [
        item["payload"]["outcome"]
        for item in response.json()["items"]
        if item["kind"] == "evidence_transfer"
    ]


ANNA_ATTRIBUTES = {
    "family_name": "Mueller",
    "first_names": "Anna",
    "birth_date": "1980-04-12",
    "birth_place": "Köln",
    "address": {"street": "Hauptstr.", "house_number": "12a", "postcode": "50667"},
}


def test_proof_of_residence_by_idnr_is_delivered_and_logged(world: World) -> None:
    response = ask(world, {"idnr": ANNA})
    assert response.status_code == 200
    answer = response.json()
    assert answer["status"] == "delivered"
    assert answer["evidence"]["family_name"] == "Müller"
    assert answer["evidence"]["address"]["postcode"] == "50667"
    assert answer["deceased"] is False
    assert "sex" not in answer["evidence"]  # only what the evidence type discloses
    assert outcomes(world) == ["delivered"]


def test_idnr_with_spaces_as_printed_is_accepted(world: World) -> None:
    printed = f"{ANNA[:2]} {ANNA[2:5]} {ANNA[5:8]} {ANNA[8:]}"
    assert ask(world, {"idnr": printed}).json()["evidence"]["idnr"] == ANNA


def test_wrong_check_digit_is_a_validation_problem_and_not_logged(world: World) -> None:
    wrong = ANNA[:-1] + str((int(ANNA[-1]) + 1) % 10)
    response = ask(world, {"idnr": wrong})
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "urn:regmod:problem:validation-error"
    assert outcomes(world) == []


def test_purpose_outside_the_entitlement_is_refused_and_logged(world: World) -> None:
    response = ask(world, {"idnr": ANNA}, purpose="Werbung")
    assert response.status_code == 403
    problem = response.json()
    assert problem["type"] == "urn:regmod:problem:not-entitled"
    assert problem["outcome"] == "refused" and problem["request_id"]
    assert outcomes(world) == ["refused"]


def test_evidence_type_not_granted_is_refused(world: World) -> None:
    response = ask(world, {"idnr": ANNA}, evidence_type="civil_status_base_data")
    assert response.json()["type"] == "urn:regmod:problem:not-entitled"


def test_person_of_another_tenant_is_not_found(world: World) -> None:
    response = ask(world, {"idnr": MUNICH_RESIDENT})
    assert response.status_code == 404
    assert response.json()["type"] == "urn:regmod:problem:subject-not-found"
    assert outcomes(world) == ["refused"]
    assert outcomes(world, MUENCHEN) == []


def test_a_blocked_person_is_answered_exactly_as_one_not_found(world: World) -> None:
    blocked = ask(world, {"idnr": BLOCKED})
    unknown = ask(world, {"idnr": "38274906562"})  # valid, but nobody holds it
    assert blocked.status_code == unknown.status_code == 404
    assert blocked.headers["content-type"] == unknown.headers["content-type"]
    strip = {"request_id", "instance"}
    assert {k: v for k, v in blocked.json().items() if k not in strip} == {
        k: v for k, v in unknown.json().items() if k not in strip
    }
    entries = world.client.get(
        "/v1/audit/entries", headers=world.headers(KOELN, Role.AUDITOR)
    ).json()["items"]
    outcomes_logged = [e["payload"]["outcome"] for e in entries if e["kind"] == "evidence_transfer"]
    assert outcomes_logged == ["blocked", "refused"]  # the clerk still sees the block


def test_deceased_person_is_marked(world: World) -> None:
    answer = ask(world, {"idnr": DECEASED}).json()
    assert answer["deceased"] is True
    assert answer["evidence"]["death_date"] == "2020-00-00"
    assert answer["evidence"]["birth_date"] == "1931-03-00"


def test_subject_by_attributes_is_answered_for_one_clear_candidate(world: World) -> None:
    response = ask(world, ANNA_ATTRIBUTES)
    assert response.status_code == 200, response.json()
    assert response.json()["evidence"]["idnr"] == ANNA


def test_two_equally_good_candidates_are_refused_asking_for_the_idnr(world: World) -> None:
    twins = {"family_name": "Schmidt", "first_names": "Maria", "birth_date": "1990-05-05"}
    response = ask(world, twins)
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == "urn:regmod:problem:subject-ambiguous"
    assert "IDNr" in problem["detail"]
    assert problem["candidates_considered"] == 2
    assert outcomes(world) == ["ambiguous"]


def test_unknown_subject_by_attributes_is_not_found(world: World) -> None:
    nobody = {"family_name": "Zyx", "first_names": "Qwert", "birth_date": "2001-01-01"}
    response = ask(world, nobody)
    assert response.json()["type"] == "urn:regmod:problem:subject-not-found"


def test_preview_returns_a_token_and_confirm_releases_the_evidence_once(world: World) -> None:
    preview = ask(world, {"idnr": ANNA}, preview=True).json()
    assert preview["status"] == "preview" and "evidence" not in preview
    assert "address" in preview["preview_fields"]
    url = f"/v1/evidence-requests/{preview['request_id']}/confirm"
    headers = world.headers(KOELN, Role.ONLINE_SERVICE)
    body = {"preview_token": preview["preview_token"]}
    confirmed = world.client.post(url, json=body, headers=headers)
    assert confirmed.status_code == 200
    assert confirmed.json()["evidence"]["idnr"] == ANNA
    assert confirmed.json()["request_id"] == preview["request_id"]
    again = world.client.post(url, json=body, headers=headers)
    assert again.status_code == 409
    assert again.json()["type"] == "urn:regmod:problem:preview-invalid"
    assert outcomes(world) == ["preview", "delivered"]


def test_preview_with_a_wrong_token_is_not_released(world: World) -> None:
    preview = ask(world, {"idnr": ANNA}, preview=True).json()
    url = f"/v1/evidence-requests/{preview['request_id']}/confirm"
    response = world.client.post(
        url,
        json={"preview_token": "9999999999.00"},
        headers=world.headers(KOELN, Role.ONLINE_SERVICE),
    )
    assert response.status_code == 409
    assert outcomes(world) == ["preview"]


def test_another_tenant_cannot_confirm_a_preview(world: World) -> None:
    preview = ask(world, {"idnr": ANNA}, preview=True).json()
    response = world.client.post(
        f"/v1/evidence-requests/{preview['request_id']}/confirm",
        json={"preview_token": preview["preview_token"]},
        headers=world.headers(MUENCHEN, Role.ONLINE_SERVICE),
    )
    assert response.status_code == 404


def test_unknown_fields_and_bad_partial_dates_are_rejected(world: World) -> None:
    assert ask(world, {"idnr": ANNA}, colour="blue").status_code == 422
    bad = {**ANNA_ATTRIBUTES, "birth_date": "1980-00-12"}
    assert ask(world, bad).status_code == 422
