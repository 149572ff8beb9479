"""Every role × tenant × endpoint: allowed, or 401/403/404 — and never another tenant's data."""

from __future__ import annotations

from typing import Any

from regmod.store.access import Role
from tests.api.conftest import ANNA, KOELN, MUENCHEN, MUNICH_RESIDENT, World
from tests.api.test_evidence_requests import ANNA_ATTRIBUTES

EVIDENCE = {
    "evidence_type": "proof_of_residence",
    "legal_basis": "§ 18 BMG",
    "purpose": "Anwohnerparkausweis",
    "subject": {"idnr": ANNA},
}

# method, path, body, the one role (or roles) allowed
ENDPOINTS: list[tuple[str, str, Any, set[Role]]] = [
    ("POST", "/v1/evidence-requests", EVIDENCE, {Role.ONLINE_SERVICE}),
    ("POST", "/v1/evidence-requests/x/confirm", {"preview_token": "1.a"}, {Role.ONLINE_SERVICE}),
    ("POST", "/v1/match", {"record": ANNA_ATTRIBUTES}, {Role.REGISTER_OFFICE}),
    ("GET", "/v1/cockpit/transfers", None, {Role.CITIZEN}),
    ("GET", "/v1/audit/entries", None, {Role.AUDITOR}),
    ("GET", "/v1/audit/verify", None, {Role.AUDITOR}),
    ("GET", "/v1/review", None, {Role.REGISTER_OFFICE}),
    ("POST", "/v1/review/999/decision", {"accept": True, "reason": "r"}, {Role.REGISTER_OFFICE}),
    ("GET", "/v1/reconciliations/none", None, {Role.REGISTER_OFFICE}),
    ("GET", "/v1/stats", None, {Role.AUDITOR}),
]

FOREIGN = {KOELN: (MUNICH_RESIDENT, "München"), MUENCHEN: (ANNA, "Köln")}


def call(world: World, method: str, path: str, body: Any, headers: dict[str, str]) -> Any:
    return world.client.request(method, path, json=body, headers=headers)


def test_every_role_of_every_tenant_gets_only_what_it_may(world: World) -> None:
    # every tenant has some history, so a leak would have something to show
    for tenant in (KOELN, MUENCHEN):
        idnr = ANNA if tenant == KOELN else MUNICH_RESIDENT
        body = {**EVIDENCE, "subject": {"idnr": idnr}}
        headers = world.headers(tenant, Role.ONLINE_SERVICE)
        assert call(world, "POST", "/v1/evidence-requests", body, headers).status_code == 200
    for method, path, body, allowed in ENDPOINTS:
        assert call(world, method, path, body, {}).status_code == 401, path
        for tenant in (KOELN, MUENCHEN):
            foreign_idnr, foreign_name = FOREIGN[tenant]
            for role in Role:
                response = call(world, method, path, body, world.headers(tenant, role))
                if role not in allowed:
                    assert response.status_code == 403, (path, tenant, role)
                    assert response.json()["type"] == "urn:regmod:problem:forbidden"
                    continue
                assert response.status_code not in (401, 403, 500), (path, tenant, role)
                assert foreign_idnr not in response.text, (path, tenant, role)
                assert foreign_name not in response.text, (path, tenant, role)
