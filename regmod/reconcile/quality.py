"""Quality of a run against a truth file (record id → true IDNr, empty when the person is not in
the reference), as the fixture generator writes it."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from regmod.errors import InputError
from regmod.reconcile.manifest import Quality
from regmod.record import RECORD_ID

_RECORD_ID_HEADERS = (RECORD_ID, "Ordnungsmerkmal")
_IDNR_HEADERS = ("idnr", "IdNr")


def read_truth(path: Path) -> pl.DataFrame:
    """``record_id, idnr`` from a CSV truth file (``;`` or ``,``; header ``Ordnungsmerkmal;IdNr``
    or ``record_id,idnr``)."""
    try:
        head = path.read_text(encoding="utf-8-sig").splitlines()[0]
    except (OSError, UnicodeDecodeError, IndexError) as error:
        raise InputError(f"cannot read the truth file: {error}", file=str(path)) from None
    separator = ";" if head.count(";") >= head.count(",") else ","
    frame = pl.read_csv(path, separator=separator, infer_schema=False, encoding="utf8-lossy")
    record = next((name for name in _RECORD_ID_HEADERS if name in frame.columns), None)
    idnr = next((name for name in _IDNR_HEADERS if name in frame.columns), None)
    if record is None or idnr is None:
        raise InputError(
            f"truth file needs columns {' or '.join(_RECORD_ID_HEADERS)} and "
            f"{' or '.join(_IDNR_HEADERS)}; found {frame.columns}",
            file=str(path),
        )
    return frame.select(
        pl.col(record).alias(RECORD_ID),
        pl.col(idnr).str.strip_chars().replace("", None).alias("idnr"),
    )


def measure_quality(
    truth: pl.DataFrame, links: pl.DataFrame, review: pl.DataFrame, accepted_records: int
) -> Quality:
    """Precision and recall of the automatic links, and how much went to review."""
    true_links = truth.filter(pl.col("idnr").is_not_null())
    correct = links.join(true_links, on=[RECORD_ID, "idnr"], how="semi").height
    review_records = review.select(RECORD_ID).unique()
    in_review = true_links.join(review_records, on=RECORD_ID, how="semi").height
    return Quality(
        true_links=true_links.height,
        automatic_links=links.height,
        correct_automatic_links=correct,
        true_links_in_review=in_review,
        precision=correct / links.height if links.height else 1.0,
        recall=correct / true_links.height if true_links.height else 1.0,
        review_share=review_records.height / accepted_records if accepted_records else 0.0,
    )
