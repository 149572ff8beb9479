"""The exception hierarchy of the matching engine."""

from __future__ import annotations


class MatchingError(Exception):
    """Base class of every error the matching engine raises on purpose."""


class SpecError(MatchingError):
    """A LinkageSpec is inconsistent with itself or with the frames it is applied to."""


class BlockingExplosionError(MatchingError):
    """A blocking rule would produce more candidate pairs than the configured limit."""
