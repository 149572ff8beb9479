"""The witness: an append-only JSON-lines file outside the database holding every checkpoint.

Like a Certificate Transparency witness keeping the signed tree heads it has seen, it lets
``verify`` catch a rewrite or rollback of the database alone. A checkpoint's line is appended
(``O_APPEND``, then ``fsync``) when its transaction commits, before the database commits, so the
witness is never behind the store; a database commit that fails after it leaves a witnessed head
the store lacks, which verify reports like a rollback.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from regmod.audit.canonical import canonical_json
from regmod.audit.chain import Checkpoint
from regmod.errors import ConfigurationError

_PENDING = "regmod_witness_pending"
_HOOKED = threading.Lock()


@dataclass(frozen=True)
class FileWitness:
    """A witness file: one canonical-JSON checkpoint per line, only ever appended to."""

    path: Path

    def append(self, checkpoints: Sequence[Checkpoint]) -> None:
        """Append ``checkpoints`` in one write and flush them to disk."""
        data = memoryview("".join(_line(c) for c in checkpoints).encode())
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
            try:
                while data:
                    data = data[os.write(fd, data) :]
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as error:
            raise ConfigurationError(
                f"audit witness {self.path} cannot be appended to ({error.strerror}); "
                "check REGMOD_AUDIT_WITNESS"
            ) from error

    def read(self) -> WitnessLog:
        """Every checkpoint in the file, and each line that is not one."""
        try:
            text = self.path.read_bytes().decode("utf-8", errors="replace")
        except FileNotFoundError:
            return WitnessLog(self.path, [], exists=False)
        except OSError as error:
            return WitnessLog(self.path, [], [(0, f"cannot be read ({error.strerror})")])
        log = WitnessLog(self.path, [], [])
        lines = text.split("\n")
        for number, line in enumerate(lines, start=1):
            if number == len(lines):
                if line:
                    log.problems.append((number, "last line is cut off (no newline)"))
                break
            checkpoint = _parse(line)
            if isinstance(checkpoint, str):
                log.problems.append((number, checkpoint))
            else:
                log.checkpoints.append(checkpoint)
        return log


@dataclass
class WitnessLog:
    """What a witness file holds: its checkpoints in file order and its unreadable lines.

    A file that does not exist holds nothing; every stored checkpoint then fails as unwitnessed.
    """

    path: Path
    checkpoints: list[Checkpoint]
    problems: list[tuple[int, str]] = field(default_factory=list)
    exists: bool = True

    def of(self, tenant: str) -> list[Checkpoint]:
        """The witnessed checkpoints of ``tenant``."""
        return [checkpoint for checkpoint in self.checkpoints if checkpoint.tenant == tenant]

    def tenants(self) -> set[str]:
        """Every tenant the witness has seen."""
        return {checkpoint.tenant for checkpoint in self.checkpoints}


def _line(checkpoint: Checkpoint) -> str:
    return canonical_json(asdict(checkpoint)) + "\n"


_TYPES: dict[str, tuple[type, ...]] = {
    "tenant": (str,),
    "seq": (int,),
    "head_hash": (str,),
    "recorded_at": (str,),
    "key_id": (str, type(None)),
    "signature": (str, type(None)),
}


def _parse(line: str) -> Checkpoint | str:
    """The checkpoint on ``line``, or what is wrong with the line."""
    try:
        record: Any = json.loads(line)
    except json.JSONDecodeError:
        return "not JSON"
    if not isinstance(record, dict):
        return "not a JSON object"
    for name, types in _TYPES.items():
        value = record.get(name)
        if not isinstance(value, types) or isinstance(value, bool):
            return f"field {name!r} missing or of the wrong type"
    if record["seq"] < 1:
        return "field 'seq' is not a chain position"
    return Checkpoint(**{name: record[name] for name in _TYPES})


def witness_at_commit(conn: sa.Connection, witness: FileWitness, checkpoint: Checkpoint) -> None:
    """Queue ``checkpoint`` for ``witness``; it is appended when ``conn``'s transaction commits.

    A failed append aborts the commit, so no checkpoint is stored that the witness lacks.
    """
    engine = conn.engine
    with _HOOKED:
        if not event.contains(engine, "commit", _flush):
            event.listen(engine, "begin", _discard)
            event.listen(engine, "rollback", _discard)
            event.listen(engine, "commit", _flush)
    conn.info.setdefault(_PENDING, []).append((witness, checkpoint))


def _flush(conn: sa.Connection) -> None:
    pending: list[tuple[FileWitness, Checkpoint]] = conn.info.pop(_PENDING, [])
    for witness in dict.fromkeys(witness for witness, _ in pending):
        witness.append([checkpoint for owner, checkpoint in pending if owner == witness])


def _discard(conn: sa.Connection) -> None:
    conn.info.pop(_PENDING, None)
