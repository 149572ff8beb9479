"""When checkpoints are due: every N entries and every T minutes, for the writer and for verify.

The writer checkpoints the head when an append crosses a multiple of ``every`` or when the oldest
entry not yet covered by a checkpoint is ``minutes`` old; ``regmod audit checkpoint`` run from a
timer covers tenants that stop writing. Verify fails a tail the cadence should have covered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from regmod.audit.chain import parse_timestamp


@dataclass(frozen=True)
class Cadence:
    """Checkpoint every ``every`` entries (0: never by count) and ``minutes`` (0: never by age)."""

    every: int = 1000
    minutes: float = 60.0

    def crosses(self, before_seq: int, after_seq: int) -> bool:
        """True when an append from ``before_seq`` to ``after_seq`` passes a multiple of ``every``."""
        return self.every > 0 and after_seq // self.every > before_seq // self.every

    def aged(self, oldest_uncovered_at: str | None, now: datetime | None = None) -> bool:
        """True when the oldest uncovered entry (its ``recorded_at``) is ``minutes`` old or older.

        A ``recorded_at`` that is not a timestamp counts as aged: verification fails closed.
        """
        if self.minutes <= 0 or oldest_uncovered_at is None:
            return False
        recorded = parse_timestamp(oldest_uncovered_at)
        if recorded is None:
            return True
        return (now or datetime.now(UTC)) - recorded >= timedelta(minutes=self.minutes)

    def overdue(
        self,
        last_checkpoint_seq: int,
        last_seq: int,
        oldest_uncovered_at: str | None,
        now: datetime | None = None,
    ) -> str | None:
        """Why the uncovered tail ``(last_checkpoint_seq, last_seq]`` breaks the cadence, or None."""
        if self.crosses(last_checkpoint_seq, last_seq):
            return (
                f"entries {last_checkpoint_seq + 1}..{last_seq} are not covered by a checkpoint, "
                f"but one is written every {self.every} entries (checkpoints deleted or tail cut)"
            )
        if self.aged(oldest_uncovered_at, now):
            return (
                f"entry {last_checkpoint_seq + 1} (recorded {oldest_uncovered_at}) is not covered "
                f"by a checkpoint after {self.minutes:g} minutes (run `regmod audit checkpoint` "
                "on a timer, or checkpoints were deleted)"
            )
        return None
