"""Per-tenant online indexes over the store's reference persons, for single-record queries.

Each tenant's persons are read once, normalised like a register extract and indexed with the
trained model (``matching.online.OnlineIndex``). The index is kept while the tenant's person
count is unchanged (re-checked at most every ``ttl_seconds``); ``invalidate`` forces a rebuild
after persons were updated in place.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa

from matching.contradictions import contradicting
from matching.gamma import gamma_column
from matching.model import TrainedModel
from matching.online import OnlineIndex, QueryResult
from regmod.errors import IndexUnavailableError
from regmod.evidence.model import SubjectAttributes
from regmod.evidence.resolution import Candidate
from regmod.linkage import linkage_keys, prepare_for_linkage, with_decisive_evidence
from regmod.normalize import normalise
from regmod.normalize.single import normalised_values
from regmod.reconcile.staging import is_staging
from regmod.record import RECORD_ID, raw_column
from regmod.store.engine import Store
from regmod.store.schema import persons

_log = logging.getLogger(__name__)

_STORED_AS_RAW = (
    "family_name",
    "birth_name",
    "first_names",
    "doctoral_degree",
    "sex",
    "birth_place",
    "street",
    "postcode",
    "city",
)


def newest_model(runs_dir: Path) -> Path | None:
    """The most recently written ``model.json`` of a completed run under ``runs_dir``, if any."""
    models = sorted(
        (path for path in runs_dir.glob("*/model.json") if not is_staging(path.parent)),
        key=lambda path: path.stat().st_mtime,
    )
    return models[-1] if models else None


def _date_text(prefix: str) -> pl.Expr:
    """``DD.MM.YYYY`` with ``00`` for unknown parts, as a register writes a partial date."""
    part = [pl.col(f"{prefix}_{name}").cast(pl.String) for name in ("day", "month", "year")]
    return (
        pl.when(pl.col(f"{prefix}_year").is_not_null())
        .then(
            pl.format(
                "{}.{}.{}",
                part[0].fill_null("0").str.zfill(2),
                part[1].fill_null("0").str.zfill(2),
                part[2].str.zfill(4),
            )
        )
        .alias(raw_column(f"{prefix}_date"))
    )


def stored_persons_as_raw(stored: pl.DataFrame) -> pl.DataFrame:
    """Rows of the ``persons`` table as raw canonical records (``record_id`` = IDNr)."""
    return stored.select(
        pl.col("idnr").alias(RECORD_ID),
        pl.col("idnr").alias(raw_column("idnr")),
        *(pl.col(name).alias(raw_column(name)) for name in _STORED_AS_RAW),
        pl.col("house_number").alias(raw_column("house_number")),
        _date_text("birth"),
        _date_text("death"),
    )


def attributes_as_raw(attributes: SubjectAttributes) -> dict[str, str | None]:
    """One query record in raw canonical form (``{<field>_raw: text}``)."""
    birth = attributes.birth_date
    return {
        RECORD_ID: "query",
        raw_column("family_name"): attributes.family_name,
        raw_column("first_names"): attributes.first_names,
        raw_column("birth_date"): f"{birth.day or 0:02d}.{birth.month or 0:02d}.{birth.year:04d}",
        raw_column("birth_place"): attributes.birth_place,
        raw_column("street"): attributes.street,
        raw_column("house_number"): attributes.house_number,
        raw_column("postcode"): attributes.postcode,
        raw_column("city"): attributes.city,
    }


def linkable(raw: pl.DataFrame) -> pl.DataFrame:
    """Normalised and keyed for the German spec."""
    return prepare_for_linkage(normalise(raw))


def linkable_subject(attributes: SubjectAttributes) -> dict[str, Any]:
    """One subject normalised and keyed for the German spec, by the scalar path (no frame)."""
    values = normalised_values(attributes_as_raw(attributes))
    return values | linkage_keys(values)


def read_reference(conn: sa.Connection, tenant: str) -> pl.DataFrame:
    """The tenant's persons, normalised for linkage, in IDNr order."""
    columns = ["idnr", *_STORED_AS_RAW, "house_number"]
    columns += [f"{p}_{n}" for p in ("birth", "death") for n in ("year", "month", "day")]
    query = (
        sa.select(*(persons.c[name] for name in columns))
        .where(persons.c.tenant == tenant)
        .order_by(persons.c.idnr)
    )
    rows = conn.execute(query).all()
    schema: dict[str, Any] = {name: pl.String for name in columns}
    schema |= {f"{p}_{n}": pl.Int16 for p in ("birth", "death") for n in ("year", "month", "day")}
    stored = pl.DataFrame(rows, schema=schema, orient="row")
    return linkable(stored_persons_as_raw(stored))


def person_count(conn: sa.Connection, tenant: str) -> int:
    """How many reference persons ``tenant`` holds (the cache's change signal)."""
    query = sa.select(sa.func.count()).select_from(persons).where(persons.c.tenant == tenant)
    return int(conn.scalar(query) or 0)


