"""Group commit of evidence transfers: every request lands once, the chain verifies, errors stay apart.

Runs on SQLite and, where configured, on PostgreSQL (``database_url`` fixture).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from regmod.audit.log import AuditWriter, read_entries
from regmod.audit.verify import verify_tenant
from regmod.errors import InputError, NotFoundError, RegmodError
from regmod.evidence import (
    Answer,
    EvidenceRequest,
    EvidenceService,
    EvidenceType,
    PreviewRejectedError,
    PreviewSigner,
    RefusalReason,
    SubjectAttributes,
)
from regmod.evidence.resolution import Candidate
from regmod.evidence.writer import Staged, TransferWriter
from regmod.record import PartialDate
from regmod.store.access import create_requester, grant_entitlement
from regmod.store.engine import Store
from regmod.store.persons import upsert_persons
from regmod.store.schema import evidence_transfers
from regmod.store.tenants import create_tenant
from regmod.store.transfers import Transfer, TransferOutcome
from tests.regmod.conftest import REFERENCE, canonical_frame

OTHER_TENANT = "09162000"
LEGAL_BASIS, PURPOSE = "§ 18 BMG", "Anwohnerparkausweis"
ANNA, BLOCKED = "54386602794", "21745232806"  # valid IDNrs; BLOCKED has an Auskunftssperre
PERSONS = [{**REFERENCE[0], "idnr": ANNA}, {**REFERENCE[1], "idnr": BLOCKED}]


@pytest.fixture
def requesters(store: Store, tenant: str) -> dict[str, int]:
    """One entitled requester in each of two tenants, whose reference holds the same persons."""
    ids = {}
    with store.write() as conn:
        create_tenant(conn, OTHER_TENANT, "München")
        for code in (tenant, OTHER_TENANT):
            upsert_persons(conn, code, canonical_frame(PERSONS))
            requester = create_requester(conn, code, f"Portal {code}", "anwohnerparken")
            grant_entitlement(conn, requester, code, "proof_of_residence", LEGAL_BASIS, PURPOSE)
            ids[code] = requester
    return ids


@pytest.fixture
def service(store: Store, writer: AuditWriter) -> Iterator[EvidenceService]:
    """An evidence service whose writer waits a little, so concurrent requests share batches."""
    service = EvidenceService(store, writer, PreviewSigner(b"k" * 32))
    service.transfers.linger_seconds = 0.05
    yield service
    service.close()


def ask(idnr: str, *, preview: bool = False) -> EvidenceRequest:
    """A proof-of-residence request about ``idnr``."""
    return EvidenceRequest(
        EvidenceType.PROOF_OF_RESIDENCE, LEGAL_BASIS, PURPOSE, idnr=idnr, preview=preview
    )


def transfer_rows(store: Store) -> list[tuple[str, str, str]]:
    """Every stored transfer as ``(tenant, request_id, outcome)``."""
    t = evidence_transfers
    with store.read() as conn:
        rows = conn.execute(sa.select(t.c.tenant, t.c.request_id, t.c.outcome).order_by(t.c.id))
        return [(str(a), str(b), str(c)) for a, b, c in rows]


def audited(store: Store, tenant: str) -> list[str]:
    """The request ids of ``tenant``'s audit entries, in chain order."""
    with store.read() as conn:
        return [str(e.payload_value()["request_id"]) for e in read_entries(conn, tenant)]


def assert_chains_verify(store: Store, *tenants: str) -> None:
    with store.read() as conn:
        for code in tenants:
            report = verify_tenant(conn, code)
            assert report.ok, report.problems


def test_concurrent_requests_all_land_once_and_both_chains_verify(
    store: Store, tenant: str, requesters: dict[str, int], service: EvidenceService
) -> None:
    asks = [(code, ANNA if i % 3 else BLOCKED) for i in range(60) for code in requesters]
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(
            pool.map(lambda a: service.request(requesters[a[0]], ask(a[1]), f"key-{a[0]}"), asks)
        )

    rows = transfer_rows(store)
    assert len(rows) == len(asks) == len({answer.request_id for answer in answers})
    assert {request_id for _, request_id, _ in rows} == {a.request_id for a in answers}
    for code in requesters:
        logged = [request_id for row_tenant, request_id, _ in rows if row_tenant == code]
        assert audited(store, code) == logged  # one entry per row, in commit order
    outcomes = sorted(answer.outcome.value for answer in answers)
    assert outcomes == sorted(outcome for _, _, outcome in rows)
    assert outcomes.count(TransferOutcome.BLOCKED.value) == 40
    assert_chains_verify(store, tenant, OTHER_TENANT)


