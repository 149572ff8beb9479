"""The once-only evidence service: entitlement → subject → evidence → transfer log → answer.

Every outcome (delivered, refused, ambiguous, blocked, preview) is written as a transfer row and
an audit entry in the same transaction, so nothing is answered that is not logged.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import sqlalchemy as sa
from stdnum.de import idnr as idnr_number

from regmod.audit.log import AuditWriter
from regmod.errors import InputError, NotFoundError, RegmodError
from regmod.evidence.assembly import EVIDENCE_FIELDS, assemble
from regmod.evidence.model import (
    Answer,
    EvidenceRequest,
    EvidenceType,
    RefusalReason,
    Requester,
)
from regmod.evidence.previews import PreviewSigner
from regmod.evidence.requesters import load_requester
from regmod.evidence.resolution import CandidateSource, ResolutionPolicy, decide
from regmod.evidence.transfers import transfers_of_request
from regmod.store.access import is_entitled
from regmod.store.engine import Store
from regmod.store.persons import find_person
from regmod.store.transfers import Transfer, TransferOutcome, record_transfer


class PreviewRejectedError(RegmodError):
    """A preview cannot be confirmed: wrong or expired token, or already confirmed."""


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
        # SQLite has one writer: queueing writers here is fairer and much faster than letting
        # them poll the database lock (its busy handler sleeps in growing steps).
        self._sqlite_writer = threading.Lock() if store.dialect == "sqlite" else None

    def request(self, requester_id: int, request: EvidenceRequest, actor: str) -> Answer:
        """Answer one request of ``requester_id``; the outcome is logged before it is returned."""
        if request.idnr is not None:
            request = replace(request, idnr=valid_idnr(request.idnr))
        elif request.attributes is None:
            raise InputError("name the subject by 'idnr' or by identifying attributes")
        request_id = uuid.uuid4().hex
        now = datetime.fromtimestamp(self.clock(), UTC)
        with self._writing() as conn:
            requester = _requester(conn, requester_id)
            decision = self._decide(conn, requester, request)
            self._log(conn, requester, request, request_id, decision, now, actor)
        return self._answer(requester, request, request_id, decision, now)

    def confirm(self, requester_id: int, request_id: str, token: str, actor: str) -> Answer:
        """Release the evidence of a preview the citizen agreed to (once, before expiry)."""
        now = datetime.fromtimestamp(self.clock(), UTC)
        with self._writing() as conn:
            requester = _requester(conn, requester_id)
            history = transfers_of_request(conn, requester.tenant, request_id)
            previews = [
                entry
                for entry in history
                if entry.outcome == TransferOutcome.PREVIEW and entry.requester_id == requester.id
            ]
            if not previews:
                raise NotFoundError(f"no preview {request_id!r} of this requester")
            if not self.previews.check(token, requester.tenant, request_id, now=self.clock()):
                raise PreviewRejectedError(
                    "the preview token is wrong or expired; send a new request in preview mode"
                )
            if len(history) > len(previews):
                raise PreviewRejectedError(f"preview {request_id!r} was already confirmed")
            preview = previews[0]
            request = EvidenceRequest(
                evidence_type=EvidenceType(preview.evidence_type),
                legal_basis=preview.legal_basis,
                purpose=preview.purpose,
                idnr=preview.idnr,
            )
            decision = self._decide(conn, requester, request)
            self._log(conn, requester, request, request_id, decision, now, actor)
        return self._answer(requester, request, request_id, decision, now)

    @contextmanager
    def _writing(self) -> Iterator[sa.Connection]:
        """A write transaction, queued in-process first on SQLite."""
        if self._sqlite_writer is None:
            with self.store.write() as conn:
                yield conn
            return
        with self._sqlite_writer, self.store.write() as conn:
            yield conn

    def _decide(
        self, conn: sa.Connection, requester: Requester, request: EvidenceRequest
    ) -> _Decision:
        kind = request.evidence_type.value
        if not is_entitled(
            conn, requester.id, requester.tenant, kind, request.legal_basis, request.purpose
        ):
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
            found = self.candidates.candidates(requester.tenant, request.attributes)
            resolution = decide(found, self.policy)
            if resolution.idnr is None:
                ambiguous = resolution.reason is RefusalReason.SUBJECT_AMBIGUOUS
                outcome = TransferOutcome.AMBIGUOUS if ambiguous else TransferOutcome.REFUSED
                return _Decision(
                    outcome, None, resolution.reason, resolution.detail, None, len(found)
                )
            idnr, candidates = resolution.idnr, resolution.candidates_considered
        person = find_person(conn, requester.tenant, idnr)
        if person is None:
            return _Decision(
                TransferOutcome.REFUSED,
                None,
                RefusalReason.SUBJECT_NOT_FOUND,
                "no person with this IDNr in the register",
            )
        if person["information_block"]:
            return _Decision(
                TransferOutcome.BLOCKED,
                idnr,
                RefusalReason.INFORMATION_BLOCK,
                "the request was recorded and is handed to a clerk for manual handling",
                None,
                candidates,
            )
        outcome = TransferOutcome.PREVIEW if request.preview else TransferOutcome.DELIVERED
        return _Decision(outcome, idnr, None, "", person, candidates)

    def _log(
        self,
        conn: sa.Connection,
        requester: Requester,
        request: EvidenceRequest,
        request_id: str,
        decision: _Decision,
        now: datetime,
        actor: str,
    ) -> None:
        transfer = Transfer(
            requester.tenant,
            now,
            request_id,
            requester.id,
            request.evidence_type.value,
            request.legal_basis,
            request.purpose,
            decision.idnr,
            decision.outcome,
        )
        record_transfer(conn, self.writer, transfer, actor)

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


def _requester(conn: sa.Connection, requester_id: int) -> Requester:
    requester = load_requester(conn, requester_id)
    if requester is None:
        raise NotFoundError(f"requester {requester_id} does not exist")
    return requester
