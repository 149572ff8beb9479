"""The hash chain: what an entry and a checkpoint are, and the exact bytes each hash covers.

``entry_hash = SHA-256(canonical_json({actor, kind, payload, prev_hash, recorded_at, seq, tenant}))``
with ``prev_hash`` of the first entry of a tenant being ``GENESIS_HASH``. The payload is stored as
its canonical text, so the material is assembled from stored columns without parsing the payload.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from json.encoder import encode_basestring
from typing import Any

from regmod.audit.canonical import canonical_json

GENESIS_HASH = "0" * 64
"""The ``prev_hash`` of a tenant's first entry."""


class EntryKind(StrEnum):
    """What an audit entry records."""

    LINK_DECISION = "link_decision"
    REVIEW_DECISION = "review_decision"
    EVIDENCE_TRANSFER = "evidence_transfer"
    CONFIGURATION_CHANGE = "configuration_change"
    MODEL_CHANGE = "model_change"


TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def utc_timestamp(moment: datetime | None = None) -> str:
    """ISO 8601 UTC with microseconds and a ``Z`` (fixed width, sorts as text)."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime(TIMESTAMP_FORMAT)


def parse_timestamp(text: str) -> datetime | None:
    """The moment a ``utc_timestamp`` names, or None when ``text`` is not one."""
    try:
        return datetime.strptime(text, TIMESTAMP_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


@dataclass(frozen=True)
class Entry:
    """One audit entry as stored; ``payload`` is canonical JSON text."""

    tenant: str
    seq: int
    kind: str
    recorded_at: str
    actor: str
    payload: str
    prev_hash: str
    entry_hash: str

    def payload_value(self) -> Any:
        """The payload parsed from its canonical text."""
        return json.loads(self.payload)


def entry_material(
    tenant: str, seq: int, kind: str, recorded_at: str, actor: str, payload: str, prev_hash: str
) -> bytes:
    """The canonical JSON an entry hash covers, built from stored columns (payload verbatim)."""
    quote = encode_basestring  # the string encoder of json.dumps(..., ensure_ascii=False)
    text = (
        f'{{"actor":{quote(actor)},"kind":{quote(kind)},"payload":{payload},'
        f'"prev_hash":{quote(prev_hash)},"recorded_at":{quote(recorded_at)},'
        f'"seq":{seq},"tenant":{quote(tenant)}}}'
    )
    return text.encode()


def entry_hash(
    tenant: str, seq: int, kind: str, recorded_at: str, actor: str, payload: str, prev_hash: str
) -> str:
    """SHA-256 (hex) of ``entry_material``."""
    material = entry_material(tenant, seq, kind, recorded_at, actor, payload, prev_hash)
    return hashlib.sha256(material).hexdigest()


def seal(
    tenant: str, seq: int, kind: str, recorded_at: str, actor: str, payload: Any, prev_hash: str
) -> Entry:
    """A new entry for ``payload`` (any JSON-able value) chained onto ``prev_hash``."""
    text = canonical_json(payload)
    digest = entry_hash(tenant, seq, kind, recorded_at, actor, text, prev_hash)
    return Entry(tenant, seq, kind, recorded_at, actor, text, prev_hash, digest)


@dataclass(frozen=True)
class Checkpoint:
    """A statement "the chain of ``tenant`` had head ``head_hash`` at ``seq``", maybe signed."""

    tenant: str
    seq: int
    head_hash: str
    recorded_at: str
    key_id: str | None
    signature: str | None

    def message(self) -> bytes:
        """The bytes a checkpoint signature covers."""
        return checkpoint_message(self.tenant, self.seq, self.head_hash, self.recorded_at)


def checkpoint_message(tenant: str, seq: int, head_hash: str, recorded_at: str) -> bytes:
    """Canonical JSON of a checkpoint's content, the signed message."""
    content = {"head_hash": head_hash, "recorded_at": recorded_at, "seq": seq, "tenant": tenant}
    return canonical_json(content).encode()
