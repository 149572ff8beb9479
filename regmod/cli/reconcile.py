"""``regmod reconcile``, ``train``, ``explain``, ``review`` and ``demo``: batch reconciliation from the
terminal, with a progress bar per stage and a summary table at the end."""

from __future__ import annotations

import functools
import getpass
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ParamSpec, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from matching.errors import MatchingError
from regmod.cli.mapping import print_recognition
from regmod.errors import ConfigurationError
from regmod.ingest import read_inputs
from regmod.reconcile.explain import explain_record
from regmod.reconcile.manifest import RunManifest
from regmod.reconcile.review import ReviewDecision, record_decision, review_queue
from regmod.settings import get_settings

if TYPE_CHECKING:
    from regmod.reconcile.run import RunRequest

console = Console()
review_app = typer.Typer(help="Work the review queue of a run: list, accept or reject candidates.")

P = ParamSpec("P")
R = TypeVar("R")


def user_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn engine and validation errors into ``RegmodError`` so the CLI prints one line."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except (MatchingError, ValidationError) as error:
            first_line = str(error).splitlines()[0]
            raise ConfigurationError(first_line) from error

    return wrapper


class _StageBars:
    """Rich progress bars, one per stage, ticked when the stage ends."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._tasks: dict[str, TaskID] = {}

    def started(self, stage: str) -> None:
        """Show a running bar for ``stage``."""
        self._tasks[stage] = self._progress.add_task(stage, total=1)

    def finished(self, stage: str, seconds: float) -> None:
        """Complete the bar of ``stage``."""
        self._progress.update(self._tasks[stage], completed=1)


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description:<10}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def _default_out(name: str) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return get_settings().runs_dir / f"{name}-{stamp}"


def print_summary(manifest: RunManifest, run_dir: Path) -> None:
    """Counts per decision (adding up to rows in) and time per stage."""
    counts = manifest.counts
    decisions = Table(title="Decisions", show_footer=True)
    decisions.add_column("decision", footer="rows in")
    decisions.add_column("records", justify="right", footer=f"{counts.rows_in:,}")
    decisions.add_column("share", justify="right")
    total = counts.rows_in or 1
    for label, value in (
        ("match (linked)", counts.linked),
        ("review", counts.review),
        ("no match", counts.unmatched),
        ("quarantined", counts.quarantined),
    ):
        decisions.add_row(label, f"{value:,}", f"{100 * value / total:.2f} %")
    console.print(decisions)
    balance = "holds" if counts.balanced else "VIOLATED"
    console.print(
        f"rows in {counts.rows_in:,} = linked {counts.linked:,} + review {counts.review:,} + "
        f"unmatched {counts.unmatched:,} + quarantined {counts.quarantined:,}: {balance}"
    )
    if counts.reference_shared_idnr_rows:
        console.print(
            f"[yellow]{counts.reference_shared_idnr_rows:,} reference rows share an IDNr with "
            "another row: quarantined, none linked (clear them up in the reference)[/]"
        )
    timings = Table(title="Time per stage")
    timings.add_column("stage")
    timings.add_column("seconds", justify="right")
    for stage, seconds in manifest.timings_seconds.items():
        timings.add_row(stage, f"{seconds:.2f}")
    console.print(timings)
    if manifest.quality is not None:
        quality = manifest.quality
        console.print(
            f"against truth: precision {quality.precision:.4f}, recall {quality.recall:.4f}, "
            f"review {100 * quality.review_share:.2f} %"
        )
    console.print(f"model {manifest.model_hash[:16]} · run directory {run_dir}")
    console.print(f"report: {run_dir / 'report.html'}")


def _check_out(out: Path) -> None:
    """Refuse an ``--out`` that exists or lies under a file before any stage runs."""
    if out.exists():
        raise ConfigurationError(
            f"run directory {out} already exists; choose a new --out or remove it first"
        )
    blocking = next((parent for parent in out.parents if parent.is_file()), None)
    if blocking is not None:
        raise ConfigurationError(f"--out {out} lies under {blocking}, a file, not a directory")


def _run(request: RunRequest) -> None:
    from regmod.reconcile.run import reconcile

    _check_out(request.out)
    with _progress() as progress:
        result = reconcile(request, _StageBars(progress))
    print_summary(result.manifest, result.run_dir)


@user_errors
def reconcile_command(
    register: Annotated[Path, typer.Argument(help="Register extract (CSV, Parquet, JSON lines).")],
    reference: Annotated[Path, typer.Argument(help="IDNr reference data.")],
    mapping: Annotated[
        Path | None, typer.Option(help="Column mapping of the register (TOML or JSON).")
    ] = None,
    reference_mapping: Annotated[
        Path | None, typer.Option(help="Column mapping of the reference (TOML or JSON).")
    ] = None,
    encoding: Annotated[
        str | None, typer.Option(help="Encoding of the register, e.g. cp1252 (default: detect).")
    ] = None,
    spec: Annotated[
        Path | None, typer.Option(help="LinkageSpec JSON (default: the German spec).")
    ] = None,
    model: Annotated[Path | None, typer.Option(help="Trained model JSON; skips training.")] = None,
    match_threshold: Annotated[
        float | None, typer.Option(help="Match probability for an automatic link.")
    ] = None,
    review_threshold: Annotated[
        float | None, typer.Option(help="Match probability from which a pair goes to review.")
    ] = None,
    truth: Annotated[
        Path | None, typer.Option(help="Truth file (record id; IDNr) for precision and recall.")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Run directory to create.")] = None,
    csv: Annotated[
        bool, typer.Option("--csv", help="Also write CSV copies of the tables.")
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Only read both inputs and print what was recognised."),
    ] = False,
) -> None:
    """Link a register extract to the IDNr reference and write a run directory."""
    from regmod.reconcile.run import RunRequest

    if dry_run:
        inputs = read_inputs(
            register,
            reference,
            mapping=mapping,
            reference_mapping=reference_mapping,
            encoding=encoding,
        )
        for role, result in zip(("register", "reference"), inputs, strict=True):
            print_recognition(role, result)
        return
    _run(
        RunRequest(
            register=register,
            reference=reference,
            out=out or _default_out(register.stem),
            mapping=mapping,
            reference_mapping=reference_mapping,
            encoding=encoding,
            spec=spec,
            model=model,
            match_threshold=match_threshold,
            review_threshold=review_threshold,
            truth=truth,
            csv=csv,
        )
    )


@user_errors
def train_command(
    register: Annotated[Path, typer.Argument(help="Register extract.")],
    reference: Annotated[Path, typer.Argument(help="IDNr reference data.")],
    out: Annotated[Path, typer.Option(help="Where to write the model JSON.")] = Path("model.json"),
    mapping: Annotated[Path | None, typer.Option(help="Column mapping of the register.")] = None,
    reference_mapping: Annotated[
        Path | None, typer.Option(help="Column mapping of the reference.")
    ] = None,
    encoding: Annotated[str | None, typer.Option(help="Encoding of the register.")] = None,
    spec: Annotated[Path | None, typer.Option(help="LinkageSpec JSON.")] = None,
    labels: Annotated[
        list[Path] | None,
        typer.Option(help="labels.parquet of reviewed runs: fit m from these labelled pairs too."),
    ] = None,
) -> None:
    """Fit the linkage model on a register and reference, and save it as JSON with its hash."""
    from regmod.reconcile.run import TrainRequest, train_model

    model_hash = train_model(
        TrainRequest(
            register=register,
            reference=reference,
            out=out,
            mapping=mapping,
            reference_mapping=reference_mapping,
            encoding=encoding,
            spec=spec,
            labels=tuple(labels or ()),
        )
    )
    console.print(f"model {model_hash} written to {out}")


@user_errors
def explain_command(
    run_dir: Annotated[Path, typer.Argument(help="A reconciliation run directory.")],
    record_id: Annotated[str, typer.Argument(help="Record id of the register record.")],
    idnr: Annotated[
        str | None, typer.Option(help="Candidate to explain (default: the decided or best one).")
    ] = None,
) -> None:
    """Show one record's decision as a waterfall: prior, each comparison's part, total."""
    waterfall = explain_record(run_dir, record_id, idnr)
    table = Table(title=f"{waterfall.record_id} → {waterfall.idnr} ({waterfall.decision})")
    table.add_column("term")
    table.add_column("log2 odds", justify="right")
    table.add_column("", min_width=30)
    scale = max((abs(value) for _, value in waterfall.steps), default=1.0) or 1.0
    total = 0.0
    for label, value in waterfall.steps:
        total += value
        bar = "█" * max(1, round(15 * abs(value) / scale)) if value else ""
        colour = "green" if value >= 0 else "red"
        table.add_row(label, f"{value:+.2f}", f"[{colour}]{bar}[/]")
    table.add_row("[bold]match weight[/]", f"[bold]{total:+.2f}[/]", "")
    console.print(table)
    if waterfall.contradictions:
        console.print(
            f"decisive: {', '.join(waterfall.contradictions)} say these are two different "
            "people (twins, parent and child, namesakes), so this pair is never linked "
            "automatically, whatever its weight"
        )
    if waterfall.reason:
        console.print(f"in review: {waterfall.reason}")


@review_app.command("list")
@user_errors
def review_list(run_dir: Annotated[Path, typer.Argument(help="A run directory.")]) -> None:
    """List the review queue with its candidates and the verdicts given so far."""
    queue = review_queue(run_dir)
    table = Table(title=f"Review queue ({queue['record_id'].n_unique()} records)")
    for column in ("record_id", "rank", "idnr", "weight", "probability", "label"):
        table.add_column(column)
    for row in queue.iter_rows(named=True):
        label = {True: "accepted", False: "rejected", None: ""}[row["label"]]
        table.add_row(
            row["record_id"],
            str(row["rank"]),
            row["idnr"],
            f"{row['match_weight']:.2f}",
            f"{row['match_probability']:.4f}",
            label,
        )
    console.print(table)


def _decide(
    run_dir: Path, record_id: str, idnr: str, reason: str, is_match: bool, tenant: str | None
) -> None:
    reviewer = getpass.getuser()
    labels = record_decision(
        run_dir,
        ReviewDecision(
            record_id=record_id, idnr=idnr, is_match=is_match, reason=reason, reviewer=reviewer
        ),
    )
    verdict = "accepted" if is_match else "rejected"
    console.print(f"{record_id} ↔ {idnr} {verdict}; {labels.height} labelled pair(s) in the run")
    if tenant is not None:
        _decide_in_store(run_dir, tenant, record_id, idnr, reason, is_match, reviewer)


def _decide_in_store(
    run_dir: Path,
    tenant: str,
    record_id: str,
    idnr: str,
    reason: str,
    is_match: bool,
    reviewer: str,
) -> None:
    """The same verdict on the loaded run in the store: a review decision, an audit entry, and
    for an acceptance the link."""
    from regmod.audit.log import AuditWriter
    from regmod.cli.db import open_store
    from regmod.settings import get_settings
    from regmod.store.review import decide_review, find_review_item
    from regmod.store.runs import read_manifest

    run_id = read_manifest(run_dir)["run_id"]
    store = open_store()
    with store.write() as conn:
        item_id = find_review_item(conn, tenant, str(run_id), record_id, idnr)
        decide_review(
            conn,
            AuditWriter.from_settings(get_settings()),
            tenant,
            item_id,
            reviewer,
            accept=is_match,
            reason=reason,
        )
    console.print(f"recorded in the store for tenant {tenant} and in its audit log")


TenantOption = Annotated[
    str | None,
    typer.Option(help="Also decide the loaded run's review item in the store (audited)."),
]


ReasonOption = Annotated[str, typer.Option(help="Why: kept with the labelled pair.")]


@review_app.command("accept")
@user_errors
def review_accept(
    run_dir: Annotated[Path, typer.Argument()],
    record_id: Annotated[str, typer.Argument()],
    idnr: Annotated[str, typer.Argument()],
    reason: ReasonOption,
    tenant: TenantOption = None,
) -> None:
    """Accept a candidate: the record and the IDNr are the same person."""
    _decide(run_dir, record_id, idnr, reason, is_match=True, tenant=tenant)


@review_app.command("reject")
@user_errors
def review_reject(
    run_dir: Annotated[Path, typer.Argument()],
    record_id: Annotated[str, typer.Argument()],
    idnr: Annotated[str, typer.Argument()],
    reason: ReasonOption,
    tenant: TenantOption = None,
) -> None:
    """Reject a candidate: the record and the IDNr are different persons."""
    _decide(run_dir, record_id, idnr, reason, is_match=False, tenant=tenant)


@user_errors
def demo_command(
    out: Annotated[Path | None, typer.Option(help="Run directory to create.")] = None,
) -> None:
    """Reconcile the shipped sample register against its reference, with truth."""
    from regmod.reconcile.run import RunRequest, sample_files

    files = sample_files()
    console.print(f"sample register {files.register} against {files.reference}")
    _run(
        RunRequest(
            register=files.register,
            reference=files.reference,
            truth=files.truth,
            out=out or _default_out("demo"),
        )
    )


def register(app: typer.Typer) -> None:
    """Add the reconciliation commands to the ``regmod`` command."""
    app.command("reconcile")(reconcile_command)
    app.command("train")(train_command)
    app.command("explain")(explain_command)
    app.add_typer(review_app, name="review")
    app.command("demo")(demo_command)


__all__ = ["register"]
