"""Group commit: one thread writes the transfers of concurrent requests in one transaction.

A request hands its item to ``TransferWriter.submit`` and waits on a future. The writer thread
takes every item waiting and, in one write transaction, lets ``decide`` read what the whole
batch needs (set-wise: a few queries per batch, not per request) and stage a transfer per item,
inserts the transfer rows, appends their audit entries to the chain in order, commits, and only
then resolves the futures. One commit and one chain lock serve many requests; nothing is
answered before it is committed.

When the batch transaction fails, each item of it is retried in a transaction of its own, so
one request's error never costs the others their answer; the failing one gets its exception.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import sqlalchemy as sa

from regmod.audit.log import AuditWriter
from regmod.errors import RegmodError
from regmod.store.engine import Store
from regmod.store.transfers import Transfer, audit_transfers, insert_transfers

I = TypeVar("I")  # noqa: E741 - the item type, beside A for the answer
A = TypeVar("A")


@dataclass(frozen=True)
class Staged(Generic[A]):
    """What ``decide`` made of one item: the transfer to log, who logs it, and the answer."""

    transfer: Transfer
    actor: str
    value: A


Decide = Callable[[sa.Connection, Sequence[I]], Sequence[Staged[A] | RegmodError]]
"""Reads in the writer's transaction and decides each item: staged, or refused before writing.

It must not write; the writer logs the staged transfers.
"""


@dataclass
class _Job(Generic[I, A]):
    item: I
    future: Future[A] = field(default_factory=Future)


_STOP = object()


class TransferWriter(Generic[I, A]):
    """The single writer of evidence transfers of one process (started on first use).

    ``linger_seconds``: after the first item of a batch arrives the writer waits this long for
    more, trading that much latency for fewer, larger transactions under load.
    """

    def __init__(
        self,
        store: Store,
        audit: AuditWriter,
        decide: Decide[I, A],
        *,
        max_batch: int = 256,
        linger_seconds: float = 0.002,
    ) -> None:
        self.store = store
        self.linger_seconds = linger_seconds
        self.audit = audit
        self.decide = decide
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[_Job[I, A] | object] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closed = False

    def submit(self, item: I) -> Future[A]:
        """Queue ``item``; its future resolves once its transfer is committed (or fails)."""
        job: _Job[I, A] = _Job(item)
        with self._lock:
            if self._closed:
                raise RegmodError("the transfer writer is closed")
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="regmod-transfer-writer", daemon=True
                )
                self._thread.start()
            self._queue.put(job)
        return job.future

    def close(self) -> None:
        """Finish the queued requests and stop the thread (later submits are refused)."""
        with self._lock:
            self._closed = True
            thread = self._thread
            if thread is not None:
                self._queue.put(_STOP)
        if thread is not None:
            thread.join()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            batch: list[_Job[I, A]] = []
            item = self._queue.get()
            if self.linger_seconds > 0 and item is not _STOP:
                time.sleep(self.linger_seconds)  # let the requests arriving with it join
            while True:
                if item is _STOP:
                    stopping = True
                elif isinstance(item, _Job) and item.future.set_running_or_notify_cancel():
                    batch.append(item)  # a job cancelled while queued is dropped unwritten
                if stopping or len(batch) >= self.max_batch:
                    break
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
            if batch:
                self._commit(batch)

    def _commit(self, batch: list[_Job[I, A]]) -> None:
        """Decide and log ``batch`` in one transaction; on failure, each job alone."""
        try:
            outcomes = self._write([job.item for job in batch])
        except Exception as error:  # any failure: nothing of the batch was committed
            if len(batch) == 1:
                batch[0].future.set_exception(error)
                return
            for job in batch:
                self._commit([job])
            return
        for job, outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, Staged):
                job.future.set_result(outcome.value)
            else:
                job.future.set_exception(outcome)

    def _write(self, items: list[I]) -> Sequence[Staged[A] | RegmodError]:
        """One write transaction: decide the items, then every transfer row and audit entry.

        Returns per item what it staged, or the refusal it raised before anything was written;
        neither is handed out before the commit.
        """
        with self.store.write() as conn:
            outcomes = self.decide(conn, items)
            if len(outcomes) != len(items):
                raise RegmodError(f"decided {len(outcomes)} of {len(items)} requests")
            staged = [(o.transfer, o.actor) for o in outcomes if isinstance(o, Staged)]
            insert_transfers(conn, [transfer for transfer, _ in staged])
            audit_transfers(conn, self.audit, staged)
        return outcomes
