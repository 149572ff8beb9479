"""Stage timing and progress: the run reports each stage to an observer and keeps its duration."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

STAGES: tuple[str, ...] = (
    "read",
    "prepare",
    "block",
    "compare",
    "train",
    "score",
    "dedupe",
    "decide",
    "report",
    "write",
)
"""The stages of a reconciliation run, in order."""


class StageObserver(Protocol):
    """Told when a stage starts and ends (the CLI draws progress bars from it)."""

    def started(self, stage: str) -> None:
        """``stage`` begins."""

    def finished(self, stage: str, seconds: float) -> None:
        """``stage`` ended after ``seconds``."""


class SilentObserver:
    """An observer that shows nothing."""

    def started(self, stage: str) -> None:
        """Ignore the start."""

    def finished(self, stage: str, seconds: float) -> None:
        """Ignore the end."""


class StageClock:
    """Times the stages of one run and forwards them to an observer."""

    def __init__(self, observer: StageObserver) -> None:
        self._observer = observer
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the enclosed block as stage ``name`` (durations add up when a stage repeats)."""
        self._observer.started(name)
        start = time.perf_counter()
        yield
        elapsed = time.perf_counter() - start
        self.seconds[name] = round(self.seconds.get(name, 0.0) + elapsed, 4)
        self._observer.finished(name, elapsed)