def test_a_refused_request_does_not_cost_its_batch_neighbours_their_answer(
    store: Store, tenant: str, requesters: dict[str, int], service: EvidenceService
) -> None:
    futures = [service.submit(requesters[tenant], ask(ANNA), "key") for _ in range(3)]
    futures.insert(1, service.submit(999_999, ask(ANNA), "key"))  # no such requester
    with pytest.raises(NotFoundError):
        futures[1].result()
    delivered = [future.result() for future in (futures[0], *futures[2:])]
    assert all(answer.outcome is TransferOutcome.DELIVERED for answer in delivered)
    assert len(transfer_rows(store)) == 3
    assert_chains_verify(store, tenant)


def test_one_preview_is_confirmed_once_even_when_both_confirmations_share_a_batch(
    store: Store, tenant: str, requesters: dict[str, int], service: EvidenceService
) -> None:
    requester = requesters[tenant]
    preview = service.request(requester, ask(ANNA, preview=True), "key")
    assert preview.preview_token is not None
    token = preview.preview_token

    def confirm() -> Answer | RegmodError:
        try:
            return service.confirm(requester, preview.request_id, token, "key")
        except PreviewRejectedError as error:
            return error

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: confirm(), range(2)))

    assert sorted(type(result).__name__ for result in results) == [
        "Answer",
        "PreviewRejectedError",
    ]
    assert [outcome for _, _, outcome in transfer_rows(store)] == ["preview", "delivered"]
    assert_chains_verify(store, tenant)


def test_an_invalid_idnr_is_refused_before_it_is_queued(
    store: Store, requesters: dict[str, int], service: EvidenceService, tenant: str
) -> None:
    with pytest.raises(InputError):
        service.submit(requesters[tenant], ask("12345678990"), "key")
    assert transfer_rows(store) == []


class RecordingCandidates:
    """A candidate source that finds ANNA (or fails) and notes the thread each call ran in."""

    def __init__(self, error: RegmodError | None = None) -> None:
        self.error = error
        self.threads: list[str] = []

    def candidates(self, tenant: str, attributes: SubjectAttributes) -> Sequence[Candidate]:
        self.threads.append(threading.current_thread().name)
        if self.error is not None:
            raise self.error
        return [Candidate(ANNA, 30.0, 0.999999)]


def by_attributes(service: EvidenceService, source: RecordingCandidates) -> EvidenceService:
    service.candidates = source
    return service


ANNA_ATTRIBUTES = SubjectAttributes("Muster", "Anna", PartialDate(year=1970, month=3, day=7))
ASK_ANNA_BY_ATTRIBUTES = EvidenceRequest(
    EvidenceType.PROOF_OF_RESIDENCE, LEGAL_BASIS, PURPOSE, attributes=ANNA_ATTRIBUTES
)


def test_a_subject_by_attributes_is_matched_by_the_caller_not_the_writer(
    store: Store, tenant: str, requesters: dict[str, int], service: EvidenceService
) -> None:
    source = RecordingCandidates()
    by_attributes(service, source)
    answer = service.submit(
        requesters[tenant], ASK_ANNA_BY_ATTRIBUTES, "key", tenant=tenant
    ).result()
    assert answer.outcome is TransferOutcome.DELIVERED
    assert source.threads == [threading.current_thread().name]
    assert [outcome for _, _, outcome in transfer_rows(store)] == ["delivered"]


def test_without_the_tenant_the_writer_matches_the_subject_itself(
    store: Store, tenant: str, requesters: dict[str, int], service: EvidenceService
) -> None:
    source = RecordingCandidates()
    by_attributes(service, source)
    answer = service.submit(requesters[tenant], ASK_ANNA_BY_ATTRIBUTES, "key").result()
    assert answer.outcome is TransferOutcome.DELIVERED
    assert len(source.threads) == 1 and source.threads[0] != threading.current_thread().name


