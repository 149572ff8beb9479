"""Hard cases decide whether a wrong IDNr is ever written: twins, triplets, a parent and child of
one name, siblings and namesakes, reconciled on a small households world."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import pytest

from benchmarks.case_quality import read_case_truth
from fixtures.households import generate
from regmod.reconcile.run import RunRequest, reconcile
from regmod.reconcile.rundir import read_table

FAMILY_KINDS = ("twin", "triplet", "parent_child", "sibling", "namesake")


@dataclass(frozen=True)
class Reconciled:
    """A households world and the tables its run wrote."""

    truth: pl.DataFrame
    links: pl.DataFrame
    duplicates: pl.DataFrame
    rows_in: int
    accounted: int
    shared_idnr_rows: int
    shared_idnr: pl.Series


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Reconciled:
    folder = tmp_path_factory.mktemp("hard_cases")
    files = generate(3000, seed=11, out_dir=folder / "data")
    result = reconcile(
        RunRequest(
            register=files.register,
            reference=files.reference,
            out=folder / "run",
        )
    )
    counts = result.manifest.counts
    return Reconciled(
        truth=read_case_truth(files.truth),
        links=read_table(result.run_dir, "links"),
        duplicates=read_table(result.run_dir, "duplicates"),
        rows_in=counts.rows_in,
        accounted=counts.linked + counts.review + counts.unmatched + counts.quarantined,
        shared_idnr_rows=counts.reference_shared_idnr_rows,
        shared_idnr=read_table(result.run_dir, "quarantine")
        .filter(pl.col("reason").str.contains("held by 2 rows"))["idnr_raw"]
        .unique(),
    )


def test_every_register_row_is_accounted_for(run: Reconciled) -> None:
    assert run.rows_in == run.truth.height == run.accounted


def test_the_world_holds_every_family_kind(run: Reconciled) -> None:
    kinds = set(run.truth["case_kind"].unique().to_list())
    assert set(FAMILY_KINDS) <= kinds


def test_no_family_member_or_namesake_is_linked_to_another_persons_idnr(run: Reconciled) -> None:
    family = run.truth.filter(pl.col("case_kind").is_in(FAMILY_KINDS))
    linked = family.join(run.links.select("record_id", linked="idnr"), on="record_id")
    wrong = linked.filter(pl.col("idnr").is_null() | (pl.col("linked") != pl.col("idnr")))
    assert wrong.select("record_id", "case_kind", "idnr", "linked").to_dicts() == []


def test_no_reported_duplicate_cluster_holds_two_persons(run: Reconciled) -> None:
    persons = (
        run.duplicates.join(run.truth, on="record_id")
        .group_by("cluster_id")
        .agg(persons=pl.col("person_id").n_unique(), kinds=pl.col("case_kind").unique())
    )
    assert persons.filter(pl.col("persons") > 1).to_dicts() == []


def test_reference_rows_sharing_an_idnr_are_reported_and_never_linked(run: Reconciled) -> None:
    assert run.shared_idnr_rows == len(run.shared_idnr) * 2 > 0
    assert run.links.filter(pl.col("idnr").is_in(run.shared_idnr.implode())).is_empty()
