"""The once-only evidence service: entitlement → subject → evidence → transfer log → answer.

Every outcome (delivered, refused, ambiguous, blocked, preview) is written as a transfer row and
an audit entry in the same transaction, so nothing is answered that is not logged. Concurrent
requests share that transaction (group commit, ``regmod.evidence.writer``).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from stdnum.de import idnr as idnr_number

from regmod.audit.log import AuditWriter
from regmod.errors import InputError, NotFoundError, PreviewRejectedError, RegmodError
from regmod.evidence.assembly import EVIDENCE_FIELDS, assemble
from regmod.evidence.model import (
    Answer,
    EvidenceRequest,
    EvidenceType,
    RefusalReason,
    Requester,
    SubjectAttributes,
)
from regmod.evidence.previews import PreviewSigner
from regmod.evidence.requesters import load_requesters
from regmod.evidence.resolution import (
    NOT_FOUND_BY_ATTRIBUTES,
    NOT_FOUND_BY_IDNR,
    Candidate,
    CandidateSource,
    ResolutionPolicy,
    decide,
)
from regmod.evidence.transfers import transfers_of_request
from regmod.evidence.writer import Staged, TransferWriter
from regmod.store.access import grants_of
from regmod.store.engine import Store
from regmod.store.persons import find_person, find_persons
from regmod.store.transfers import Transfer, TransferOutcome


def valid_idnr(value: str) -> str:
    """``value`` as a compact IDNr when its format and check digit are right, else InputError."""
    if not idnr_number.is_valid(value):
        raise InputError(
            f"{value!r} is not a valid IDNr; expected 11 digits with a correct check digit",
            field="idnr",
        )
    return str(idnr_number.compact(value))


@dataclass
class _Decision:
    outcome: TransferOutcome
    idnr: str | None
    reason: RefusalReason | None = None
    detail: str = ""
    person: dict[str, object] | None = None
    candidates: int = 0


@dataclass(frozen=True)
class _Pending:
    """One queued request, or (with ``token``) the confirmation of preview ``request_id``."""

    requester_id: int
    request_id: str
    now: datetime
    actor: str
    request: EvidenceRequest | None = None
    token: str = ""
    tenant: str | None = None
    found: Sequence[Candidate] | RegmodError | None = None
    """Candidates for a subject by attributes in ``tenant``, found before the request was queued."""


class _BatchReads:
    """What a batch of requests reads, fetched set-wise: requesters, their grants, persons."""

    def __init__(self, conn: sa.Connection, batch: Sequence[_Pending]) -> None:
        self.conn = conn
        self.requesters = load_requesters(conn, {item.requester_id for item in batch})
        self.grants = grants_of(conn, self.requesters)
        wanted: dict[str, set[str]] = {}
        for item in batch:
            requester = self.requesters.get(item.requester_id)
            if requester is not None and item.request is not None and item.request.idnr:
                wanted.setdefault(requester.tenant, set()).add(item.request.idnr)
        self.fetched = {(tenant, idnr) for tenant, idnrs in wanted.items() for idnr in idnrs}
        self.persons = {
            (tenant, idnr): person
            for tenant, idnrs in wanted.items()
            for idnr, person in find_persons(conn, tenant, idnrs).items()
        }

    def requester(self, requester_id: int) -> Requester:
        """The requester, or NotFoundError."""
        requester = self.requesters.get(requester_id)
        if requester is None:
            raise NotFoundError(f"requester {requester_id} does not exist")
        return requester

    def entitled(self, requester: Requester, request: EvidenceRequest) -> bool:
        """True when ``requester`` holds exactly this entitlement."""
        kind = request.evidence_type.value
        grant = (requester.id, requester.tenant, kind, request.legal_basis, request.purpose)
        return grant in self.grants

    def person(self, tenant: str, idnr: str) -> dict[str, Any] | None:
        """The reference person, fetched with the batch or now (a resolved or confirmed one)."""
        if (tenant, idnr) in self.fetched:
            return self.persons.get((tenant, idnr))
        return find_person(self.conn, tenant, idnr)


class EvidenceService:
    """Answers evidence requests of online services for one deployment (all tenants).

    ``candidates`` resolves subjects given by attributes; without it such requests are refused
    with a request for the IDNr.
    """

    def __init__(
        self,
        store: Store,
        writer: AuditWriter,
        previews: PreviewSigner,
        *,
        candidates: CandidateSource | None = None,
        policy: ResolutionPolicy | None = None,
        preview_ttl_seconds: int = 900,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.writer = writer
        self.previews = previews
        self.candidates = candidates
        self.policy = policy or ResolutionPolicy()
        self.preview_ttl_seconds = preview_ttl_seconds
        self.clock = clock
        self.transfers: TransferWriter[_Pending, Answer] = TransferWriter(
            store, writer, self._decide_batch
        )

    def request(self, requester_id: int, request: EvidenceRequest, actor: str) -> Answer:
        """Answer one request of ``requester_id``; the outcome is logged before it is returned."""
        return self.submit(requester_id, request, actor).result()

    def submit(
        self, requester_id: int, request: EvidenceRequest, actor: str, *, tenant: str | None = None
    ) -> Future[Answer]:
        """Queue one request; the answer's future resolves once its outcome is committed.

        With the requester's ``tenant`` given, a subject by attributes is matched here, in the
        caller's thread, so the one transfer writer never waits for a match or an index build.
        """
        found: Sequence[Candidate] | RegmodError | None = None
        if request.idnr is not None:
            request = replace(request, idnr=valid_idnr(request.idnr))
        elif request.attributes is None:
            raise InputError("name the subject by 'idnr' or by identifying attributes")
        elif self.candidates is not None and tenant is not None:
            try:
                found = list(self.candidates.candidates(tenant, request.attributes))
            except RegmodError as error:
                found = error  # raised in order, after the entitlement check
        now = datetime.fromtimestamp(self.clock(), UTC)
        pending = _Pending(
            requester_id, uuid.uuid4().hex, now, actor, request=request, tenant=tenant, found=found
        )
        return self.transfers.submit(pending)

    def confirm(self, requester_id: int, request_id: str, token: str, actor: str) -> Answer:
        """Release the evidence of a preview the citizen agreed to (once, before expiry)."""
        now = datetime.fromtimestamp(self.clock(), UTC)
        pending = _Pending(requester_id, request_id, now, actor, token=token)
        return self.transfers.submit(pending).result()

    def close(self) -> None:
        """Finish the queued requests and stop the transfer writer."""
        self.transfers.close()

    def _decide_batch(
        self, conn: sa.Connection, batch: Sequence[_Pending]
    ) -> list[Staged[Answer] | RegmodError]:
        """Each item's outcome in order, reading set-wise (runs in the transfer writer)."""
        reads = _BatchReads(conn, batch)
        confirmed: set[tuple[str, str]] = set()
        outcomes: list[Staged[Answer] | RegmodError] = []
        for item in batch:
            try:
                requester = reads.requester(item.requester_id)
                request = item.request or self._confirmable(conn, requester, item, confirmed)
                decision = self._decide(reads, requester, request, item)
                outcomes.append(self._staged(requester, request, item, decision))
            except RegmodError as error:
                outcomes.append(error)
        return outcomes

    def _confirmable(
        self,
        conn: sa.Connection,
        requester: Requester,
        item: _Pending,
        confirmed: set[tuple[str, str]],
    ) -> EvidenceRequest:
        """The request a valid, unconfirmed preview stands for; ``confirmed`` holds the batch's."""
        request_id = item.request_id
        history = transfers_of_request(conn, requester.tenant, request_id)
        previews = [
            entry
            for entry in history
            if entry.outcome == TransferOutcome.PREVIEW and entry.requester_id == requester.id
        ]
        if not previews:
            raise NotFoundError(f"no preview {request_id!r} of this requester")
        if not self.previews.check(item.token, requester.tenant, request_id, now=self.clock()):
            raise PreviewRejectedError(
                "the preview token is wrong or expired; send a new request in preview mode"
            )
        if len(history) > len(previews) or (requester.tenant, request_id) in confirmed:
            raise PreviewRejectedError(f"preview {request_id!r} was already confirmed")
        confirmed.add((requester.tenant, request_id))
        preview = previews[0]
        return EvidenceRequest(
            evidence_type=EvidenceType(preview.evidence_type),
            legal_basis=preview.legal_basis,
            purpose=preview.purpose,
            idnr=preview.idnr,
        )

    def _decide(
        self, reads: _BatchReads, requester: Requester, request: EvidenceRequest, item: _Pending
    ) -> _Decision:
        kind = request.evidence_type.value
        if not reads.entitled(requester, request):
            return _Decision(
                TransferOutcome.REFUSED,
                None,
                RefusalReason.NOT_ENTITLED,
                f"requester {requester.name!r} holds no entitlement for {kind} on legal basis "
                f"{request.legal_basis!r} and purpose {request.purpose!r}",
            )
        idnr, candidates = request.idnr, 0
        if idnr is None:
            if self.candidates is None or request.attributes is None:
                return _Decision(
                    TransferOutcome.REFUSED,
                    None,
                    RefusalReason.SUBJECT_NOT_FOUND,
                    "subjects by attributes cannot be resolved here; send the IDNr",
                )
            found = self._found(requester.tenant, request.attributes, item)
            resolution = decide(found, self.policy)
            if resolution.idnr is None:
                ambiguous = resolution.reason is RefusalReason.SUBJECT_AMBIGUOUS
                outcome = TransferOutcome.AMBIGUOUS if ambiguous else TransferOutcome.REFUSED
                return _Decision(
                    outcome, None, resolution.reason, resolution.detail, None, len(found)
                )
            idnr, candidates = resolution.idnr, resolution.candidates_considered
        person = reads.person(requester.tenant, idnr)
        if person is None:
            return _Decision(
                TransferOutcome.REFUSED,
                None,
                RefusalReason.SUBJECT_NOT_FOUND,
                NOT_FOUND_BY_IDNR,
            )
        if person["information_block"]:
            # Logged as blocked for the clerk; the requester gets the not-found answer word for
            # word (§ 51 BMG: the answer must not reveal that a block exists).
            return _Decision(
                TransferOutcome.BLOCKED,
                idnr,
                RefusalReason.SUBJECT_NOT_FOUND,
                NOT_FOUND_BY_IDNR if request.idnr is not None else NOT_FOUND_BY_ATTRIBUTES,
            )
        outcome = TransferOutcome.PREVIEW if request.preview else TransferOutcome.DELIVERED
        return _Decision(outcome, idnr, None, "", person, candidates)

    def _found(
        self, tenant: str, attributes: SubjectAttributes, item: _Pending
    ) -> Sequence[Candidate]:
        """The candidates found when ``item`` was queued, or (none found then) found now."""
        if item.found is None or item.tenant != tenant:
            assert self.candidates is not None
            return self.candidates.candidates(tenant, attributes)
        if isinstance(item.found, RegmodError):
            raise item.found
        return item.found

    def _staged(
        self, requester: Requester, request: EvidenceRequest, item: _Pending, decision: _Decision
    ) -> Staged[Answer]:
        """The transfer the writer logs for ``decision``, and the answer released after commit."""
        transfer = Transfer(
            requester.tenant,
            item.now,
            item.request_id,
            requester.id,
            request.evidence_type.value,
            request.legal_basis,
            request.purpose,
            decision.idnr,
            decision.outcome,
        )
        answer = self._answer(requester, request, item.request_id, decision, item.now)
        return Staged(transfer, item.actor, answer)

    def _answer(
        self,
        requester: Requester,
        request: EvidenceRequest,
        request_id: str,
        decision: _Decision,
        now: datetime,
    ) -> Answer:
        answer = Answer(
            request_id=request_id,
            outcome=decision.outcome,
            evidence_type=request.evidence_type,
            occurred_at=now,
            reason=decision.reason,
            detail=decision.detail,
            candidates_considered=decision.candidates,
        )
        if decision.outcome is TransferOutcome.DELIVERED and decision.person is not None:
            evidence = assemble(request.evidence_type, decision.person)
            return replace(answer, evidence=evidence)
        if decision.outcome is TransferOutcome.PREVIEW:
            expires = int(now.timestamp()) + self.preview_ttl_seconds
            return replace(
                answer,
                preview_token=self.previews.issue(requester.tenant, request_id, expires_at=expires),
                preview_expires_at=datetime.fromtimestamp(expires, UTC),
                preview_fields=EVIDENCE_FIELDS[request.evidence_type],
            )
        return answer