@dataclass
class _Cached:
    index: OnlineIndex
    count: int
    checked_at: float


class TenantIndexes:
    """One ``OnlineIndex`` per tenant, built on first use and rebuilt when its persons change.

    Implements ``CandidateSource`` for the evidence service.
    """

    def __init__(
        self,
        store: Store,
        model: TrainedModel | None,
        *,
        ttl_seconds: float = 5.0,
        top_k: int = 5,
    ) -> None:
        self.store = store
        self.model = model
        self._decisive = None if model is None else with_decisive_evidence(model.spec)
        self.ttl_seconds = ttl_seconds
        self.top_k = top_k
        self._cache: dict[str, _Cached] = {}
        self._lock = threading.Lock()
        self.warmed = threading.Event()
        """Set once ``warm`` has finished (or was never asked for)."""
        self.warmed.set()
        self._warming: threading.Thread | None = None

    @classmethod
    def from_model_file(
        cls, store: Store, path: Path | None, *, ttl_seconds: float = 5.0
    ) -> TenantIndexes:
        """Indexes using the model saved at ``path`` (none: matching unavailable)."""
        model = TrainedModel.load(path) if path is not None else None
        return cls(store, model, ttl_seconds=ttl_seconds)

    def start_warming(self) -> threading.Thread | None:
        """Build every tenant's index in a background thread; ``warmed`` is set when done.

        Once per object: an app started again (as test harnesses do) keeps the indexes it has.
        """
        if self._warming is not None:
            return None
        self.warmed.clear()
        self._warming = threading.Thread(
            target=self._warm, name="online-index-warm-up", daemon=True
        )
        self._warming.start()
        return self._warming

    def _warm(self) -> None:
        try:
            if self.model is None:
                return
            with self.store.read() as conn:
                tenants = conn.scalars(sa.select(persons.c.tenant).distinct()).all()
            for tenant in tenants:
                started = time.perf_counter()
                index = self.index(tenant)
                elapsed = time.perf_counter() - started
                _log.info(
                    "online index of tenant %s: %d persons in %.1f s", tenant, len(index), elapsed
                )
        except Exception:  # a failed warm-up must not keep the server unready; queries retry
            _log.exception("building the online indexes at start-up failed")
        finally:
            self.warmed.set()

    def invalidate(self, tenant: str) -> None:
        """Forget ``tenant``'s index; the next query rebuilds it."""
        with self._lock:
            self._cache.pop(tenant, None)

    def fresh(self, tenant: str) -> OnlineIndex | None:
        """``tenant``'s index when it is built and was checked within the TTL (or is being
        checked right now by another query), else None.

        Never reads the store, so an event loop may call it and query the index in place; while
        one query recounts the persons, the others use the index as it was a moment ago.
        """
        cached = self._cache.get(tenant)
        if cached is None:
            return None
        if time.monotonic() - cached.checked_at < self.ttl_seconds or self._lock.locked():
            return cached.index
        return None

    def index(self, tenant: str) -> OnlineIndex:
        """The current index of ``tenant`` (built or rebuilt as needed)."""
        if self.model is None:
            raise IndexUnavailableError(
                "no trained model is configured for online matching; run 'regmod reconcile' "
                "or set REGMOD_API_MODEL to a model.json"
            )
        fresh = self.fresh(tenant)
        if fresh is not None:
            return fresh
        with self._lock:
            now = time.monotonic()
            cached = self._cache.get(tenant)
            if cached is not None and now - cached.checked_at < self.ttl_seconds:
                return cached.index  # another query rechecked it while this one waited
            with self.store.read() as conn:
                count = person_count(conn, tenant)
                if cached is None or cached.count != count:
                    reference = read_reference(conn, tenant)
                    cached = _Cached(OnlineIndex(reference, self.model), count, now)
            cached.checked_at = now
            self._cache[tenant] = cached
            return cached.index

    def query(
        self, tenant: str, record: Mapping[str, Any] | pl.DataFrame, top_k: int | None = None
    ) -> QueryResult:
        """Score one linkable record against ``tenant``'s reference."""
        return self.index(tenant).query(record, top_k=top_k or self.top_k)

    def candidates(self, tenant: str, attributes: SubjectAttributes) -> Sequence[Candidate]:
        """Scored candidates for a subject, best first (``CandidateSource``)."""
        result = self.query(tenant, linkable_subject(attributes))
        return [
            Candidate(
                str(row[RECORD_ID]),
                float(row["match_weight"]),
                float(row["match_probability"]),
                contradictions=self.contradictions(row),
            )
            for row in result.rows
        ]

    def contradictions(self, row: Mapping[str, Any]) -> tuple[str, ...]:
        """The comparisons of one scored candidate row whose supplied value contradicts it."""
        if self._decisive is None:
            return ()
        levels = {c.name: int(row[gamma_column(c.name)]) for c in self._decisive.comparisons}
        return tuple(contradicting(self._decisive, levels))
