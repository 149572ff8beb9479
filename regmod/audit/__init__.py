"""The tamper-evident audit log: a SHA-256 hash chain per tenant with Ed25519-signed checkpoints."""

from regmod.audit.cadence import Cadence
from regmod.audit.chain import GENESIS_HASH, Checkpoint, Entry, EntryKind
from regmod.audit.export import ExportFormat, ExportHeader, export_audit, verify_export
from regmod.audit.log import AuditWriter, Head, create_chain, read_checkpoints, read_entries
from regmod.audit.signing import Signer, Verifier
from regmod.audit.verify import (
    Expectations,
    Problem,
    VerificationReport,
    verify_chain,
    verify_tenant,
)
from regmod.audit.witness import FileWitness, WitnessLog

__all__ = [
    "GENESIS_HASH",
    "AuditWriter",
    "Cadence",
    "Checkpoint",
    "Entry",
    "EntryKind",
    "Expectations",
    "ExportFormat",
    "ExportHeader",
    "FileWitness",
    "Head",
    "Problem",
    "Signer",
    "VerificationReport",
    "Verifier",
    "WitnessLog",
    "create_chain",
    "export_audit",
    "read_checkpoints",
    "read_entries",
    "verify_chain",
    "verify_export",
    "verify_tenant",
]
