"""Match, cockpit, audit, review, stats, reconciliations, health and the error format, over HTTP."""

from __future__ import annotations

from benchmarks.api_fixtures import hand_set_model
from regmod.evidence.online import TenantIndexes
from regmod.store.access import Role
from tests.api.conftest import ANNA, KOELN, MUENCHEN, PEOPLE, TWIN_1, TWIN_2, World
from tests.api.test_evidence_requests import ANNA_ATTRIBUTES, ask

PROBLEM = "application/problem+json"


def test_match_returns_scored_candidates_with_explanations(world: World) -> None:
    response = world.client.post(
        "/v1/match",
        json={"record": ANNA_ATTRIBUTES, "top_k": 3},
        headers=world.headers(KOELN, Role.REGISTER_OFFICE),
    )
    assert response.status_code == 200
    result = response.json()
    best = result["candidates"][0]
    assert best["idnr"] == ANNA
    assert best["explanation"][0]["component"] == "prior"
    steps = {step["component"] for step in best["explanation"]}
    assert {"family_name", "birth_date", "address"} <= steps
    assert result["model_hash"]


def test_match_of_twins_shows_no_margin_between_them(world: World) -> None:
    twins = {"family_name": "Schmidt", "first_names": "Maria", "birth_date": "1990-05-05"}
    result = world.client.post(
        "/v1/match", json={"record": twins}, headers=world.headers(KOELN, Role.REGISTER_OFFICE)
    ).json()
    assert {c["idnr"] for c in result["candidates"]} == {TWIN_1, TWIN_2}
    assert result["margin"] == 0.0


def test_citizen_sees_only_transfers_about_themselves(world: World) -> None:
    ask(world, {"idnr": ANNA})
    ask(world, {"idnr": TWIN_1})
    page = world.client.get(
        "/v1/cockpit/transfers", headers=world.headers(KOELN, Role.CITIZEN)
    ).json()
    assert [item["outcome"] for item in page["items"]] == ["delivered"]
    assert page["items"][0]["requester"] == "Bürgerportal Köln"
    assert page["items"][0]["purpose"] == "Anwohnerparkausweis"


def test_audit_chain_verifies_and_lists_entries(world: World) -> None:
    ask(world, {"idnr": ANNA})
    headers = world.headers(KOELN, Role.AUDITOR)
    verified = world.client.get("/v1/audit/verify", headers=headers).json()
    assert verified["ok"] is True and verified["entries_checked"] == 1
    page = world.client.get("/v1/audit/entries?limit=1", headers=headers).json()
    assert page["items"][0]["kind"] == "evidence_transfer" and page["next_seq"] is None


def test_review_decision_is_recorded_once_and_audited(world: World) -> None:
    headers = world.headers(KOELN, Role.REGISTER_OFFICE)
    queue = world.client.get("/v1/review", headers=headers).json()["items"]
    assert [item["record_id"] for item in queue] == [f"rec-{KOELN}"]
    url = f"/v1/review/{queue[0]['id']}/decision"
    decided = world.client.post(
        url, json={"accept": True, "reason": "same person"}, headers=headers
    )
    assert decided.status_code == 201 and decided.json()["accept"] is True
    again = world.client.post(url, json={"accept": False, "reason": "oops"}, headers=headers)
    assert again.status_code == 409
    assert world.client.get("/v1/review", headers=headers).json()["items"] == []
    kinds = [
        item["kind"]
        for item in world.client.get(
            "/v1/audit/entries", headers=world.headers(KOELN, Role.AUDITOR)
        ).json()["items"]
    ]
    assert kinds == ["review_decision"]


def test_review_item_of_another_tenant_is_not_found(world: World) -> None:
    response = world.client.post(
        f"/v1/review/{world.review_item[MUENCHEN]}/decision",
        json={"accept": True, "reason": "x"},
        headers=world.headers(KOELN, Role.REGISTER_OFFICE),
    )
    assert response.status_code == 404