def test_a_failed_match_counts_only_after_the_entitlement_check(
    store: Store, tenant: str, requesters: dict[str, int], service: EvidenceService
) -> None:
    by_attributes(service, RecordingCandidates(NotFoundError("no index for this tenant")))
    with store.write() as conn:
        unentitled = create_requester(conn, tenant, "Other portal", "other")
    refused = service.submit(unentitled, ASK_ANNA_BY_ATTRIBUTES, "key", tenant=tenant).result()
    assert refused.reason is RefusalReason.NOT_ENTITLED
    entitled = service.submit(requesters[tenant], ASK_ANNA_BY_ATTRIBUTES, "key", tenant=tenant)
    with pytest.raises(NotFoundError, match="no index"):
        entitled.result()
    assert [outcome for _, _, outcome in transfer_rows(store)] == ["refused"]


def _transfer(tenant: str, requester_id: int, request_id: str) -> Transfer:
    return Transfer(
        tenant,
        datetime(2026, 11, 25, tzinfo=UTC),
        request_id,
        requester_id,
        "proof_of_residence",
        LEGAL_BASIS,
        PURPOSE,
        None,
        TransferOutcome.REFUSED,
    )


class GatedDecide:
    """A decide function that holds its first batch until released and can be made to fail."""

    def __init__(self, tenant: str, requester_id: int, poison: str = "") -> None:
        self.tenant = tenant
        self.requester_id = requester_id
        self.poison = poison
        self.release = threading.Event()
        self.batches: list[list[str]] = []

    def __call__(
        self, _conn: sa.Connection, items: Sequence[str]
    ) -> list[Staged[str] | RegmodError]:
        self.batches.append(list(items))
        self.release.wait(timeout=30)
        if self.poison in items and len(items) > 1:
            raise RuntimeError("this batch cannot be written")
        return [
            NotFoundError(item)
            if item == self.poison
            else Staged(_transfer(self.tenant, self.requester_id, item), "a", item)
            for item in items
        ]


def test_requests_waiting_on_a_busy_writer_are_committed_together(
    store: Store, tenant: str, requesters: dict[str, int], writer: AuditWriter
) -> None:
    decide = GatedDecide(tenant, requesters[tenant])
    transfers: TransferWriter[str, str] = TransferWriter(store, writer, decide, linger_seconds=0)
    first = transfers.submit("r0")
    while not decide.batches:  # the writer holds the first batch
        threading.Event().wait(0.001)
    rest = [transfers.submit(f"r{i}") for i in range(1, 6)]
    decide.release.set()
    assert [f.result() for f in (first, *rest)] == [f"r{i}" for i in range(6)]
    transfers.close()
    assert decide.batches == [["r0"], [f"r{i}" for i in range(1, 6)]]
    assert audited(store, tenant) == [f"r{i}" for i in range(6)]
    assert_chains_verify(store, tenant)


def test_a_failing_batch_is_retried_request_by_request(
    store: Store, tenant: str, requesters: dict[str, int], writer: AuditWriter
) -> None:
    decide = GatedDecide(tenant, requesters[tenant], poison="bad")
    transfers: TransferWriter[str, str] = TransferWriter(store, writer, decide, linger_seconds=0)
    first = transfers.submit("a")
    while not decide.batches:
        threading.Event().wait(0.001)
    rest = [transfers.submit(item) for item in ("b", "bad", "c")]
    decide.release.set()
    assert first.result() == "a"
    assert [rest[0].result(), rest[2].result()] == ["b", "c"]
    with pytest.raises(NotFoundError):
        rest[1].result()
    transfers.close()
    assert decide.batches[1] == ["b", "bad", "c"]  # failed as a whole, then one by one
    assert audited(store, tenant) == ["a", "b", "c"]
    assert_chains_verify(store, tenant)


def test_a_closed_writer_has_committed_its_queue_and_refuses_more(
    store: Store, tenant: str, requesters: dict[str, int], writer: AuditWriter
) -> None:
    decide = GatedDecide(tenant, requesters[tenant])
    decide.release.set()
    transfers: TransferWriter[str, str] = TransferWriter(store, writer, decide)
    futures = [transfers.submit(f"r{i}") for i in range(4)]
    transfers.close()
    assert all(future.done() for future in futures)
    assert audited(store, tenant) == [f"r{i}" for i in range(4)]
    with pytest.raises(RegmodError, match="closed"):
        transfers.submit("late")
