"""The store's repository functions, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from regmod.audit.chain import EntryKind
from regmod.audit.log import AuditWriter, read_entries
from regmod.audit.verify import verify_tenant
from regmod.errors import InputError, NotFoundError
from regmod.store.access import (
    Role,
    authenticate_key,
    create_api_key,
    create_requester,
    grant_entitlement,
    is_entitled,
    revoke_api_key,
)
from regmod.store.engine import Store
from regmod.store.links import list_links, list_links_for_idnr
from regmod.store.persons import find_person, find_record, upsert_persons
from regmod.store.review import decide_review, list_review_queue
from regmod.store.runs import load_run
from regmod.store.tenants import create_tenant, list_tenants
from regmod.store.transfers import TransferOutcome, list_transfers, new_transfer, record_transfer
from tests.regmod.conftest import REFERENCE, canonical_frame


def test_reference_persons_are_upserted_and_found_by_idnr(store: Store, tenant: str) -> None:
    with store.write() as conn:
        assert upsert_persons(conn, tenant, canonical_frame(REFERENCE)) == 2
        changed = [{**REFERENCE[0], "family_name": "Müller-Lüdenscheidt"}]
        upsert_persons(conn, tenant, canonical_frame(changed))
    with store.read() as conn:
        anna = find_person(conn, tenant, "12345678995")
        blocked = find_person(conn, tenant, "98765432106")
        assert find_person(conn, "other", "12345678995") is None
    assert anna is not None and blocked is not None
    assert anna["family_name"] == "Müller-Lüdenscheidt"
    assert anna["first_names"] == "Anna Lena"
    assert (anna["street"], anna["house_number"], anna["city"]) == ("Hauptstraße", "12a", "Köln")
    assert (anna["birth_year"], anna["birth_month"], anna["birth_day"]) == (1980, 5, 1)
    assert anna["information_block"] is False and blocked["information_block"] is True


def test_reference_rows_without_idnr_are_refused_with_the_record_named(
    store: Store, tenant: str
) -> None:
    frame = canonical_frame([{"record_id": "ref-9", "family_name": "Ohne"}])
    with pytest.raises(InputError, match="ref-9"), store.write() as conn:
        upsert_persons(conn, tenant, frame)


def test_run_directory_loads_records_links_review_items_and_audits_each_decision(
    store: Store, tenant: str, writer: AuditWriter, run_dir: Path
) -> None:
    with store.write() as conn:
        loaded = load_run(conn, writer, tenant, run_dir)
    assert (loaded.records, loaded.links, loaded.review_items, loaded.audit_entries) == (2, 1, 2, 2)
    with store.read() as conn:
        [link] = list_links(conn, tenant, "r1")
        record = find_record(conn, tenant, "r2")
        entries = list(read_entries(conn, tenant))
        assert verify_tenant(conn, tenant, writer.signer.verifier if writer.signer else None).ok
    assert (link.idnr, link.decision, link.model_hash, link.decided_by) == (
        "12345678995",
        "match",
        "m-abc",
        "model",
    )
    assert record is not None and record["family_name"] == "Schmitt"
    assert [entry.kind for entry in entries] == [EntryKind.LINK_DECISION] * 2
    first = entries[0].payload_value()
    assert first["record_id"] == "r1" and first["thresholds"] == {"match": 0.99, "review": 0.5}
    assert "Mueller" not in entries[0].payload


def test_a_run_is_loaded_once(
    store: Store, tenant: str, writer: AuditWriter, run_dir: Path
) -> None:
    with store.write() as conn:
        load_run(conn, writer, tenant, run_dir)
    with pytest.raises(InputError, match="already loaded"), store.write() as conn:
        load_run(conn, writer, tenant, run_dir)


def test_a_directory_without_manifest_is_named_in_the_error(
    store: Store, tenant: str, writer: AuditWriter, tmp_path: Path
) -> None:
    with pytest.raises(InputError, match=r"manifest\.json"), store.write() as conn:
        load_run(conn, writer, tenant, tmp_path)


def test_accepting_a_review_item_links_the_record_and_is_audited(
    store: Store, tenant: str, writer: AuditWriter, run_dir: Path
) -> None:
    with store.write() as conn:
        load_run(conn, writer, tenant, run_dir)
    with store.read() as conn:
        queue = list_review_queue(conn, tenant)
    assert [(item.record_id, item.rank) for item in queue] == [("r2", 1), ("r2", 2)]
    with store.write() as conn:
        decide_review(
            conn,
            writer,
            tenant,
            queue[0].id,
            "sachbearbeiter-7",
            accept=True,
            reason="same birth date in the paper file",
        )
        decide_review(
            conn,
            writer,
            tenant,
            queue[1].id,
            "sachbearbeiter-7",
            accept=False,
            reason="different person",
        )
    with store.read() as conn:
        assert list_review_queue(conn, tenant) == []
        assert [item.id for item in list_review_queue(conn, tenant, status="accepted")] == [
            queue[0].id
        ]
        [link] = list_links_for_idnr(conn, tenant, "98765432106")
        entries = list(read_entries(conn, tenant))
    assert (link.record_id, link.decided_by, link.decision) == ("r2", "sachbearbeiter-7", "match")
    review = entries[-2].payload_value()
    assert entries[-2].kind == EntryKind.REVIEW_DECISION and entries[-2].actor == "sachbearbeiter-7"
    assert review["reason"] == "same birth date in the paper file" and review["accept"] is True


def test_a_review_item_is_decided_once_and_needs_a_reason(
    store: Store, tenant: str, writer: AuditWriter, run_dir: Path
) -> None:
    with store.write() as conn:
        load_run(conn, writer, tenant, run_dir)
        item = list_review_queue(conn, tenant)[0]
        with pytest.raises(InputError, match="reason"):
            decide_review(conn, writer, tenant, item.id, "a", accept=True, reason=" ")
        decide_review(conn, writer, tenant, item.id, "a", accept=False, reason="no")
        with pytest.raises(InputError, match="already rejected"):
            decide_review(conn, writer, tenant, item.id, "b", accept=True, reason="yes")
        with pytest.raises(NotFoundError):
            decide_review(conn, writer, "other", item.id, "b", accept=True, reason="yes")


def test_entitlements_are_exact_combinations(store: Store, tenant: str) -> None:
    with store.write() as conn:
        requester = create_requester(conn, tenant, "Civento Wohngeld", "wohngeld")
        grant_entitlement(conn, requester, tenant, "residence", "§ 23 WoGG", "wohngeld")
    with store.read() as conn:
        assert is_entitled(conn, requester, tenant, "residence", "§ 23 WoGG", "wohngeld")
        assert not is_entitled(conn, requester, tenant, "residence", "§ 23 WoGG", "elterngeld")
        assert not is_entitled(conn, requester, tenant, "civil_status", "§ 23 WoGG", "wohngeld")
        assert not is_entitled(conn, requester, "other", "residence", "§ 23 WoGG", "wohngeld")


def test_api_key_authenticates_until_revoked_and_only_its_hash_is_stored(
    store: Store, tenant: str
) -> None:
    with store.write() as conn:
        requester = create_requester(conn, tenant, "Civento", "ozg")
        issued = create_api_key(conn, tenant, Role.ONLINE_SERVICE, requester_id=requester)
        citizen = create_api_key(conn, tenant, Role.CITIZEN, idnr="12345678995")
    with store.read() as conn:
        principal = authenticate_key(conn, issued.key)
        citizen_principal = authenticate_key(conn, citizen.key)
        stored = conn.exec_driver_sql("SELECT secret_sha256 FROM api_credentials").scalars().all()
        assert authenticate_key(conn, issued.key + "x") is None
        assert authenticate_key(conn, "rmk_0000000000000000_nope") is None
        assert authenticate_key(conn, "garbage") is None
    assert principal is not None and principal.role is Role.ONLINE_SERVICE
    assert (principal.tenant, principal.requester_id) == (tenant, requester)
    assert citizen_principal is not None and citizen_principal.idnr == "12345678995"
    assert all(issued.key.split("_", 2)[2] not in value for value in stored)
    with store.write() as conn:
        revoke_api_key(conn, issued.key_id)
    with store.read() as conn:
        assert authenticate_key(conn, issued.key) is None


def test_citizen_keys_need_an_idnr(store: Store, tenant: str) -> None:
    with pytest.raises(InputError, match="IDNr"), store.write() as conn:
        create_api_key(conn, tenant, Role.CITIZEN)


def test_transfers_are_listed_per_idnr_newest_first_and_audited(
    store: Store, tenant: str, writer: AuditWriter
) -> None:
    with store.write() as conn:
        requester = create_requester(conn, tenant, "Civento", "ozg")
    outcomes = [TransferOutcome.DELIVERED, TransferOutcome.BLOCKED]
    for number, outcome in enumerate(outcomes):
        transfer = new_transfer(
            tenant,
            f"req-{number}",
            requester,
            "residence",
            "§ 23 WoGG",
            "wohngeld",
            "12345678995",
            outcome,
        )
        with store.write() as conn:
            record_transfer(conn, writer, transfer, actor=f"requester:{requester}")
    with store.read() as conn:
        transfers = list_transfers(conn, tenant, "12345678995")
        assert list_transfers(conn, tenant, "98765432106") == []
        entries = list(read_entries(conn, tenant))
    assert [t.request_id for t in transfers] == ["req-1", "req-0"]
    assert transfers[0].outcome is TransferOutcome.BLOCKED
    assert [entry.kind for entry in entries] == [EntryKind.EVIDENCE_TRANSFER] * 2
    assert entries[0].payload_value()["request_id"] == "req-0"


def test_tenant_codes_are_unique(store: Store, tenant: str) -> None:
    with pytest.raises(InputError, match="exists"), store.write() as conn:
        create_tenant(conn, tenant, "again")
    with store.read() as conn:
        assert list_tenants(conn) == [(tenant, "Köln")]


def test_a_record_accepted_for_one_idnr_cannot_be_accepted_for_another(
    store: Store, tenant: str, writer: AuditWriter, run_dir: Path
) -> None:
    with store.write() as conn:
        load_run(conn, writer, tenant, run_dir)
        first, second = list_review_queue(conn, tenant)
        decide_review(conn, writer, tenant, first.id, "a", accept=True, reason="paper file")
        with pytest.raises(InputError, match="already linked to IDNr"):
            decide_review(conn, writer, tenant, second.id, "a", accept=True, reason="also")
        decide_review(conn, writer, tenant, second.id, "a", accept=False, reason="other person")
