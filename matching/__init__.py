"""A domain-free record-linkage engine on Polars: blocking, comparisons, Fellegi–Sunter, assignment."""

from matching.errors import MatchingError

__all__ = ["MatchingError"]
