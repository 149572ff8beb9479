"""Run directories are written atomically and reproducibly; review verdicts become labels."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from regmod.errors import ConfigurationError, InputError, NotFoundError
from regmod.reconcile.review import ReviewDecision, read_labels, record_decision, review_queue
from regmod.reconcile.rundir import write_run_directory

LINKS = pl.DataFrame({"record_id": ["a", "b"], "idnr": ["1", "2"], "names": [["x", "y"], []]})


def test_run_directory_appears_only_when_complete(tmp_path: Path) -> None:
    class Broken(dict[str, pl.DataFrame]):
        def items(self):  # type: ignore[no-untyped-def]
            yield "links", LINKS
            raise RuntimeError("disk full")

    target = tmp_path / "run"
    with pytest.raises(RuntimeError):
        write_run_directory(target, Broken(), {})
    assert list(tmp_path.iterdir()) == []


def test_same_tables_give_same_bytes(tmp_path: Path) -> None:
    first = write_run_directory(tmp_path / "one", {"links": LINKS}, {"a.txt": "x"})
    second = write_run_directory(tmp_path / "two", {"links": LINKS}, {"a.txt": "x"})
    assert (first / "links.parquet").read_bytes() == (second / "links.parquet").read_bytes()


def test_csv_copies_flatten_lists(tmp_path: Path) -> None:
    run = write_run_directory(tmp_path / "run", {"links": LINKS}, {}, csv=True)
    assert (run / "links.csv").read_text().splitlines()[1] == "a,1,x y"


def test_existing_run_directory_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "run").mkdir()
    with pytest.raises(ConfigurationError, match="already exists"):
        write_run_directory(tmp_path / "run", {"links": LINKS}, {})


def _review_run(tmp_path: Path) -> Path:
    review = pl.DataFrame(
        {
            "record_id": ["R1", "R1"],
            "idnr": ["11", "22"],
            "match_weight": [9.0, 8.0],
            "match_probability": [0.998, 0.996],
            "rank": [1, 2],
        }
    )
    return write_run_directory(tmp_path / "run", {"review": review}, {})


def test_accepting_a_candidate_stores_a_labelled_pair(tmp_path: Path) -> None:
    run = _review_run(tmp_path)
    record_decision(run, ReviewDecision("R1", "22", True, "same birth name", "clerk"))
    record_decision(run, ReviewDecision("R1", "11", False, "different father", "clerk"))
    labels = read_labels(run)
    assert labels.select("idnr", "is_match").rows() == [("11", False), ("22", True)]
    assert review_queue(run)["label"].to_list() == [False, True]


def test_a_later_verdict_on_the_same_pair_replaces_the_earlier(tmp_path: Path) -> None:
    run = _review_run(tmp_path)
    record_decision(run, ReviewDecision("R1", "22", True, "first look", "clerk"))
    record_decision(run, ReviewDecision("R1", "22", False, "second look", "clerk"))
    assert read_labels(run)["reason"].to_list() == ["second look"]


def test_review_refuses_pairs_outside_the_queue_and_empty_reasons(tmp_path: Path) -> None:
    run = _review_run(tmp_path)
    with pytest.raises(NotFoundError, match="candidates: 11, 22"):
        record_decision(run, ReviewDecision("R1", "33", True, "why not", "clerk"))
    with pytest.raises(InputError, match="reason"):
        record_decision(run, ReviewDecision("R1", "11", True, " ", "clerk"))