def test_stats_count_outcomes_per_service_and_type(world: World) -> None:
    ask(world, {"idnr": ANNA})
    ask(world, {"idnr": ANNA}, purpose="Werbung")
    stats = world.client.get("/v1/stats", headers=world.headers(KOELN, Role.AUDITOR)).json()
    assert stats["total"] == 2 and stats["unresolved"] == 1
    assert {(c["service"], c["outcome"], c["count"]) for c in stats["counts"]} == {
        ("anwohnerparken", "delivered", 1),
        ("anwohnerparken", "refused", 1),
    }


def test_reconciliation_of_missing_files_is_a_problem_and_unknown_runs_are_not_found(
    world: World,
) -> None:
    headers = world.headers(KOELN, Role.REGISTER_OFFICE)
    body = {"register_file": "register.csv", "reference_file": "reference.csv"}
    started = world.client.post("/v1/reconciliations", json=body, headers=headers)
    assert started.status_code in (422, 501)
    assert started.headers["content-type"] == PROBLEM
    assert world.client.get("/v1/reconciliations/nope", headers=headers).status_code == 404


def test_health_readiness_and_metrics(world: World) -> None:
    assert world.client.get("/healthz").json() == {"status": "ok"}
    indexes = world.client.app.state.services.indexes  # type: ignore[attr-defined]
    assert indexes.warmed.wait(30)
    assert world.client.get("/readyz").json() == {"status": "ok"}
    indexes.warmed.clear()  # as while the start-up build runs
    unready = world.client.get("/readyz")
    assert unready.status_code == 503 and "being built" in unready.json()["detail"]
    indexes.warmed.set()
    ask(world, {"idnr": ANNA})
    metrics = world.client.get("/metrics").text
    assert (
        'regmod_evidence_requests_total{evidence_type="proof_of_residence",outcome="delivered"}'
        in metrics
    )
    assert 'route="/v1/evidence-requests"' in metrics


def test_missing_and_wrong_keys_are_401_problems(world: World) -> None:
    missing = world.client.get("/v1/review")
    assert missing.status_code == 401
    assert missing.headers["content-type"] == PROBLEM
    assert missing.headers["www-authenticate"].startswith("Bearer")
    wrong = world.client.get("/v1/review", headers={"X-API-Key": "rmk_0000_secret"})
    assert wrong.status_code == 401
    basic = world.client.get("/v1/review", headers={"Authorization": "Basic eDp5"})
    assert basic.status_code == 401


def test_x_api_key_header_authenticates_like_bearer(world: World) -> None:
    key = world.keys[KOELN, Role.REGISTER_OFFICE]
    assert world.client.get("/v1/review", headers={"X-API-Key": key}).status_code == 200


def test_too_large_body_is_refused_with_413(world: World) -> None:
    response = world.client.post(
        "/v1/match",
        content=b"{" + b" " * 70_000 + b"}",
        headers={**world.headers(KOELN, Role.REGISTER_OFFICE), "content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["type"] == "urn:regmod:problem:payload-too-large"


def test_unknown_route_is_a_404_problem(world: World) -> None:
    response = world.client.get("/v1/nothing")
    assert response.status_code == 404 and response.headers["content-type"] == PROBLEM


def test_start_up_builds_every_tenants_index_before_ready(world: World) -> None:
    indexes = TenantIndexes(world.store, hand_set_model(), ttl_seconds=60.0)
    assert indexes.fresh(KOELN) is None
    warming = indexes.start_warming()
    assert warming is not None and indexes.start_warming() is None  # once per object
    warming.join(timeout=60)
    assert indexes.warmed.is_set()
    for tenant in (KOELN, MUENCHEN):
        index = indexes.fresh(tenant)
        assert index is not None and len(index) == len(PEOPLE[tenant])


def test_warm_up_without_a_model_is_ready_at_once(world: World) -> None:
    indexes = TenantIndexes(world.store, None)
    warming = indexes.start_warming()
    assert warming is not None
    warming.join(timeout=10)
    assert indexes.warmed.is_set() and indexes.fresh(KOELN) is None


def test_a_stale_index_is_served_while_another_query_recounts(world: World) -> None:
    indexes = TenantIndexes(world.store, hand_set_model(), ttl_seconds=0.0)
    built = indexes.index(KOELN)
    assert indexes.fresh(KOELN) is None  # TTL 0: stale at once, the next query recounts
    with indexes._lock:  # as while one query recounts the persons
        assert indexes.fresh(KOELN) is built
