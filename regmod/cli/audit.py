"""``regmod audit …``: verify the chain, export a period for auditors, checkpoint, make a key."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from regmod.audit.export import ExportFormat, export_audit, verify_export
from regmod.audit.log import AuditWriter, chain_tenants, read_checkpoints
from regmod.audit.signing import Signer
from regmod.audit.trust import expectations, trusted_verifier
from regmod.audit.verify import VerificationReport, verify_tenant
from regmod.audit.witness import FileWitness
from regmod.cli.db import open_store
from regmod.errors import ConfigurationError, InputError, NotFoundError
from regmod.settings import get_settings

audit_app = typer.Typer(
    help="Verify and export the tamper-evident audit log.\n\n"
    "With a trusted key (REGMOD_AUDIT_PUBLIC_KEY or the signing key) verify fails closed: "
    "unsigned or missing checkpoints, a missing head or a tail left uncovered longer than the "
    "cadence allows (REGMOD_AUDIT_CHECKPOINT_EVERY entries, REGMOD_AUDIT_CHECKPOINT_MINUTES) "
    "fail. Every checkpoint is also appended to the witness file (REGMOD_AUDIT_WITNESS); "
    "`verify --witness` catches a rewrite or rollback of the database alone. Run "
    "`regmod audit checkpoint` on a timer shorter than the minutes setting.",
    no_args_is_help=True,
)

PublicKeyOption = Annotated[
    str | None,
    typer.Option(help="Trusted Ed25519 public key (hex); default from the settings."),
]
WitnessOption = Annotated[
    Path | None,
    typer.Option(help="Witness file to compare against; default REGMOD_AUDIT_WITNESS."),
]


def _print_report(report: VerificationReport) -> None:
    status = "ok" if report.ok else "TAMPERED"
    typer.echo(
        f"tenant {report.tenant}: {status} — {report.entries_checked} entries, "
        f"{report.checkpoints_checked} checkpoints ({report.signatures_verified} signatures "
        f"verified), {report.witnessed_checked} witnessed heads, head seq {report.last_seq}"
    )
    first = report.first_problem
    if first is not None:
        typer.echo(f"  first entry that does not fit: {first}")
        if len(report.problems) > 1:
            typer.echo(f"  {len(report.problems) - 1} further problems")
    for note in report.notes:
        typer.echo(f"  note: {note}")


@audit_app.command("verify")
def verify_command(
    tenant: Annotated[str | None, typer.Option(help="Only this tenant (default: all).")] = None,
    public_key: PublicKeyOption = None,
    witness: WitnessOption = None,
) -> None:
    """Recompute every chain, checkpoint and witnessed head; exit 1 naming the first misfit."""
    expect = expectations(get_settings(), public_key=public_key, witness=witness)
    with open_store().read() as conn:
        known = set(chain_tenants(conn)) | (expect.witness.tenants() if expect.witness else set())
        if tenant is not None and tenant not in known:
            raise NotFoundError(f"tenant {tenant!r} has no chain, entries or witnessed checkpoints")
        tenants = [tenant] if tenant else sorted(known)
        reports = [verify_tenant(conn, code, expect=expect) for code in tenants]
    for report in reports:
        _print_report(report)
    if not all(report.ok for report in reports):
        raise typer.Exit(1)


def _moment(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise InputError(
            f"{text!r} is not a date; expected ISO 8601 like 2025-01-31 or 2025-01-31T12:00",
            field=option,
        ) from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@audit_app.command("export")
def export_command(
    tenant: Annotated[str, typer.Option(help="Tenant whose chain to export.")],
    out: Annotated[Path, typer.Option(help="File to write.")],
    since: Annotated[
        str | None, typer.Option("--from", help="First moment (ISO 8601, UTC if no zone).")
    ] = None,
    until: Annotated[str | None, typer.Option("--to", help="End moment, exclusive.")] = None,
    fmt: Annotated[ExportFormat, typer.Option("--format", help="File format.")] = (
        ExportFormat.JSONL
    ),
) -> None:
    """Export the entries of a period with checkpoints and the public key to verify them offline."""
    verifier = trusted_verifier(get_settings())
    with open_store().read() as conn:
        header = export_audit(
            conn,
            tenant,
            out,
            fmt=fmt,
            since=_moment(since, "--from"),
            until=_moment(until, "--to"),
            public_key=verifier.public_key_hex if verifier else None,
        )
    typer.echo(f"exported seq {header.first_seq}..{header.last_seq} of {tenant} to {out}")


@audit_app.command("verify-export")
def verify_export_command(
    path: Annotated[Path, typer.Argument(help="An export written by `regmod audit export`.")],
    public_key: Annotated[
        str | None, typer.Option(help="The published public key (hex) to trust.")
    ] = None,
) -> None:
    """Verify an export file on its own; exit 1 when it does not fit."""
    report = verify_export(path, public_key)
    _print_report(report)
    if not report.ok:
        raise typer.Exit(1)


@audit_app.command("checkpoint")
def checkpoint_command(
    tenant: Annotated[str | None, typer.Option(help="Only this tenant (default: all).")] = None,
) -> None:
    """Checkpoint (signed, witnessed) every chain head not yet covered; run it on a timer."""
    writer = AuditWriter.from_settings(get_settings())
    store = open_store()
    with store.read() as conn:
        tenants = [tenant] if tenant else list(chain_tenants(conn, orphans=False))
    failed = False
    for code in tenants:
        try:
            with store.write() as conn:
                checkpoint = writer.checkpoint(conn, code)
        except NotFoundError as error:  # no head row: report it, checkpoint the others
            typer.echo(f"tenant {code}: {error} (see `regmod audit verify`)")
            failed = True
            continue
        if checkpoint is None:
            typer.echo(f"tenant {code}: nothing to checkpoint (empty, or head checkpointed)")
        else:
            signed = "signed" if checkpoint.signature else "unsigned"
            typer.echo(
                f"tenant {code}: checkpoint at seq {checkpoint.seq} ({signed}): "
                f"{checkpoint.head_hash}"
            )
    if failed:
        raise typer.Exit(1)


@audit_app.command("witness")
def witness_command(witness: WitnessOption = None) -> None:
    """Append every stored checkpoint the witness lacks: once, when adding a witness to a store.

    Run `regmod audit verify` (with the trusted key) first: this witnesses what the store holds.
    """
    path = witness or get_settings().audit_witness
    if path is None:
        raise ConfigurationError("no witness: pass --witness or set REGMOD_AUDIT_WITNESS")
    target = FileWitness(path)
    seen = set(target.read().checkpoints)
    with open_store().read() as conn:
        stored = [c for code in chain_tenants(conn) for c in read_checkpoints(conn, code)]
    missing = [checkpoint for checkpoint in stored if checkpoint not in seen]
    if missing:
        target.append(missing)
    typer.echo(f"witnessed {len(missing)} checkpoints in {path} ({len(stored)} stored)")


@audit_app.command("keygen")
def keygen_command() -> None:
    """Print a new Ed25519 key pair: keep the private key secret, publish the public key."""
    signer = Signer.generate()
    typer.echo(f"REGMOD_AUDIT_SIGNING_KEY={signer.private_key_hex}")
    typer.echo(f"REGMOD_AUDIT_PUBLIC_KEY={signer.verifier.public_key_hex}")
