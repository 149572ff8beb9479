"""Staging directories of unfinished runs: hidden, locked by their writer, removed once it is gone.

A run is written into ``.<name>.<random>.partial`` beside its target and renamed into place when
complete. The writer holds an exclusive lock on the ``.lock`` file inside for as long as it
writes; the kernel drops the lock when the process ends, however it ends (``kill -9`` too), so a
staging directory whose lock can be taken is a killed run's leftover. The lock file names the
writer's pid, host and start for whoever finds it.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from regmod.errors import ConfigurationError

STAGING_SUFFIX = ".partial"
LOCK_FILE = ".lock"
UNLOCKED_GRACE_SECONDS = 60.0
"""A staging directory without a lock file is left alone this long: its writer may be creating it."""


@dataclass
class Cleanup:
    """The staging directories a clean-up removed, and those it kept because a writer holds them."""

    removed: list[Path] = field(default_factory=list)
    in_use: list[Path] = field(default_factory=list)


def is_staging(path: Path) -> bool:
    """Whether ``path`` is the staging directory of a run that has not (yet) completed."""
    return path.name.startswith(".") and path.name.endswith(STAGING_SUFFIX) and path.is_dir()


def refuse_staging(run_dir: Path) -> None:
    """Raise when ``run_dir`` is a staging directory: its content is no result."""
    if is_staging(run_dir):
        raise ConfigurationError(
            f"{run_dir} is the staging directory of an unfinished run, not a run directory"
        )


@contextmanager
def staging_directory(target: Path) -> Iterator[Path]:
    """A locked staging directory beside ``target``, renamed to ``target`` when the block ends.

    Leftovers of killed runs beside ``target`` are removed first; on an error the staging
    directory is removed and the error raised.
    """
    remove_stale(target.parent)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{target.name}.", suffix=STAGING_SUFFIX, dir=target.parent)
    )
    # Locked under another name first, so a clean-up never finds the lock file not yet locked.
    taking = staging / f"{LOCK_FILE}.taking"
    lock = taking.open("w", encoding="utf-8")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        started = datetime.now(UTC).isoformat(timespec="seconds")
        owner = {"pid": os.getpid(), "host": socket.gethostname(), "started_at": started}
        lock.write(json.dumps(owner) + "\n")
        lock.flush()
        taking.rename(staging / LOCK_FILE)
        yield staging
        os.replace(staging, target)
        (target / LOCK_FILE).unlink()
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        lock.close()


def remove_stale(directory: Path) -> Cleanup:
    """Remove the staging directories in ``directory`` whose writer is gone."""
    cleanup = Cleanup()
    for path in sorted(directory.glob(f".*{STAGING_SUFFIX}")):
        if not is_staging(path):
            continue
        if _remove_if_abandoned(path):
            cleanup.removed.append(path)
        elif path.exists():
            cleanup.in_use.append(path)
    return cleanup


def _remove_if_abandoned(path: Path) -> bool:
    try:
        lock = (path / LOCK_FILE).open(encoding="utf-8")
    except FileNotFoundError:
        try:
            age = time.time() - path.stat().st_mtime
        except FileNotFoundError:  # the writer finished and renamed it meanwhile
            return False
        if age < UNLOCKED_GRACE_SECONDS:
            return False
        shutil.rmtree(path, ignore_errors=True)
        return True
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        if not path.exists():  # the writer finished and renamed it meanwhile
            return False
        shutil.rmtree(path, ignore_errors=True)
        return True


def remove_stale_under(root: Path) -> Cleanup:
    """``remove_stale`` in ``root`` and in each folder right below it (the API's tenant folders)."""
    cleanup = Cleanup()
    if not root.is_dir():
        return cleanup
    folders = [root, *sorted(p for p in root.iterdir() if p.is_dir() and not is_staging(p))]
    for folder in folders:
        found = remove_stale(folder)
        cleanup.removed += found.removed
        cleanup.in_use += found.in_use
    return cleanup
