"""One reconciliation run as a chain of pure stages, with I/O only at the two ends.

read (ingest + normalise) → prepare keys → block → compare → train (or load) → score → dedupe →
decide → report → write
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

import fixtures
from matching.model import TrainedModel
from matching.spec import LinkageSpec, Thresholds
from regmod.errors import ConfigurationError, InputError
from regmod.ingest import IngestResult, read_inputs, read_register
from regmod.linkage import german_spec, prepare_for_linkage
from regmod.reconcile import engine
from regmod.reconcile.decide import MATCH, NO_MATCH, REVIEW, DecisionRules, Decisions, decide
from regmod.reconcile.explain import candidate_levels, sample_waterfalls
from regmod.reconcile.manifest import DecisionCounts, InputFile, RunManifest, sha256_of
from regmod.reconcile.outputs import (
    decision_counts,
    duplicates_table,
    links_table,
    review_table,
    unmatched_table,
)
from regmod.reconcile.quality import measure_quality, read_truth
from regmod.reconcile.report import ReportData, render_report
from regmod.reconcile.review import read_labels
from regmod.reconcile.rundir import write_run_directory
from regmod.reconcile.stages import SilentObserver, StageClock, StageObserver
from regmod.record import RECORD_ID

TIE_MARGIN = 4.0
"""Weight (log2 odds) by which a winner must lead its competitors to be linked automatically."""


@dataclass(frozen=True)
class LinkageInputs:
    """The register, the reference and how to read and link them (shared by run and train)."""

    register: Path
    reference: Path
    out: Path
    mapping: Path | None = None
    reference_mapping: Path | None = None
    encoding: str | None = None
    spec: Path | None = None


@dataclass(frozen=True)
class RunRequest(LinkageInputs):
    """Inputs and options of ``regmod reconcile``."""

    model: Path | None = None
    match_threshold: float | None = None
    review_threshold: float | None = None
    truth: Path | None = None
    csv: bool = False


@dataclass(frozen=True)
class TrainRequest(LinkageInputs):
    """Inputs and options of ``regmod train``."""

    labels: tuple[Path, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class RunResult:
    """Where the run was written and its manifest."""

    run_dir: Path
    manifest: RunManifest


@dataclass(frozen=True)
class SampleFiles:
    """The fixture sample shipped with the repository."""

    register: Path
    reference: Path
    truth: Path


def sample_files() -> SampleFiles:
    """Locate the committed fixture sample (``fixtures/sample``) beside the fixtures package."""
    folder = Path(fixtures.__file__).resolve().parent / "sample"
    files = SampleFiles(
        register=folder / "register.csv",
        reference=folder / "reference.csv",
        truth=folder / "truth.csv",
    )
    missing = [str(path) for path in (files.register, files.reference) if not path.is_file()]
    if missing:
        raise ConfigurationError(f"the fixture sample is missing: {', '.join(missing)}")
    return files


def load_spec(path: Path | None) -> LinkageSpec:
    """The spec from a JSON file, or the German default."""
    if path is None:
        return german_spec()
    try:
        return LinkageSpec.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("spec file not found", file=str(path)) from None


def with_thresholds(spec: LinkageSpec, match: float | None, review: float | None) -> LinkageSpec:
    """``spec`` with the thresholds given on the command line replacing its own."""
    if match is None and review is None:
        return spec
    thresholds = Thresholds(
        match=spec.thresholds.match if match is None else match,
        review=spec.thresholds.review if review is None else review,
    )
    return spec.model_copy(update={"thresholds": thresholds})


def linkable(result: IngestResult) -> pl.DataFrame:
    """Keyed for the German spec (ingest already normalised), sorted by record id so input order
    is irrelevant."""
    return prepare_for_linkage(result.accepted).sort(RECORD_ID)


def reconcile(request: RunRequest, observer: StageObserver | None = None) -> RunResult:
    """Run the whole reconciliation and write the run directory atomically."""
    clock = StageClock(observer or SilentObserver())
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    with clock.stage("read"):
        register_in, reference_in = read_inputs(
            request.register,
            request.reference,
            mapping=request.mapping,
            reference_mapping=request.reference_mapping,
            encoding=request.encoding,
        )
        truth = read_truth(request.truth) if request.truth else None
        spec = load_spec(request.spec)
        loaded = TrainedModel.load(request.model) if request.model else None
    with clock.stage("prepare"):
        register = linkable(register_in)
        reference = linkable(reference_in)
    if loaded is not None:
        spec = loaded.spec
    spec = with_thresholds(spec, request.match_threshold, request.review_threshold)
    linked = engine.link(register, reference, spec, loaded, clock.stage)
    model = engine.with_thresholds(linked.model, spec.thresholds)
    with clock.stage("dedupe"):
        dedupe = engine.register_pairs(register, spec)
    with clock.stage("decide"):
        rules = DecisionRules(
            match_threshold=model.spec.thresholds.match,
            review_threshold=model.spec.thresholds.review,
            tie_margin=TIE_MARGIN,
        )
        decisions = decide(
            linked.scored, dedupe, register.height, rules, reference_ids=reference["idnr"]
        )
        scored = linked.scored
        model_hash = model.model_hash
        tables = {
            "records": register_in.accepted.sort(RECORD_ID),
            "links": links_table(decisions, register, reference, model_hash),
            "review": review_table(decisions, register, reference, model_hash),
            "unmatched": unmatched_table(decisions, register, reference),
            "quarantine": _quarantine(register_in, reference_in),
            "duplicates": duplicates_table(decisions.clusters, register),
            "candidates": candidate_levels(decisions, scored, register, reference),
        }
        counts = _counts(
            register_in, reference_in, decisions, linked.candidate_pairs, tables["duplicates"]
        )
    with clock.stage("report"):
        quality = (
            measure_quality(truth, tables["links"], tables["review"], register.height)
            if truth is not None
            else None
        )
        manifest = RunManifest(
            run_id=request.out.name,
            started_at=started_at,
            inputs=_inputs(request, register_in, reference_in),
            counts=counts,
            model_hash=model_hash,
            match_threshold=rules.match_threshold,
            review_threshold=rules.review_threshold,
            tie_margin=rules.tie_margin,
            timings_seconds=dict(clock.seconds),
            quality=quality,
        )
        report = ReportData(
            manifest=manifest,
            best_weights=decisions.records["match_weight"],
            parameters=engine.parameter_table(model),
            quarantine_reasons=_reasons(tables["quarantine"]),
            waterfalls=sample_waterfalls(model, tables),
        )
        html = render_report(report)
    with clock.stage("write"):
        manifest = manifest.model_copy(update={"timings_seconds": dict(clock.seconds)})
        documents = {
            "model.json": model.to_json(),
            "manifest.json": manifest.model_dump_json(indent=1) + "\n",
            "report.html": html,
        }
        run_dir = write_run_directory(request.out, tables, documents, csv=request.csv)
    final = manifest.model_copy(update={"timings_seconds": dict(clock.seconds)})
    return RunResult(run_dir=run_dir, manifest=final)


def train_model(request: TrainRequest) -> str:
    """Fit the model of ``request`` and save it; returns the model hash."""
    spec = load_spec(request.spec)
    register = linkable(
        read_register(request.register, mapping=request.mapping, encoding=request.encoding)
    )
    reference = linkable(read_register(request.reference, mapping=request.reference_mapping))
    model = engine.link(register, reference, spec).model
    if request.labels:
        labels = pl.concat([_labels_of(path) for path in request.labels])
        model = engine.refit_m_from_labels(model, register, reference, labels)
    return model.save(request.out)


def _labels_of(path: Path) -> pl.DataFrame:
    """Labelled pairs from a run directory or its ``labels.parquet``."""
    run_dir = path.parent if path.suffix == ".parquet" else path
    labels = read_labels(run_dir)
    if labels.is_empty():
        raise InputError("no labelled pairs found; review a run first", file=str(path))
    return labels.select(RECORD_ID, "idnr", "is_match")


def _quarantine(register: IngestResult, reference: IngestResult) -> pl.DataFrame:
    """Quarantined rows of both inputs, marked by ``input``."""
    return pl.concat(
        [
            register.quarantine.with_columns(input=pl.lit("register")),
            reference.quarantine.with_columns(input=pl.lit("reference")),
        ],
        how="diagonal_relaxed",
    ).sort("input", "source_file", "source_row", "field", nulls_last=True)


def _reasons(quarantine: pl.DataFrame) -> pl.DataFrame:
    return (
        quarantine.filter(pl.col("input") == "register")
        .group_by("reason")
        .agg(pl.len().alias("rows"))
        .sort("rows", "reason", descending=[True, False])
    )


def _counts(
    register: IngestResult,
    reference: IngestResult,
    decisions: Decisions,
    candidate_pairs: int,
    duplicates: pl.DataFrame,
) -> DecisionCounts:
    per_decision = decision_counts(decisions)
    quarantined = register.rows_in - register.accepted.height
    counts = DecisionCounts(
        rows_in=register.rows_in,
        linked=per_decision[MATCH],
        review=per_decision[REVIEW],
        unmatched=per_decision[NO_MATCH],
        quarantined=quarantined,
        reference_rows=reference.rows_in,
        reference_quarantined=reference.rows_in - reference.accepted.height,
        reference_shared_idnr_rows=reference.shared_idnr.height,
        candidate_pairs=candidate_pairs,
        duplicate_clusters=duplicates["cluster_id"].n_unique(),
    )
    if not counts.balanced:
        raise ConfigurationError(
            f"rows do not add up: {counts.rows_in} in, but {counts.linked} linked + "
            f"{counts.review} review + {counts.unmatched} unmatched + {quarantined} quarantined"
        )
    return counts


def _inputs(
    request: RunRequest, register: IngestResult, reference: IngestResult
) -> list[InputFile]:
    files: list[tuple[str, Path | None, int | None]] = [
        ("register", request.register, register.rows_in),
        ("reference", request.reference, reference.rows_in),
        ("mapping", request.mapping, None),
        ("reference_mapping", request.reference_mapping, None),
        ("spec", request.spec, None),
        ("model", request.model, None),
        ("truth", request.truth, None),
    ]
    return [
        InputFile(role=role, path=str(path), sha256=sha256_of(path), rows=rows)
        for role, path, rows in files
        if path is not None
    ]
