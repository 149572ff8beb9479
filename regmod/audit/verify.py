"""Verification: recompute a chain and its checkpoints and say where it stops fitting.

Works on any stream of entries (the store, or an export read back), so an auditor verifies offline
with the same code the service uses.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa

from regmod.audit.chain import GENESIS_HASH, Checkpoint, Entry, entry_hash
from regmod.audit.log import Head, read_checkpoints, read_entries, read_head
from regmod.audit.signing import Verifier

MAX_PROBLEMS = 100
"""Verification stops collecting after this many problems; the first one is what matters."""


@dataclass(frozen=True)
class Problem:
    """One place where the stored chain does not fit: at ``seq``, ``field`` was not as expected."""

    seq: int
    field: str
    expected: str
    found: str
    message: str

    def __str__(self) -> str:
        return (
            f"seq {self.seq}: {self.message} ({self.field}: expected {self.expected}, "
            f"found {self.found})"
        )


@dataclass
class VerificationReport:
    """The outcome of verifying one tenant's chain (or an export of part of it)."""

    tenant: str
    entries_checked: int = 0
    last_seq: int = 0
    last_hash: str = GENESIS_HASH
    checkpoints_checked: int = 0
    signatures_verified: int = 0
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every entry and checkpoint fits."""
        return not self.problems

    @property
    def first_problem(self) -> Problem | None:
        """The problem with the lowest ``seq`` (where tampering began), if any."""
        return min(self.problems, key=lambda problem: problem.seq, default=None)

    def add(self, problem: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)


def verify_chain(
    tenant: str,
    entries: Iterable[Entry],
    checkpoints: Sequence[Checkpoint],
    *,
    verifier: Verifier | None = None,
    first_seq: int = 1,
    anchor_hash: str = GENESIS_HASH,
    head: Head | None = None,
) -> VerificationReport:
    """Verify ``entries`` (in ``seq`` order, starting at ``first_seq`` after ``anchor_hash``).

    Catches modified content (hash mismatch), deleted, reordered or inserted entries (seq and
    prev_hash mismatches), a truncated tail (a checkpoint names an entry that is gone) and
    forged checkpoints (signature, when a trusted ``verifier`` is given).
    """
    report = VerificationReport(tenant)
    pending = {checkpoint.seq: checkpoint for checkpoint in checkpoints}
    expected_seq, prev_hash = first_seq, anchor_hash
    for entry in entries:
        if entry.seq != expected_seq:
            report.add(
                Problem(expected_seq, "seq", str(expected_seq), str(entry.seq), _gap(entry.seq))
            )
        if entry.prev_hash != prev_hash:
            report.add(
                Problem(entry.seq, "prev_hash", prev_hash, entry.prev_hash, "chain broken here")
            )
        recomputed = entry_hash(
            entry.tenant,
            entry.seq,
            entry.kind,
            entry.recorded_at,
            entry.actor,
            entry.payload,
            entry.prev_hash,
        )
        if recomputed != entry.entry_hash or entry.tenant != tenant:
            report.add(
                Problem(
                    entry.seq, "entry_hash", recomputed, entry.entry_hash, "content was altered"
                )
            )
        checkpoint = pending.pop(entry.seq, None)
        if checkpoint is not None:
            _check_checkpoint(report, checkpoint, entry.entry_hash, verifier)
        report.entries_checked += 1
        report.last_seq, report.last_hash = entry.seq, entry.entry_hash
        expected_seq, prev_hash = entry.seq + 1, entry.entry_hash
    for seq, checkpoint in sorted(pending.items()):
        report.add(
            Problem(
                seq,
                "checkpoint",
                checkpoint.head_hash,
                "no entry",
                f"entry named by a checkpoint is missing (chain ends at seq {report.last_seq})",
            )
        )
        report.checkpoints_checked += 1
    if head is not None and (head.seq, head.head_hash) != (report.last_seq, report.last_hash):
        report.add(
            Problem(
                head.seq,
                "head",
                f"{head.seq}:{head.head_hash}",
                f"{report.last_seq}:{report.last_hash}",
                "head row and last entry disagree",
            )
        )
    _add_notes(report, checkpoints, verifier)
    return report


def _gap(found_seq: int) -> str:
    return f"entries missing, out of order or inserted before seq {found_seq}"


def _check_checkpoint(
    report: VerificationReport, checkpoint: Checkpoint, stored_hash: str, verifier: Verifier | None
) -> None:
    report.checkpoints_checked += 1
    if checkpoint.head_hash != stored_hash:
        report.add(
            Problem(
                checkpoint.seq,
                "checkpoint",
                checkpoint.head_hash,
                stored_hash,
                "entry differs from the checkpointed head",
            )
        )
    if checkpoint.signature is None or verifier is None:
        return
    if checkpoint.key_id != verifier.key_id or not verifier.verify(
        checkpoint.message(), checkpoint.signature
    ):
        report.add(
            Problem(
                checkpoint.seq,
                "signature",
                f"valid signature by key {verifier.key_id}",
                f"key {checkpoint.key_id}",
                "checkpoint signature does not verify",
            )
        )
        return
    report.signatures_verified += 1


def _add_notes(
    report: VerificationReport, checkpoints: Sequence[Checkpoint], verifier: Verifier | None
) -> None:
    unsigned = sum(checkpoint.signature is None for checkpoint in checkpoints)
    if not checkpoints:
        report.notes.append("no checkpoints: truncation of the tail cannot be detected")
    elif unsigned:
        report.notes.append(
            f"{unsigned} of {len(checkpoints)} checkpoints unsigned: a rewrite of the whole chain "
            "up to them would not be detected (set REGMOD_AUDIT_SIGNING_KEY)"
        )
    if verifier is None and unsigned < len(checkpoints):
        report.notes.append("no public key given: checkpoint signatures were not checked")
    last_checkpoint = max((checkpoint.seq for checkpoint in checkpoints), default=0)
    if report.last_seq > last_checkpoint:
        report.notes.append(
            f"entries after seq {last_checkpoint} are not yet covered by a checkpoint"
        )


def verify_tenant(
    conn: sa.Connection, tenant: str, verifier: Verifier | None = None
) -> VerificationReport:
    """Verify ``tenant``'s chain in the store, streaming its entries."""
    return verify_chain(
        tenant,
        read_entries(conn, tenant),
        read_checkpoints(conn, tenant),
        verifier=verifier,
        head=read_head(conn, tenant),
    )
