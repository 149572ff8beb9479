"""Verification: recompute a chain and its checkpoints and say where it stops fitting.

Works on any stream of entries (the store, or an export read back), so an auditor verifies offline
with the same code the service uses. With a trusted key it fails closed: an unsigned checkpoint, a
missing head or a tail the checkpoint cadence should have covered is a problem, not a note.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

import sqlalchemy as sa

from regmod.audit.cadence import Cadence
from regmod.audit.chain import GENESIS_HASH, Checkpoint, Entry, entry_hash
from regmod.audit.log import Head, read_checkpoints, read_entries, read_head
from regmod.audit.signing import Verifier
from regmod.audit.witness import WitnessLog

MAX_PROBLEMS = 100
"""Verification stops collecting after this many problems; the first one is what matters."""


@dataclass(frozen=True)
class Problem:
    """One place where the stored chain does not fit: at ``seq``, ``field`` was not as expected.

    ``seq`` 0 is a problem before the chain, such as an unreadable witness line.
    """

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
    witnessed_checked: int = 0
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


@dataclass(frozen=True)
class Expectations:
    """What a chain must satisfy beyond its hashes: trusted key, cadence, witness, time."""

    verifier: Verifier | None = None
    cadence: Cadence | None = None
    witness: WitnessLog | None = None
    now: datetime | None = None


def verify_chain(
    tenant: str,
    entries: Iterable[Entry],
    checkpoints: Sequence[Checkpoint],
    *,
    verifier: Verifier | None = None,
    first_seq: int = 1,
    anchor_hash: str = GENESIS_HASH,
    head: Head | None = None,
    expect: Expectations | None = None,
) -> VerificationReport:
    """Verify ``entries`` (in ``seq`` order, starting at ``first_seq`` after ``anchor_hash``).

    Catches modified content (hash mismatch), deleted, reordered or inserted entries (seq and
    prev_hash mismatches), a truncated tail (a checkpoint or the witness names an entry that is
    gone, or the cadence left it uncovered) and forged or unsigned checkpoints (with a trusted
    ``verifier``). ``expect`` adds the cadence and the witness; its verifier wins when set.
    """
    expect = expect or Expectations()
    if expect.verifier is None:
        expect = replace(expect, verifier=verifier)
    walk = _Walk(VerificationReport(tenant), checkpoints, expect)
    walk.run(entries, first_seq, anchor_hash)
    report = walk.report
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
    _add_notes(report, checkpoints, walk.verifier)
    return report


class _Walk:
    """One pass over the entries, checking each against its checkpoint and witnessed heads."""

    def __init__(
        self,
        report: VerificationReport,
        checkpoints: Sequence[Checkpoint],
        expect: Expectations,
    ) -> None:
        self.report, self.verifier, self.expect = report, expect.verifier, expect
        self.checkpoints = checkpoints
        self.pending = {checkpoint.seq: checkpoint for checkpoint in checkpoints}
        self.witnessed: dict[int, list[Checkpoint]] = defaultdict(list)
        self.covered_seq = 0
        self.oldest_uncovered_at: str | None = None
        if expect.witness is not None:
            for checkpoint in expect.witness.of(report.tenant):
                self.witnessed[checkpoint.seq].append(checkpoint)

    def run(self, entries: Iterable[Entry], first_seq: int, anchor_hash: str) -> None:
        """Check every entry in order; the per-entry work stays inline, it runs millions of times."""
        report, tenant, pending, witnessed = (
            self.report,
            self.report.tenant,
            self.pending,
            self.witnessed,
        )
        expected_seq, prev_hash = first_seq, anchor_hash
        self.covered_seq = first_seq - 1
        count, last, uncovered_at = 0, None, None
        for entry in entries:
            seq = entry.seq
            if seq != expected_seq:
                report.add(Problem(expected_seq, "seq", str(expected_seq), str(seq), _gap(seq)))
            if entry.prev_hash != prev_hash:
                report.add(
                    Problem(seq, "prev_hash", prev_hash, entry.prev_hash, "chain broken here")
                )
            recomputed = entry_hash(
                entry.tenant,
                seq,
                entry.kind,
                entry.recorded_at,
                entry.actor,
                entry.payload,
                entry.prev_hash,
            )
            if recomputed != entry.entry_hash or entry.tenant != tenant:
                report.add(
                    Problem(seq, "entry_hash", recomputed, entry.entry_hash, "content was altered")
                )
            if (seq in pending or seq in witnessed) and self._check_heads_at(entry):
                uncovered_at = None
            elif uncovered_at is None:
                uncovered_at = entry.recorded_at
            count += 1
            last = entry
            expected_seq, prev_hash = seq + 1, entry.entry_hash
        self.oldest_uncovered_at = uncovered_at
        if last is not None:
            report.entries_checked += count
            report.last_seq, report.last_hash = last.seq, last.entry_hash
        self._check_beyond_chain()
        self._check_cadence()
        self._check_witness()

    def _check_heads_at(self, entry: Entry) -> bool:
        """The checkpoint and the witnessed heads at ``entry``'s position must name its hash.

        True when a stored checkpoint covers ``entry``.
        """
        checkpoint = self.pending.pop(entry.seq, None)
        if checkpoint is not None:
            self.report.checkpoints_checked += 1
            if checkpoint.head_hash != entry.entry_hash:
                self.report.add(
                    Problem(
                        checkpoint.seq,
                        "checkpoint",
                        checkpoint.head_hash,
                        entry.entry_hash,
                        "entry differs from the checkpointed head",
                    )
                )
            if self._signed(checkpoint, "signature"):
                self.report.signatures_verified += 1
            self.covered_seq = entry.seq
        for witnessed in self.witnessed.pop(entry.seq, []):
            self.report.witnessed_checked += 1
            self._signed(witnessed, "witness")
            if witnessed.head_hash != entry.entry_hash:
                self.report.add(
                    Problem(
                        entry.seq,
                        "witness",
                        witnessed.head_hash,
                        entry.entry_hash,
                        "entry differs from the head the witness saw: chain rewritten",
                    )
                )
        return checkpoint is not None

    def _signed(self, checkpoint: Checkpoint, field_name: str) -> bool:
        """True when the trusted key signed ``checkpoint``; a problem when it did not.

        ``field_name`` is ``signature`` for a stored checkpoint, ``witness`` for a witnessed one.
        """
        verifier = self.verifier
        if verifier is None:
            return False
        what = "checkpoint" if field_name == "signature" else "witnessed checkpoint"
        if checkpoint.signature is None:
            self.report.add(
                Problem(
                    checkpoint.seq,
                    field_name,
                    f"signature by key {verifier.key_id}",
                    "unsigned",
                    f"{what} is unsigned but a trusted key is configured",
                )
            )
            return False
        if checkpoint.key_id != verifier.key_id or not verifier.verify(
            checkpoint.message(), checkpoint.signature
        ):
            self.report.add(
                Problem(
                    checkpoint.seq,
                    field_name,
                    f"valid signature by key {verifier.key_id}",
                    f"key {checkpoint.key_id}",
                    f"{what} signature does not verify",
                )
            )
            return False
        return True

    def _check_beyond_chain(self) -> None:
        """Checkpoints and witnessed heads past the last entry mean the tail was cut."""
        last_seq = self.report.last_seq
        for seq, checkpoint in sorted(self.pending.items()):
            self.report.add(
                Problem(
                    seq,
                    "checkpoint",
                    checkpoint.head_hash,
                    "no entry",
                    f"entry named by a checkpoint is missing (chain ends at seq {last_seq})",
                )
            )
            self.report.checkpoints_checked += 1
            self._signed(checkpoint, "signature")
        if self.witnessed:
            size = max(self.witnessed)
            self.report.add(
                Problem(
                    last_seq + 1,
                    "witness",
                    f"chain of at least {size} entries",
                    f"chain ends at seq {last_seq}",
                    "chain is shorter than the witness saw: truncated or rolled back",
                )
            )
            for witnessed in (c for seq in sorted(self.witnessed) for c in self.witnessed[seq]):
                self._signed(witnessed, "witness")

    def _check_cadence(self) -> None:
        cadence = self.expect.cadence
        if cadence is None:
            return
        reason = cadence.overdue(
            self.covered_seq, self.report.last_seq, self.oldest_uncovered_at, self.expect.now
        )
        if reason is not None:
            self.report.add(
                Problem(
                    self.covered_seq + 1,
                    "checkpoint",
                    f"a checkpoint after seq {self.covered_seq}",
                    "none",
                    reason,
                )
            )

    def _check_witness(self) -> None:
        """Every unreadable witness line, and every stored checkpoint the witness lacks."""
        witness = self.expect.witness
        if witness is None:
            return
        if not witness.exists:
            self.report.notes.append(f"witness {witness.path} does not exist: nothing witnessed")
        for line, message in witness.problems:
            self.report.add(
                Problem(
                    0,
                    "witness",
                    "a checkpoint per line",
                    f"line {line}",
                    f"{witness.path} line {line}: {message}",
                )
            )
        witnessed, stored = witness.of(self.report.tenant), set(self.checkpoints)
        seen = set(witnessed)
        for checkpoint in self.checkpoints:
            if checkpoint not in seen:
                self._unmatched(checkpoint, "stored checkpoint is not in the witness")
        for checkpoint in witnessed:
            if checkpoint.seq <= self.report.last_seq and checkpoint not in stored:
                self._unmatched(checkpoint, "witnessed checkpoint is missing from the store")

    def _unmatched(self, checkpoint: Checkpoint, message: str) -> None:
        self.report.add(
            Problem(
                checkpoint.seq,
                "witness",
                f"{checkpoint.head_hash} in the store and the witness",
                "in one only",
                f"{message} (checkpoints deleted, forged or the witness cut short)",
            )
        )


def _gap(found_seq: int) -> str:
    return f"entries missing, out of order or inserted before seq {found_seq}"


def _add_notes(
    report: VerificationReport, checkpoints: Sequence[Checkpoint], verifier: Verifier | None
) -> None:
    unsigned = sum(checkpoint.signature is None for checkpoint in checkpoints)
    if not checkpoints:
        report.notes.append("no checkpoints: truncation of the tail cannot be detected")
    elif unsigned and verifier is None:
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
    conn: sa.Connection,
    tenant: str,
    verifier: Verifier | None = None,
    expect: Expectations | None = None,
) -> VerificationReport:
    """Verify ``tenant``'s chain in the store, streaming its entries; a missing head row fails."""
    head = read_head(conn, tenant)
    report = verify_chain(
        tenant,
        read_entries(conn, tenant),
        read_checkpoints(conn, tenant),
        verifier=verifier,
        head=head,
        expect=expect,
    )
    if head is None:
        report.add(
            Problem(
                report.last_seq,
                "head",
                "a head row",
                "none",
                "head row of the chain is missing (chain deleted or tenant spliced in)",
            )
        )
    return report
