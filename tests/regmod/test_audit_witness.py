"""The witness file: appended when a checkpoint's transaction commits, read back line by line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from regmod.audit.chain import EntryKind
from regmod.audit.log import AuditWriter, read_checkpoints, read_entries
from regmod.audit.signing import Signer
from regmod.audit.witness import FileWitness
from regmod.errors import ConfigurationError
from regmod.store.engine import Store


def _append(store: Store, writer: AuditWriter, tenant: str, size: int) -> None:
    with store.write() as conn:
        writer.append_many(conn, tenant, EntryKind.MODEL_CHANGE, "admin", [{}] * size)


def test_each_checkpoint_is_appended_as_one_signed_line(
    store: Store, tenant: str, signer: Signer, tmp_path: Path
) -> None:
    witness = FileWitness(tmp_path / "witness.jsonl")
    writer = AuditWriter(signer, 3, 0, witness)
    _append(store, writer, tenant, 4)
    first = witness.path.read_bytes()
    _append(store, writer, tenant, 3)
    assert witness.path.read_bytes().startswith(first)
    records = [json.loads(line) for line in witness.path.read_text().splitlines()]
    assert [(r["tenant"], r["seq"], r["key_id"]) for r in records] == [
        (tenant, 4, signer.verifier.key_id),
        (tenant, 7, signer.verifier.key_id),
    ]
    with store.read() as conn:
        assert witness.read().checkpoints == read_checkpoints(conn, tenant)


def test_a_rolled_back_transaction_leaves_the_witness_alone(
    store: Store, tenant: str, tmp_path: Path
) -> None:
    witness = FileWitness(tmp_path / "witness.jsonl")
    writer = AuditWriter(None, 2, 0, witness)
    with pytest.raises(RuntimeError), store.write() as conn:
        writer.append_many(conn, tenant, EntryKind.MODEL_CHANGE, "admin", [{}] * 3)
        raise RuntimeError("the caller fails after the checkpoint")
    assert not witness.path.exists()
    _append(store, writer, tenant, 2)
    assert [c.seq for c in witness.read().checkpoints] == [2]


def test_a_witness_that_cannot_be_written_aborts_the_transaction(
    store: Store, tenant: str, tmp_path: Path
) -> None:
    writer = AuditWriter(None, 2, 0, FileWitness(tmp_path))  # a directory: no file to append to
    with pytest.raises(ConfigurationError, match="cannot be appended to"):
        _append(store, writer, tenant, 3)
    with store.read() as conn:
        assert list(read_entries(conn, tenant)) == []
        assert read_checkpoints(conn, tenant) == []


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "not JSON"),
        ("[1]", "not a JSON object"),
        ('{"tenant": "x"}', "field 'seq' missing or of the wrong type"),
        (
            '{"tenant":"x","seq":true,"head_hash":"h","recorded_at":"t","key_id":null,'
            '"signature":null}',
            "field 'seq' missing or of the wrong type",
        ),
        (
            '{"tenant":"x","seq":0,"head_hash":"h","recorded_at":"t","key_id":null,'
            '"signature":null}',
            "field 'seq' is not a chain position",
        ),
    ],
)
def test_unreadable_lines_are_named_by_number(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "witness.jsonl"
    good = '{"head_hash":"h","key_id":null,"recorded_at":"t","seq":1,"signature":null,"tenant":"x"}'
    path.write_text(f"{good}\n{line}\n")
    log = FileWitness(path).read()
    assert [c.seq for c in log.checkpoints] == [1]
    assert log.problems == [(2, message)]
