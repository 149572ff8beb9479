"""Accepted keys are remembered for a few seconds only; a revoked key stops working after that."""

from __future__ import annotations

from api.security import PrincipalCache
from api.services import Services
from regmod.store.access import Principal, Role, revoke_api_key
from tests.api.conftest import ANNA, KOELN, World
from tests.api.test_evidence_requests import ask

PRINCIPAL = Principal("k1", Role.AUDITOR, KOELN, None, None)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_remembered_key_expires_after_the_ttl() -> None:
    clock = Clock()
    cache = PrincipalCache(ttl_seconds=2.0, clock=clock)
    cache.put("rmk_k1_secret", PRINCIPAL)
    assert cache.get("rmk_k1_secret") == PRINCIPAL
    assert cache.get("rmk_k1_other") is None
    clock.now += 2.0
    assert cache.get("rmk_k1_secret") is None


def test_a_zero_ttl_remembers_nothing_and_a_full_cache_starts_over() -> None:
    assert PrincipalCache(ttl_seconds=0).get("k") is None
    off = PrincipalCache(ttl_seconds=0)
    off.put("k", PRINCIPAL)
    assert off.get("k") is None
    small = PrincipalCache(max_keys=2)
    for key in ("a", "b", "c"):
        small.put(key, PRINCIPAL)
    assert [small.get(key) for key in ("a", "b", "c")] == [None, None, PRINCIPAL]


def test_a_revoked_key_is_refused_once_the_process_forgets_it(world: World) -> None:
    services: Services = world.client.app.state.services  # type: ignore[attr-defined]
    clock = Clock()
    services.principals = PrincipalCache(ttl_seconds=2.0, clock=clock)
    assert ask(world, {"idnr": ANNA}).status_code == 200
    key_id = world.keys[KOELN, Role.ONLINE_SERVICE].split("_")[1]
    with world.store.write() as conn:
        revoke_api_key(conn, key_id)
    clock.now += 2.0
    response = ask(world, {"idnr": ANNA})
    assert response.status_code == 401
    assert ask(world, {"idnr": ANNA}).status_code == 401  # a refused key is asked about again
