"""Subject resolution by attributes: accept one candidate only when it is confident and clearly ahead.

Fail closed: a weak best candidate, a runner-up close behind or a supplied attribute that contradicts
the best candidate is a refusal that asks for the IDNr, never a best guess (a wrong person is a
data-protection incident).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from regmod.evidence.model import RefusalReason, SubjectAttributes


@dataclass(frozen=True)
class Candidate:
    """One reference person scored against the query, with the per-comparison explanation."""

    idnr: str
    match_weight: float
    match_probability: float
    explanation: dict[str, Any] = field(default_factory=dict)
    contradictions: tuple[str, ...] = ()
    """Comparisons whose supplied value contradicts this person (decisive negative evidence)."""


class CandidateSource(Protocol):
    """Finds scored candidates for a subject in one tenant's reference, best first."""

    def candidates(self, tenant: str, attributes: SubjectAttributes) -> Sequence[Candidate]:
        """Candidates sorted by descending match weight (may be empty)."""
        ...


NOT_FOUND_BY_ATTRIBUTES = "no person in the reference fits these attributes; send the IDNr"
NOT_FOUND_BY_IDNR = "no person with this IDNr in the register"


@dataclass(frozen=True)
class ResolutionPolicy:
    """Thresholds for accepting a subject by attributes.

    ``min_margin`` is in match-weight units (log2 odds): 6 means the best candidate is at least
    64 times as likely as the runner-up.
    """

    min_probability: float = 0.99
    min_margin: float = 6.0


@dataclass(frozen=True)
class Resolution:
    """The accepted IDNr, or the reason for refusing, with how many candidates were seen."""

    idnr: str | None
    reason: RefusalReason | None
    detail: str
    candidates_considered: int


def decide(candidates: Sequence[Candidate], policy: ResolutionPolicy) -> Resolution:
    """Pick the subject among ``candidates`` (best first) or refuse.

    >>> decide([Candidate("36574261809", 20.0, 0.9999)], ResolutionPolicy()).idnr
    '36574261809'
    >>> decide([Candidate("a", 20.0, 0.9999), Candidate("b", 18.0, 0.999)],
    ...        ResolutionPolicy()).reason
    <RefusalReason.SUBJECT_AMBIGUOUS: 'subject_ambiguous'>
    """
    count = len(candidates)
    if count == 0:
        return Resolution(
            None,
            RefusalReason.SUBJECT_NOT_FOUND,
            NOT_FOUND_BY_ATTRIBUTES,
            0,
        )
    best = candidates[0]
    if best.contradictions:
        # Which attribute does not fit is not said: it would tell a caller the person's data.
        return Resolution(
            None,
            RefusalReason.SUBJECT_AMBIGUOUS,
            "a supplied attribute contradicts the best-fitting person; send the IDNr",
            count,
        )
    if best.match_probability < policy.min_probability:
        return Resolution(
            None,
            RefusalReason.SUBJECT_AMBIGUOUS,
            f"the best candidate is not confident (probability {best.match_probability:.4f} "
            f"< {policy.min_probability}); send the IDNr",
            count,
        )
    if count > 1 and best.match_weight - candidates[1].match_weight < policy.min_margin:
        return Resolution(
            None,
            RefusalReason.SUBJECT_AMBIGUOUS,
            f"{count} candidates and the best is not clearly ahead of the next "
            f"(margin {best.match_weight - candidates[1].match_weight:.2f} < "
            f"{policy.min_margin}); send the IDNr",
            count,
        )
    return Resolution(best.idnr, None, "", count)
